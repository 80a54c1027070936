"""The segment rule grammar read without a database: what it takes and where it says it refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.segments.grammar import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    AllOf,
    AnyPurchase,
    AttributeIs,
    NoneOf,
    PurchaseFilter,
    PurchaseMeasure,
    RuleError,
    read_rule,
)

CUSTOM = frozenset({"shoeSize"})
CITY = {"field": "city", "op": "eq", "value": "Malmö"}


def refusal(raw: Any) -> RuleError:
    with pytest.raises(RuleError) as refused:
        read_rule(raw, CUSTOM)
    return refused.value


def test_the_dog_food_example_reads_into_its_tree() -> None:
    rule = read_rule(
        {
            "and": [
                CITY,
                {
                    "not": {
                        "field": "purchases",
                        "op": "exists",
                        "where": {"groups": ["Dog food"], "withinDays": 90},
                    }
                },
            ]
        },
        CUSTOM,
    )
    assert rule == AllOf(
        (
            AttributeIs("city", "eq", "Malmö"),
            NoneOf(AnyPurchase(True, PurchaseFilter(groups=("Dog food",), within_days=90))),
        )
    )


def test_numbers_are_exact_and_between_takes_a_pair() -> None:
    rule = read_rule({"field": "purchases.amount", "op": "between", "value": [0.1, "2.5"]}, CUSTOM)
    assert rule == PurchaseMeasure("amount", "between", (Decimal("0.1"), Decimal("2.5")), PurchaseFilter())
    assert refusal({"field": "purchases.amount", "op": "between", "value": [1]}).path == "rule.value"


def test_custom_attributes_are_fields_only_where_configured() -> None:
    assert read_rule({"field": "shoeSize", "op": "gt", "value": 40}, CUSTOM) == AttributeIs(
        "shoeSize", "gt", Decimal(40)
    )
    assert "unknown field 'hatSize'" in str(refusal({"field": "hatSize", "op": "gt", "value": 40}))


def test_groups_nest_only_so_deep_and_hold_only_so_many_conditions() -> None:
    deep: Any = CITY
    for _ in range(MAX_DEPTH + 1):
        deep = {"not": deep}
    assert "nest at most" in refusal(deep).message
    assert "at most" in refusal({"or": [CITY] * (MAX_CONDITIONS + 1)}).message
    assert refusal({"and": []}).path == "rule.and"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"field": "createdOn", "op": "gte", "value": "0001-01-01"}, "rule.value"),
        ({"field": "createdOn", "op": "gte", "value": "2026-01-01T00:00:00"}, "rule.value"),
        ({"field": "city", "op": "eq", "value": "a\x00b"}, "rule.value"),
        (
            {
                "field": "purchases",
                "op": "exists",
                "where": {"fromDate": "2026-02-01", "toDate": "2026-01-01"},
            },
            "rule.where.toDate",
        ),
        ({"field": "purchases.count", "op": "gt", "value": True}, "rule.value"),
        ({"field": "promotion", "op": "held", "value": "not-a-guid"}, "rule.value"),
        ({"field": "preferences.acceptsFax", "op": "eq", "value": True}, "rule.field"),
        ({"or": [CITY, {"field": "city", "op": "in", "value": []}]}, "rule.or[1].value"),
    ],
)
def test_each_refusal_names_its_place(raw: Any, path: str) -> None:
    assert refusal(raw).path == path


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["and", "or", "not", "field", "op", "value", "where"]), inner, max_size=3
        )
    ),
    max_leaves=12,
)


@given(raw=json_values)
def test_any_json_is_read_or_refused_with_a_place_never_crashes(raw: Any) -> None:
    try:
        read_rule(raw, CUSTOM)
    except RuleError as refused:
        assert refused.path.startswith("rule")
