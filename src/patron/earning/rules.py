"""What a purchase earns under earning rules (pure: standard library only).

Each rule earns on its own, in the order of `position` (then creation): a line earns
`floor(line total x points per unit x multiplier)` under every rule whose article filter and
stores it matches, on a receipt that reaches the rule's minimum total. Rounding is per line, so
a returned line takes back exactly what it earned.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ArticleFilter:
    """Every criterion that names values must match one of them; an empty filter matches all."""

    article_numbers: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()

    @property
    def reads_register(self) -> bool:
        """Groups and brands are the article register's to say; numbers are on the line."""
        return bool(self.groups or self.brands)

    def matches(self, line: PurchaseLine) -> bool:
        if self.article_numbers and not ({line.article_number, line.sku} & self.article_numbers):
            return False
        if self.groups and line.article_group not in self.groups:
            return False
        return not (self.brands and line.brand not in self.brands)


@dataclass(frozen=True)
class Multiplier:
    """A factor on the purchase's local day: within [starts, ends] (each optional) and on one
    of `weekdays` (ISO 1 Monday .. 7 Sunday; empty is every day)."""

    factor: Decimal
    starts: date | None = None
    ends: date | None = None
    weekdays: frozenset[int] = frozenset()

    def applies_on(self, day: date) -> bool:
        if self.starts is not None and day < self.starts:
            return False
        if self.ends is not None and day > self.ends:
            return False
        return not (self.weekdays and day.isoweekday() not in self.weekdays)


@dataclass(frozen=True)
class EarningRule:
    id: uuid.UUID
    name: str
    definition_id: int
    position: int
    created_on: datetime
    points_per_unit: Decimal
    article_filter: ArticleFilter
    stores: frozenset[str]
    multiplier: Multiplier | None
    minimum_receipt_total: Decimal | None
    pending_days: int | None
    expiry_months: int | None

    def applies_to(self, purchase: Purchase) -> bool:
        if self.stores and purchase.store_external_id not in self.stores:
            return False
        return self.minimum_receipt_total is None or purchase.total >= self.minimum_receipt_total

    def rate_on(self, day: date) -> Decimal:
        if self.multiplier is not None and self.multiplier.applies_on(day):
            return self.points_per_unit * self.multiplier.factor
        return self.points_per_unit


@dataclass(frozen=True)
class PurchaseLine:
    position: int
    article_number: str
    sku: str | None
    article_group: str | None
    brand: str | None
    total: Decimal


@dataclass(frozen=True)
class Purchase:
    store_external_id: str
    day: date  # the purchase's day in the deployment's zone
    total: Decimal
    lines: tuple[PurchaseLine, ...]


@dataclass(frozen=True)
class LineEarning:
    rule: EarningRule
    line: PurchaseLine
    points: Decimal


def in_order(rules: Iterable[EarningRule]) -> list[EarningRule]:
    return sorted(rules, key=lambda rule: (rule.position, rule.created_on, str(rule.id)))


def whole_points(amount: Decimal) -> Decimal:
    return amount.to_integral_value(rounding=ROUND_FLOOR)


def earned(rules: Sequence[EarningRule], purchase: Purchase) -> list[LineEarning]:
    """Every (rule, line) that earns a point or more, rules in their order, lines in theirs."""
    found: list[LineEarning] = []
    for rule in in_order(rules):
        if not rule.applies_to(purchase):
            continue
        rate = rule.rate_on(purchase.day)
        for line in purchase.lines:
            if line.total <= 0 or not rule.article_filter.matches(line):
                continue
            points = whole_points(line.total * rate)
            if points > 0:
                found.append(LineEarning(rule, line, points))
    return found


def points_left(points: Decimal, line_amount: Decimal, returned: Decimal) -> Decimal:
    """What a line keeps of the points it earned once `returned` of its amount came back:
    in proportion, rounded down, so returning all of it leaves nothing."""
    if line_amount <= 0 or returned >= line_amount:
        return Decimal(0)
    return whole_points(points * (line_amount - returned) / line_amount)


def months_later(instant: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The same local time `months` calendar months on (the 31st becomes the month's last day)."""
    local = instant.astimezone(zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(instant.tzinfo)


def pending_until(instant: datetime, days: int) -> datetime:
    return instant + timedelta(days=days)
