"""The list query read from the query string, without a database: every operator and kind,
groups, the bounds, and each refusal with the message a client reads."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from patron.errors import PatronError
from patron.records.fields import Order, SortKey
from patron.records.filters import MAX_CONDITIONS, MAX_DEPTH, MAX_VALUES, AllOf, AnyOf, Condition, Operator
from patron.records.query import DEFAULT_LIMIT, MAX_JSON_CHARS, ListQuery, parse_list_query
from tests.records.list_fields import FIELDS


def parsed(**query: str) -> ListQuery:
    return parse_list_query(query, FIELDS)


def filtered(tree: Any) -> Any:
    return parsed(filters=json.dumps(tree)).filters


def condition(field: str, op: str, value: Any) -> Any:
    return filtered({"field": field, "op": op, "value": value})


def refusal(**query: str) -> PatronError:
    with pytest.raises(PatronError) as raised:
        parsed(**query)
    error = raised.value
    assert error.status == 400 and error.key == "BadRequest"
    return error


def refused_filter(tree: Any) -> str:
    error = refusal(filters=json.dumps(tree))
    assert error.details == [{"field": "filters", "in": "query", "message": error.message}]
    return error.message


def test_an_empty_query_is_the_first_page_of_twenty_in_the_default_order() -> None:
    assert parsed() == ListQuery(offset=0, limit=DEFAULT_LIMIT)
    assert parsed(offset="", limit="", filters="", fields="", sortBy="", fetchTotalCount="") == ListQuery()


def test_offset_and_limit_are_whole_numbers_within_their_bounds() -> None:
    query = parsed(offset="40", limit="1000")
    assert (query.offset, query.limit) == (40, 1000)
    assert parsed(limit="1").limit == 1
    assert parsed(offset="1000000000").offset == 10**9


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("offset", "-1"),
        ("offset", "1000000001"),
        ("offset", "1_000"),
        ("offset", "+5"),
        ("offset", " 5"),
        ("offset", "2.0"),
        ("offset", "٣"),
        ("limit", "0"),
        ("limit", "1001"),
        ("limit", "ten"),
    ],
)
def test_a_bad_offset_or_limit_is_refused_naming_it(parameter: str, value: str) -> None:
    error = refusal(**{parameter: value})
    assert error.message.startswith(f"{parameter} is a whole number")
    assert error.details[0]["field"] == parameter


def test_fields_keep_their_order_once_each_and_may_name_what_the_record_shows() -> None:
    assert parsed(fields='["name", "rewards", "name", "id"]').fields == ("name", "rewards", "id")
    assert parsed(fields="[]").fields == ()


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('["name", "colour"]', 'unknown field "colour"'),
        ('"name"', "fields is a JSON array of field names"),
        ("[1]", "fields is a JSON array of field names"),
        ("[name]", "fields is not valid JSON"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(value: str, said: str) -> None:
    error = refusal(fields=value)
    assert said in error.message and error.details[0]["field"] == "fields"


def test_every_operator_reads_its_value_as_the_field_kind() -> None:
    assert condition("name", "eq", "Ten visits") == Condition("name", Operator.EQ, ("Ten visits",))
    assert condition("name", "neq", "x") == Condition("name", Operator.NEQ, ("x",))
    assert condition("requiredCheckpoints", "lt", 5) == Condition(
        "requiredCheckpoints", Operator.LT, (Decimal(5),)
    )
    assert condition("assignOnAmount", "lte", 0.1) == Condition(
        "assignOnAmount", Operator.LTE, (Decimal("0.1"),)
    )
    assert condition("assignOnAmount", "gt", "12.50") == Condition(
        "assignOnAmount", Operator.GT, (Decimal("12.50"),)
    )
    assert condition("scheduledFrom", "gte", "2026-03-01T10:00:00+01:00") == Condition(
        "scheduledFrom", Operator.GTE, (datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=1))),)
    )
    assert condition("timeZone", "in", ["UTC", "Europe/Stockholm"]) == Condition(
        "timeZone", Operator.IN, ("UTC", "Europe/Stockholm")
    )
    assert condition("name", "contains", "50%_off") == Condition("name", Operator.CONTAINS, ("50%_off",))
    one = uuid.uuid4()
    assert condition("id", "eq", str(one).upper()) == Condition("id", Operator.EQ, (one,))
    assert condition("consentRequired", "neq", True) == Condition("consentRequired", Operator.NEQ, (True,))


def test_numbers_are_read_exactly_never_as_floats() -> None:
    raw = '{"field": "assignOnAmount", "op": "eq", "value": 0.30000000000000001}'
    tree = parsed(filters=raw).filters
    assert isinstance(tree, Condition) and tree.value == Decimal("0.30000000000000001")
    assert condition("assignOnAmount", "eq", "1e3").value == Decimal(1000)


def test_instants_may_be_epoch_seconds_and_any_offset_is_the_same_instant() -> None:
    assert condition("createdOn", "eq", 1772366400).value == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert condition("createdOn", "eq", 1772366400.25).value == datetime(
        2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC
    )
    west = condition("createdOn", "eq", "2026-03-01T07:00:00-05:00").value
    assert west == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert condition("createdOn", "eq", "2026-03-01T12:00:00Z").value == west


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("requiredCheckpoints", True, "requiredCheckpoints takes a number, not true"),
        ("requiredCheckpoints", "ten", 'requiredCheckpoints takes a number, not "ten"'),
        ("requiredCheckpoints", None, "requiredCheckpoints takes a number, not null"),
        ("requiredCheckpoints", 2**31, "a number from -2147483647 to 2147483647"),
        ("assignOnAmount", "1e400", "a number from -99999999999999.9999 to 99999999999999.9999"),
        ("assignOnAmount", [1], "assignOnAmount takes a number"),
        ("createdOn", "2026-03-01T12:00:00", "createdOn takes a date-time with an offset"),
        ("createdOn", "2026-02-30T00:00:00Z", "createdOn takes an ISO 8601 date-time"),
        ("createdOn", "0001-01-01T00:00:00Z", "an instant from 1900-01-02 to 9999-12-30"),
        ("createdOn", 10**12, "an instant from 1900-01-02"),
        ("createdOn", False, "createdOn takes an ISO 8601 date-time"),
        ("id", "not-a-uuid", 'id takes a UUID, not "not-a-uuid"'),
        ("id", 7, "id takes a UUID, not 7"),
        ("consentRequired", "true", 'consentRequired takes true or false, not "true"'),
        ("timeZone", "Mars/Olympus", "timeZone takes one of America/New_York, Europe/Stockholm, UTC"),
        ("name", 5, "name takes a string, not 5"),
        ("name", "a\x00b", "name takes a string without NUL characters"),
        ("name", "\ud800", "name takes a string of whole characters"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_field(field: str, value: Any, said: str) -> None:
    assert said in refused_filter({"field": field, "op": "eq", "value": value})


def test_nan_and_infinity_are_not_numbers() -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = '{"field": "assignOnAmount", "op": "eq", "value": ' + constant + "}"
        assert "filters is not valid JSON" in refusal(filters=raw).message


@pytest.mark.parametrize(
    ("field", "op"),
    [
        ("consentRequired", "gt"),
        ("timeZone", "lte"),
        ("id", "lt"),
        ("requiredCheckpoints", "contains"),
        ("createdOn", "contains"),
        ("timeZone", "contains"),
    ],
)
def test_an_operator_the_field_kind_does_not_take_is_refused_naming_both(field: str, op: str) -> None:
    message = refused_filter({"field": field, "op": op, "value": "x"})
    assert f"{op} does not apply to {field}" in message


def test_an_unknown_field_or_operator_is_refused_naming_it_and_what_is_known() -> None:
    message = refused_filter({"field": "colour", "op": "eq", "value": "red"})
    assert 'unknown field "colour"' in message and "createdOn" in message
    message = refused_filter({"field": "name", "op": "like", "value": "a"})
    assert 'unknown operator "like" on name' in message and "contains" in message
    assert "unknown operator null" in refused_filter({"field": "name", "value": "a"})
    assert "unknown field null" in refused_filter({"op": "eq", "value": "a"})


@pytest.mark.parametrize(
    ("tree", "said"),
    [
        ({"field": "name", "op": "eq"}, "the condition name eq has no value"),
        ({"field": "name", "op": "eq", "value": "a", "values": ["b"]}, "unknown key 'values'"),
        ({"field": "name", "op": "in", "value": []}, "name in takes a non-empty JSON array, not []"),
        ({"field": "name", "op": "in", "value": "a"}, "name in takes a non-empty JSON array"),
        ({"field": "name", "op": "in", "value": ["a", 1]}, "name takes a string, not 1"),
        ({"and": {"field": "name"}}, '"and" takes a JSON array of conditions'),
        ({"or": [], "field": "name"}, '"or" takes a JSON array of conditions, alone in its object'),
        ({"and": [["name", "eq", "a"]]}, "a condition is an object"),
        ([{"field": "name", "op": "eq", "value": "a"}], "a condition is an object"),
    ],
)
def test_a_malformed_filter_is_refused_saying_what_is_wrong(tree: Any, said: str) -> None:
    assert said in refused_filter(tree)


def test_groups_nest_freely_into_a_tree() -> None:
    tree = filtered(
        {
            "or": [
                {"field": "name", "op": "contains", "value": "visit"},
                {
                    "and": [
                        {"field": "consentRequired", "op": "eq", "value": True},
                        {"or": [{"field": "expirationMonths", "op": "gte", "value": 12}]},
                    ]
                },
            ]
        }
    )
    assert tree == AnyOf(
        (
            Condition("name", Operator.CONTAINS, ("visit",)),
            AllOf(
                (
                    Condition("consentRequired", Operator.EQ, (True,)),
                    AnyOf((Condition("expirationMonths", Operator.GTE, (Decimal(12),)),)),
                )
            ),
        )
    )
    assert filtered({"and": []}) == AllOf(()) and filtered({"or": []}) == AnyOf(())


def nested(groups: int) -> Any:
    tree: Any = {"field": "name", "op": "eq", "value": "a"}
    for depth in range(groups):
        tree = {("and", "or")[depth % 2]: [tree]}
    return tree


def test_groups_nest_at_most_eight_deep() -> None:
    assert MAX_DEPTH == 8
    assert filtered(nested(MAX_DEPTH)) is not None
    assert f"groups nest at most {MAX_DEPTH} deep" in refused_filter(nested(MAX_DEPTH + 1))


def test_a_filter_holds_at_most_a_hundred_conditions() -> None:
    def conditions(n: int) -> Any:
        return {"or": [{"field": "name", "op": "eq", "value": str(i)} for i in range(n)]}

    assert MAX_CONDITIONS == 100
    assert len(filtered(conditions(MAX_CONDITIONS)).parts) == MAX_CONDITIONS
    assert f"at most {MAX_CONDITIONS} conditions" in refused_filter(conditions(MAX_CONDITIONS + 1))


def test_a_filter_holds_at_most_a_thousand_values_in_all() -> None:
    def values(n: int) -> list[int]:
        return list(range(n))

    assert MAX_VALUES == 1000
    assert len(condition("requiredCheckpoints", "in", values(MAX_VALUES)).values) == MAX_VALUES
    both = {
        "or": [
            {"field": "requiredCheckpoints", "op": "in", "value": values(600)},
            {"field": "expirationMonths", "op": "in", "value": values(400)},
            {"field": "name", "op": "eq", "value": "one too many"},
        ]
    }
    assert f"at most {MAX_VALUES} values in all" in refused_filter(both)
    assert "at most 1000 values" in refused_filter(
        {"field": "requiredCheckpoints", "op": "in", "value": values(MAX_VALUES + 1)}
    )


def test_json_parameters_are_bounded_in_length_and_depth() -> None:
    too_long = json.dumps({"field": "name", "op": "eq", "value": "x" * MAX_JSON_CHARS})
    assert f"filters is at most {MAX_JSON_CHARS} characters" in refusal(filters=too_long).message
    deep = "[" * 5000 + "]" * 5000
    assert "filters nests too deeply" in refusal(filters=deep).message
    assert "filters is not valid JSON" in refusal(filters="{'field': 'name'}").message


def test_sort_keys_are_read_in_order_and_the_order_may_be_any_case() -> None:
    query = parsed(sortBy='[{"fieldSlug": "requiredCheckpoints", "order": "desc"}, {"fieldSlug": "name"}]')
    assert query.sort == (SortKey("requiredCheckpoints", Order.DESC), SortKey("name", Order.ASC))


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('[{"fieldSlug": "colour"}]', 'sortBy: unknown field "colour"'),
        ('[{"fieldSlug": "rewards"}]', 'sortBy: unknown field "rewards"'),
        ('[{"fieldSlug": "name", "order": "UP"}]', 'the order of name is ASC or DESC, not "UP"'),
        ('[{"fieldSlug": "name", "direction": "ASC"}]', "sortBy: unknown key 'direction'"),
        (
            '[{"fieldSlug": "name"}, {"fieldSlug": "name", "order": "DESC"}]',
            "sortBy names name more than once",
        ),
        ('{"fieldSlug": "name"}', "sortBy is a JSON array"),
        ('["name"]', 'sortBy holds objects {"fieldSlug", "order"}'),
        (json.dumps([{"fieldSlug": "name"}] * 11), "sortBy holds at most 10 keys"),
    ],
)
def test_a_bad_sort_is_refused_naming_what_is_wrong(value: str, said: str) -> None:
    error = refusal(sortBy=value)
    assert said in error.message and error.details[0]["field"] == "sortBy"


def test_the_total_count_is_fetched_only_when_asked() -> None:
    assert parsed(fetchTotalCount="true").fetch_total_count
    assert parsed(fetchTotalCount="TRUE").fetch_total_count
    assert parsed(fetchTotalCount="1").fetch_total_count
    assert not parsed(fetchTotalCount="false").fetch_total_count
    assert not parsed().fetch_total_count
    assert "fetchTotalCount is true or false" in refusal(fetchTotalCount="yes").message


def test_the_language_code_is_a_language_tag() -> None:
    assert parsed(languageCode="sv-SE").language_code == "sv-se"
    error = refusal(languageCode="not a tag")
    assert "languageCode" in error.message and error.details[0]["field"] == "languageCode"
