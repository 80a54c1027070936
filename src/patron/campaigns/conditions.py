"""What an event's metadata says to an action: the number a sum adds, and whether the
action's conditions hold (pure: standard library only).

Integrations send numbers as JSON numbers or as numeric strings ("250", "19.90") alike, so a
numeric string counts as the number it spells everywhere a number is compared or added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Operator(StrEnum):
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EQ = "eq"
    BETWEEN = "between"
    CONTAINS = "contains"


@dataclass(frozen=True, slots=True)
class Condition:
    property: str
    op: Operator
    # A number, a string, a boolean; `between` takes [low, high], both included.
    value: Any


def number_of(value: Any) -> Decimal | None:
    """The number a metadata value spells, or None (booleans are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        try:
            found = Decimal(value.strip())
        except InvalidOperation:
            return None
        return found if found.is_finite() else None
    return None


def lookup(metadata: Mapping[str, Any], path: str) -> Any:
    """A property of the metadata; `a.b` reads `b` inside the object `a`."""
    found: Any = metadata
    for part in path.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def _ordered(op: Operator, actual: Decimal, wanted: Decimal) -> bool:
    if op is Operator.GT:
        return actual > wanted
    if op is Operator.GTE:
        return actual >= wanted
    if op is Operator.LT:
        return actual < wanted
    return actual <= wanted


def holds(condition: Condition, metadata: Mapping[str, Any]) -> bool:
    actual = lookup(metadata, condition.property)
    if actual is None:
        return False
    op, wanted = condition.op, condition.value
    if op is Operator.CONTAINS:
        if isinstance(actual, str):
            return str(wanted) in actual
        if isinstance(actual, list):
            return any(item == wanted or str(item) == str(wanted) for item in actual)
        return False
    if op is Operator.EQ:
        left, right = number_of(actual), number_of(wanted)
        if left is not None and right is not None:
            return left == right
        return bool(actual == wanted)
    if op is Operator.BETWEEN:
        number = number_of(actual)
        low, high = (number_of(bound) for bound in wanted)
        return number is not None and low is not None and high is not None and low <= number <= high
    number, bound = number_of(actual), number_of(wanted)
    return number is not None and bound is not None and _ordered(op, number, bound)


def all_hold(conditions: Sequence[Condition], metadata: Mapping[str, Any]) -> bool:
    return all(holds(condition, metadata) for condition in conditions)
