"""The segment rule grammar: JSON read into a typed tree, every refusal naming where it is.

A rule is a condition or a group: `{"and": [...]}`, `{"or": [...]}`, `{"not": rule}`. A
condition is `{"field", "op", "value"}`, with `where` (purchases), `definitionId` (points,
challenges) where the field needs it. docs/SEGMENTS.md lists every field and operator.

Pure: standard library only, so it is tested without a database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_VALUES = 1000
MAX_TEXT = 1000
MAX_DAYS = 36_600
FIRST_YEAR, LAST_YEAR = 1800, 9000

# Attributes every contact may have (Engage's names); deployments add their own.
STANDARD_ATTRIBUTES = frozenset(
    {
        "firstName",
        "lastName",
        "email",
        "mobilePhone",
        "externalId",
        "memberNumber",
        "cardId",
        "birthDay",
        "gender",
        "street",
        "zipCode",
        "city",
        "countryCode",
        "timeZone",
    }
)
PREFERENCES = frozenset({"acceptsEmail", "acceptsSms", "acceptsPostal"})
CHALLENGE_STATUSES = frozenset({"Active", "Completed", "NotCompleted"})

TEXT_OPS = frozenset(
    {"eq", "neq", "in", "contains", "exists", "notExists", "gt", "gte", "lt", "lte", "between"}
)
NUMBER_OPS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "between"})
INSTANT_OPS = frozenset({"gt", "gte", "lt", "lte", "between", "withinDays", "notWithinDays"})
CHOICE_OPS = frozenset({"eq", "neq", "in"})
STORE_OPS = frozenset({"eq", "neq", "in", "exists", "notExists"})
FLAG_OPS = frozenset({"eq", "exists", "notExists"})
LAST_PURCHASE_OPS = frozenset({"before", "after", "withinDays", "notWithinDays"})
ANY_PURCHASE_OPS = frozenset({"exists", "notExists"})
PROMOTION_OPS = frozenset({"held", "redeemed", "assigned", "notAssigned"})
PURCHASE_MEASURES = ("purchases.count", "purchases.amount", "purchases.quantity")
WHERE_KEYS = frozenset({"articleNumbers", "groups", "brands", "stores", "withinDays", "fromDate", "toDate"})


class RuleError(ValueError):
    """A rule that cannot be read: `path` names the place (`rule.and[1].op`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


Scalar = str | Decimal | bool | date | datetime
Operand = Scalar | tuple[Scalar, ...] | None


@dataclass(frozen=True)
class AttributeIs:
    name: str
    op: str
    value: Operand


@dataclass(frozen=True)
class ContactTypeIs:
    op: str
    value: Operand


@dataclass(frozen=True)
class StoreIs:
    op: str
    value: Operand


@dataclass(frozen=True)
class CreatedOn:
    op: str
    value: Operand


@dataclass(frozen=True)
class ConsentIs:
    consent: str
    op: str
    value: bool | None


@dataclass(frozen=True)
class PreferenceIs:
    preference: str
    op: str
    value: bool | None


@dataclass(frozen=True)
class PurchaseFilter:
    """Which receipt lines count: every named criterion must match; absent ones match all."""

    article_numbers: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()
    within_days: int | None = None
    from_date: date | None = None
    to_date: date | None = None

    @property
    def reads_register(self) -> bool:
        return bool(self.groups or self.brands)


@dataclass(frozen=True)
class PurchaseMeasure:
    """Receipts (count), money spent (amount) or units bought (quantity) over matching lines."""

    measure: str  # count, amount, quantity
    op: str
    value: Operand
    where: PurchaseFilter


@dataclass(frozen=True)
class AnyPurchase:
    exists: bool
    where: PurchaseFilter


@dataclass(frozen=True)
class LastPurchase:
    op: str
    value: Operand


@dataclass(frozen=True)
class PointBalance:
    definition_id: int
    op: str
    value: Operand


@dataclass(frozen=True)
class ChallengeStatus:
    definition_id: uuid.UUID
    statuses: tuple[str, ...]
    negated: bool


@dataclass(frozen=True)
class PromotionIs:
    promotion_id: uuid.UUID
    op: str


Condition = (
    AttributeIs
    | ContactTypeIs
    | StoreIs
    | CreatedOn
    | ConsentIs
    | PreferenceIs
    | PurchaseMeasure
    | AnyPurchase
    | LastPurchase
    | PointBalance
    | ChallengeStatus
    | PromotionIs
)


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class NoneOf:
    part: Rule


Rule = AllOf | AnyOf | NoneOf | Condition


# Reading values ---------------------------------------------------------------------------


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise RuleError(path, f"expected a text of 1 to {MAX_TEXT} characters")
    if "\x00" in value:
        raise RuleError(path, "a text cannot hold the NUL character")
    return value


def _in_years(found: date, path: str) -> None:
    # Far enough from year 1 and 9999 that a day's bounds in any zone are still instants.
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise RuleError(path, f"expected a date in the years {FIRST_YEAR} to {LAST_YEAR}")


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(path, "expected a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise RuleError(path, "expected a number") from exc
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        raise RuleError(path, "expected a finite number below 10^14")
    return number


def _whole(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(path, f"expected a whole number from {low} to {high}")
    return value


def _day(value: Any, path: str) -> date:
    found: date | None = None
    if isinstance(value, str) and len(value) == 10:
        try:
            found = date.fromisoformat(value)
        except ValueError:
            found = None
    if found is None:
        raise RuleError(path, "expected a date, YYYY-MM-DD")
    _in_years(found, path)
    return found


def _instant_or_day(value: Any, path: str) -> date | datetime:
    if isinstance(value, str) and len(value) > 10:
        try:
            found = datetime.fromisoformat(value)
        except ValueError as exc:
            raise RuleError(path, "expected a date (YYYY-MM-DD) or a date-time with its offset") from exc
        if found.tzinfo is None:
            raise RuleError(path, "a date-time needs its offset (Z or +01:00)")
        _in_years(found.date(), path)
        return found
    return _day(value, path)


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(path, "expected true or false")
    return value


def _guid(value: Any, path: str) -> uuid.UUID:
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise RuleError(path, "expected a GUID") from None
    raise RuleError(path, "expected a GUID")


def _texts(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > MAX_VALUES:
        raise RuleError(path, f"expected a list of 1 to {MAX_VALUES} texts")
    return tuple(_text(item, f"{path}[{index}]") for index, item in enumerate(value))


def _pair(value: Any, path: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise RuleError(path, "between takes a list of two values, [low, high]")
    return value[0], value[1]


# Reading conditions ------------------------------------------------------------------------


def _operand(op: str, raw: Any, path: str, read: Any) -> Operand:
    """The value an operator takes: none for exists, a list for in, a pair for between."""
    if op in ("exists", "notExists"):
        return None
    if op == "in":
        if not isinstance(raw, list) or not raw or len(raw) > MAX_VALUES:
            raise RuleError(path, f"in takes a list of 1 to {MAX_VALUES} values")
        return tuple(read(item, f"{path}[{index}]") for index, item in enumerate(raw))
    if op == "between":
        low, high = _pair(raw, path)
        return (read(low, f"{path}[0]"), read(high, f"{path}[1]"))
    if op in ("withinDays", "notWithinDays"):
        return Decimal(_whole(raw, path, 1, MAX_DAYS))
    return read(raw, path)  # type: ignore[no-any-return]


def _op(condition: Mapping[str, Any], path: str, allowed: frozenset[str], field: str) -> str:
    op = condition.get("op")
    if not isinstance(op, str) or op not in allowed:
        raise RuleError(
            f"{path}.op", f"unknown operator {op!r} for field {field!r}; one of {', '.join(sorted(allowed))}"
        )
    return op


def _attribute_value(value: Any, path: str) -> Scalar:
    """Attributes hold texts, numbers, booleans and dates (as text): compared as sent."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _number(value, path)
    return _text(value, path)


def _where(raw: Any, path: str) -> PurchaseFilter:
    if raw is None:
        return PurchaseFilter()
    if not isinstance(raw, dict):
        raise RuleError(path, "expected an object")
    unknown = sorted(set(raw) - WHERE_KEYS)
    if unknown:
        raise RuleError(f"{path}.{unknown[0]}", f"unknown purchase filter {unknown[0]!r}")

    def texts(key: str) -> tuple[str, ...]:
        return () if key not in raw else _texts(raw[key], f"{path}.{key}")

    found = PurchaseFilter(
        article_numbers=texts("articleNumbers"),
        groups=texts("groups"),
        brands=texts("brands"),
        stores=texts("stores"),
        within_days=None
        if "withinDays" not in raw
        else _whole(raw["withinDays"], f"{path}.withinDays", 1, MAX_DAYS),
        from_date=None if "fromDate" not in raw else _day(raw["fromDate"], f"{path}.fromDate"),
        to_date=None if "toDate" not in raw else _day(raw["toDate"], f"{path}.toDate"),
    )
    if found.from_date and found.to_date and found.to_date < found.from_date:
        raise RuleError(f"{path}.toDate", "toDate is before fromDate")
    return found


def _condition(raw: Mapping[str, Any], path: str, custom: frozenset[str]) -> Condition:
    field = raw.get("field")
    if not isinstance(field, str):
        raise RuleError(f"{path}.field", "a condition names its field")
    value = raw.get("value")
    vpath = f"{path}.value"
    if field in STANDARD_ATTRIBUTES or field in custom:
        op = _op(raw, path, TEXT_OPS, field)
        return AttributeIs(field, op, _operand(op, value, vpath, _attribute_value))
    if field == "contactType":
        op = _op(raw, path, CHOICE_OPS, field)
        return ContactTypeIs(op, _operand(op, value, vpath, _text))
    if field == "storeExternalId":
        op = _op(raw, path, STORE_OPS, field)
        return StoreIs(op, _operand(op, value, vpath, _text))
    if field == "createdOn":
        op = _op(raw, path, INSTANT_OPS, field)
        return CreatedOn(op, _operand(op, value, vpath, _instant_or_day))
    if field.startswith("consents."):
        op = _op(raw, path, FLAG_OPS, field)
        consent = _text(field.removeprefix("consents."), f"{path}.field")
        return ConsentIs(consent, op, None if op != "eq" else _flag(value, vpath))
    if field.startswith("preferences."):
        preference = field.removeprefix("preferences.")
        if preference not in PREFERENCES:
            raise RuleError(
                f"{path}.field", f"unknown field {field!r}; preferences are {', '.join(sorted(PREFERENCES))}"
            )
        op = _op(raw, path, FLAG_OPS, field)
        return PreferenceIs(preference, op, None if op != "eq" else _flag(value, vpath))
    if field in PURCHASE_MEASURES:
        op = _op(raw, path, NUMBER_OPS, field)
        where = _where(raw.get("where"), f"{path}.where")
        return PurchaseMeasure(
            field.removeprefix("purchases."), op, _operand(op, value, vpath, _number), where
        )
    if field == "purchases":
        op = _op(raw, path, ANY_PURCHASE_OPS, field)
        return AnyPurchase(op == "exists", _where(raw.get("where"), f"{path}.where"))
    if field == "purchases.last":
        op = _op(raw, path, LAST_PURCHASE_OPS, field)
        return LastPurchase(op, _operand(op, value, vpath, _instant_or_day))
    if field == "points.balance":
        op = _op(raw, path, NUMBER_OPS, field)
        definition = _whole(raw.get("definitionId"), f"{path}.definitionId", 1, 2**62)
        return PointBalance(definition, op, _operand(op, value, vpath, _number))
    if field == "challenge.status":
        op = _op(raw, path, CHOICE_OPS, field)
        definition_id = _guid(raw.get("definitionId"), f"{path}.definitionId")
        read = _operand(op, value, vpath, _text)
        statuses = read if isinstance(read, tuple) else (read,)
        for index, status in enumerate(statuses):
            if status not in CHALLENGE_STATUSES:
                at = vpath if op != "in" else f"{vpath}[{index}]"
                raise RuleError(
                    at,
                    f"unknown challenge status {status!r}; one of {', '.join(sorted(CHALLENGE_STATUSES))}",
                )
        return ChallengeStatus(definition_id, tuple(str(s) for s in statuses), negated=op == "neq")
    if field == "promotion":
        op = _op(raw, path, PROMOTION_OPS, field)
        return PromotionIs(_guid(value, vpath), op)
    raise RuleError(f"{path}.field", f"unknown field {field!r}")


@dataclass
class _Budget:
    conditions: int = 0


def _rule(raw: Any, path: str, depth: int, custom: frozenset[str], budget: _Budget) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(path, "a rule is an object: a condition, or and/or/not")
    groups = [key for key in ("and", "or", "not") if key in raw]
    if groups:
        if len(raw) != 1:
            raise RuleError(path, f"a group holds only its {groups[0]!r}")
        if depth >= MAX_DEPTH:
            raise RuleError(path, f"groups nest at most {MAX_DEPTH} deep")
        key = groups[0]
        if key == "not":
            return NoneOf(_rule(raw["not"], f"{path}.not", depth + 1, custom, budget))
        parts = raw[key]
        if not isinstance(parts, list) or not parts:
            raise RuleError(f"{path}.{key}", "expected a list of one or more rules")
        read = tuple(
            _rule(part, f"{path}.{key}[{i}]", depth + 1, custom, budget) for i, part in enumerate(parts)
        )
        return AllOf(read) if key == "and" else AnyOf(read)
    budget.conditions += 1
    if budget.conditions > MAX_CONDITIONS:
        raise RuleError(path, f"a rule holds at most {MAX_CONDITIONS} conditions")
    known = {"field", "op", "value", "where", "definitionId"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RuleError(f"{path}.{unknown[0]}", f"unknown key {unknown[0]!r} in a condition")
    return _condition(raw, path, custom)


def read_rule(raw: Any, custom_attributes: frozenset[str], path: str = "rule") -> Rule:
    """The rule as a tree; RuleError names the first place it cannot be read."""
    return _rule(raw, path, 0, custom_attributes, _Budget())
