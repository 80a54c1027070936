"""What a purchase earns under earning rules, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from patron.earning.rules import (
    ArticleFilter,
    EarningRule,
    Multiplier,
    Purchase,
    PurchaseLine,
    earned,
    months_later,
    points_left,
)

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def rule(position: int = 0, **fields: object) -> EarningRule:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "name": f"rule {position}",
        "definition_id": 1,
        "position": position,
        "created_on": CREATED,
        "points_per_unit": Decimal(1),
        "article_filter": ArticleFilter(),
        "stores": frozenset(),
        "multiplier": None,
        "minimum_receipt_total": None,
        "pending_days": None,
        "expiry_months": None,
    }
    values.update(fields)
    return EarningRule(**values)  # type: ignore[arg-type]


def purchase(
    *totals: str, day: date = date(2026, 3, 2), store: str = "S-1", group: str | None = None
) -> Purchase:
    lines = tuple(
        PurchaseLine(position, f"A-{position}", None, group, None, Decimal(total))
        for position, total in enumerate(totals)
    )
    return Purchase(store, day, sum((line.total for line in lines), Decimal(0)), lines)


def test_each_line_is_rounded_down_on_its_own() -> None:
    found = earned([rule()], purchase("10.9", "10.9"))
    assert [e.points for e in found] == [Decimal(10), Decimal(10)]


def test_rules_earn_in_their_order_each_on_its_own() -> None:
    second, first = rule(position=2), rule(position=1, points_per_unit=Decimal(2))
    found = earned([second, first], purchase("5"))
    assert [(e.rule.id, e.points) for e in found] == [(first.id, Decimal(10)), (second.id, Decimal(5))]


def test_the_weekend_multiplier_applies_on_saturday_and_sunday_only() -> None:
    weekend = rule(multiplier=Multiplier(Decimal(2), weekdays=frozenset({6, 7})))
    assert earned([weekend], purchase("10", day=date(2026, 3, 7)))[0].points == 20  # Saturday
    assert earned([weekend], purchase("10", day=date(2026, 3, 9)))[0].points == 10  # Monday


def test_a_date_range_multiplier_includes_both_ends() -> None:
    december = rule(multiplier=Multiplier(Decimal(3), starts=date(2026, 12, 1), ends=date(2026, 12, 24)))
    points = [
        earned([december], purchase("1", day=d))[0].points
        for d in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 24), date(2026, 12, 25))
    ]
    assert points == [1, 3, 3, 1]


def test_stores_minimum_total_and_article_filter_are_all_required() -> None:
    picky = rule(
        stores=frozenset({"S-2"}),
        minimum_receipt_total=Decimal(100),
        article_filter=ArticleFilter(groups=frozenset({"Dog food"})),
    )
    assert earned([picky], purchase("150", store="S-2", group="Dog food"))
    assert not earned([picky], purchase("150", store="S-1", group="Dog food"))
    assert not earned([picky], purchase("99", store="S-2", group="Dog food"))
    assert not earned([picky], purchase("150", store="S-2", group="Cat food"))


def test_a_line_worth_less_than_a_point_earns_nothing() -> None:
    assert earned([rule()], purchase("0.99")) == []


@given(
    points=st.integers(0, 10_000),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10_000), places=2),
    parts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=2), min_size=1, max_size=6
    ),
)
def test_returning_a_line_in_parts_never_takes_more_than_it_earned(
    points: int, amount: Decimal, parts: list[Decimal]
) -> None:
    earned_points = Decimal(points)
    returned = Decimal(0)
    kept = earned_points
    for part in parts:
        returned = min(amount, returned + amount * part)
        now_kept = points_left(earned_points, amount, returned)
        assert Decimal(0) <= now_kept <= kept
        kept = now_kept
    if returned >= amount:
        assert kept == 0


def test_expiry_months_later_keeps_the_local_time_and_clamps_to_the_months_end() -> None:
    zone = ZoneInfo("Europe/Stockholm")
    bought = datetime(2026, 1, 31, 22, 30, tzinfo=UTC)  # 23:30 on the 31st in Stockholm
    later = months_later(bought, 1, zone)
    assert later.astimezone(zone).replace(tzinfo=None) == datetime(2026, 2, 28, 23, 30)
    # Across the change to summer time the local time stays 23:30.
    assert months_later(bought, 3, zone).astimezone(zone).replace(tzinfo=None) == datetime(
        2026, 4, 30, 23, 30
    )
