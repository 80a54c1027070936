"""The `filters` of a record list, read into a tree of typed conditions.

`filters` is one condition `{"field", "op", "value"}` or a group `{"and": [...]}` /
`{"or": [...]}` of conditions and groups. An empty `and` matches every record, an empty `or`
none. Which operators a field takes depends on its kind:

| kind | operators |
|---|---|
| text | eq, neq, lt, lte, gt, gte, in, contains (case-insensitive for A-Z, `%` and `_` literal) |
| number, instant | eq, neq, lt, lte, gt, gte, in |
| choice, id, boolean | eq, neq, in |

`in` takes a non-empty JSON array. `neq` keeps records that hold no value at all; every other
operator leaves them out.

The work one request can ask for is bounded: a condition sits inside at most MAX_DEPTH
groups, a filter holds at most MAX_CONDITIONS conditions, and at most MAX_VALUES values in all
(each `in` element counts one), which keeps a statement far below the 32 767 parameters either
database takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias

from patron.errors import PatronError
from patron.records.bad_query import bad_query
from patron.records.fields import FieldKind, RecordFields
from patron.records.values import Scalar, read_value, shown

MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_VALUES = 1000


class Operator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    CONTAINS = "contains"


ORDERED = frozenset({Operator.LT, Operator.LTE, Operator.GT, Operator.GTE})
_EQUALITY = frozenset({Operator.EQ, Operator.NEQ, Operator.IN})
OPERATORS_OF: Mapping[FieldKind, frozenset[Operator]] = MappingProxyType(
    {
        FieldKind.TEXT: frozenset(Operator),
        FieldKind.NUMBER: _EQUALITY | ORDERED,
        FieldKind.INSTANT: _EQUALITY | ORDERED,
        # Their order means nothing to a retailer (a status, an id, a flag).
        FieldKind.CHOICE: _EQUALITY,
        FieldKind.ID: _EQUALITY,
        FieldKind.BOOLEAN: _EQUALITY,
    }
)


@dataclass(frozen=True)
class Condition:
    """`field op value`; `values` holds the one value, or an `in`'s several."""

    field: str
    op: Operator
    values: tuple[Scalar, ...]

    @property
    def value(self) -> Scalar:
        return self.values[0]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Filter, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Filter, ...]


Filter: TypeAlias = Condition | AllOf | AnyOf

_CONDITION_KEYS = frozenset({"field", "op", "value"})
_OPERATOR_NAMES = frozenset(op.value for op in Operator)


def _refused(message: str) -> PatronError:
    return bad_query("filters", f"filters: {message}")


@dataclass
class _Budget:
    """What is left of the bounds while one filter is read (lives for that one call)."""

    conditions: int = MAX_CONDITIONS
    values: int = MAX_VALUES

    def spend(self, values: int) -> None:
        self.conditions -= 1
        self.values -= values
        if self.conditions < 0:
            raise _refused(f"a filter holds at most {MAX_CONDITIONS} conditions.")
        if self.values < 0:
            raise _refused(f"a filter holds at most {MAX_VALUES} values in all.")


def _condition(node: Mapping[str, object], fields: RecordFields, budget: _Budget) -> Condition:
    extra = sorted(set(node) - _CONDITION_KEYS)
    if extra:
        raise _refused(f"unknown key {extra[0]!r} in a condition (a condition is {{field, op, value}}).")
    name = node.get("field")
    if not isinstance(name, str) or name not in fields:
        known = ", ".join(sorted(fields))
        raise _refused(f"unknown field {shown(name)} (known: {known}).")
    op_name = node.get("op")
    if not isinstance(op_name, str) or op_name not in _OPERATOR_NAMES:
        known = ", ".join(sorted(_OPERATOR_NAMES))
        raise _refused(f"unknown operator {shown(op_name)} on {name} (known: {known}).")
    op = Operator(op_name)
    field = fields[name]
    allowed = OPERATORS_OF[field.kind]
    if op not in allowed:
        usable = ", ".join(sorted(allowed))
        raise _refused(f"{op} does not apply to {name}, a {field.kind} field (use {usable}).")
    if "value" not in node:
        raise _refused(f"the condition {name} {op} has no value.")
    raw = node["value"]
    if op is Operator.IN:
        if not isinstance(raw, list) or not raw:
            raise _refused(f"{name} in takes a non-empty JSON array, not {shown(raw)}.")
        budget.spend(len(raw))
        return Condition(name, op, tuple(read_value(field, one) for one in raw))
    budget.spend(1)
    return Condition(name, op, (read_value(field, raw),))


def _node(node: object, fields: RecordFields, groups: int, budget: _Budget) -> Filter:
    if not isinstance(node, dict):
        raise _refused(f'a condition is an object {{"field", "op", "value"}}, not {shown(node)}.')
    for joint, group in (("and", AllOf), ("or", AnyOf)):
        if joint not in node:
            continue
        parts = node[joint]
        if len(node) != 1 or not isinstance(parts, list):
            raise _refused(f'"{joint}" takes a JSON array of conditions, alone in its object.')
        if groups == MAX_DEPTH:
            raise _refused(f"groups nest at most {MAX_DEPTH} deep.")
        return group(tuple(_node(part, fields, groups + 1, budget) for part in parts))
    return _condition(node, fields, budget)


def read_filters(raw: object, fields: RecordFields) -> Filter:
    """The tree `raw` (the parsed JSON of `filters`) describes, each value read for its field."""
    return _node(raw, fields, 0, _Budget())
