"""How the console writes numbers, money and instants for a person: the Jinja filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any


def amount(value: Decimal | int | float | None) -> str:
    """1234.5 -> "1 234.50": grouped, two places, as a receipt shows it."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.2f}".replace(",", "\u202f")


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", "\u202f")


def instant(value: datetime | str | None) -> str:
    """An instant to the minute; the API's local ISO strings pass through shortened."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value[:16].replace("T", " ")
    return value.strftime("%Y-%m-%d %H:%M")


def day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def percent(part: Decimal | float | int | None, whole: Decimal | float | int | None) -> int:
    """A progress bar's width, 0 to 100."""
    if not part or not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


FILTERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {"amount": amount, "count": count, "instant": instant, "day": day}
)
FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType({"percent": percent})
