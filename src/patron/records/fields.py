"""What a record list may be filtered and sorted by: each field's wire name, the column it
reads and the kind of value it holds, plus the order a list falls back on.

A resource declares its fields once, at import, e.g.

    LOG_FIELDS = RecordFields(
        (
            RecordField("id", RecordLog.id, FieldKind.ID),
            RecordField("activityAt", RecordLog.activity_at, FieldKind.INSTANT),
            RecordField("activityValue", RecordLog.activity_value, FieldKind.NUMBER),
        ),
        default_sort=(SortKey("activityAt", Order.DESC),),
        tie_breaker=RecordLog.id,
    )

A field whose column cannot hold its kind is refused there and then (ValueError), so a
mistake shows when the application starts, not in a customer's request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeAlias

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    Numeric,
    SmallInteger,
    String,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeEngine

# A mapped attribute (`RecordLog.activity_at`) or any column expression.
Queryable: TypeAlias = QueryableAttribute[Any] | ColumnElement[Any]


class FieldKind(StrEnum):
    """How a JSON value in a filter is read for a field."""

    TEXT = "text"
    NUMBER = "number"  # a JSON number (or a decimal string), exact, never a boolean
    INSTANT = "instant"  # ISO 8601 with an offset, or epoch seconds
    CHOICE = "choice"  # one of the field's `choices`
    ID = "id"  # a UUID
    BOOLEAN = "boolean"


class Order(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class SortKey:
    field: str
    order: Order = Order.ASC


@dataclass(frozen=True)
class NumberGrid:
    """The numbers a column holds: multiples of 10**-places, at most `largest` either way."""

    places: int
    largest: Decimal


def expression_of(column: Queryable) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def _number_grid(column_type: TypeEngine[Any]) -> NumberGrid | None:
    """The grid of an integer or fixed-point column; None for any other (floats among them,
    whose comparisons are not exact on both databases)."""
    base = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(base, SmallInteger):
        return NumberGrid(0, Decimal(2**15 - 1))
    if isinstance(base, BigInteger):
        return NumberGrid(0, Decimal(2**63 - 1))
    if isinstance(base, Integer):
        return NumberGrid(0, Decimal(2**31 - 1))
    if isinstance(base, Numeric) and base.asdecimal and base.precision and base.scale is not None:
        step = Decimal(1).scaleb(-base.scale)
        return NumberGrid(base.scale, Decimal(10) ** (base.precision - base.scale) - step)
    return None


# The column types each kind may read; a TypeDecorator counts as the type it stores.
_COLUMN_TYPES: Mapping[FieldKind, tuple[type[TypeEngine[Any]], ...]] = MappingProxyType(
    {
        FieldKind.TEXT: (String,),
        FieldKind.CHOICE: (String,),
        FieldKind.INSTANT: (DateTime,),
        FieldKind.ID: (Uuid,),
        FieldKind.BOOLEAN: (Boolean,),
    }
)


@dataclass(frozen=True)
class RecordField:
    """`name` as the wire spells it (`activityAt`), the column it reads, and its kind.
    A CHOICE field lists the values it may hold, as they are stored."""

    name: str
    column: Queryable
    kind: FieldKind
    choices: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        column_type = expression_of(self.column).type
        stored = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
        if self.kind is FieldKind.NUMBER:
            if _number_grid(column_type) is None:
                raise ValueError(f"{self.name}: number fields read integer or NUMERIC(p, s) columns")
        elif not isinstance(stored, _COLUMN_TYPES[self.kind]):
            raise ValueError(f"{self.name}: {self.kind.value} fields cannot read a {stored!r} column")
        if (self.kind is FieldKind.CHOICE) != bool(self.choices):
            raise ValueError(f"{self.name}: choices belong to (and are required by) a choice field")

    @property
    def grid(self) -> NumberGrid:
        """The numbers a NUMBER field's column holds."""
        grid = _number_grid(expression_of(self.column).type)
        if grid is None:
            raise ValueError(f"{self.name} is not a number field")
        return grid

    @property
    def nullable(self) -> bool:
        """Whether the column may be NULL; an expression that is not a plain column may."""
        expression = expression_of(self.column)
        return not isinstance(expression, Column) or bool(expression.nullable)


@dataclass(frozen=True, eq=False)
class RecordFields(Mapping[str, RecordField]):
    """The queryable fields of one resource, by name, with the order a list takes when none
    is asked for (`default_sort`, which also settles ties in the order asked for) and a unique
    column (`tie_breaker`, usually the id) that settles the rest, so pages never overlap.

    `shown`: the other names a rendered record carries (display fields, nested records), so
    `fields` may ask for them although nobody may filter or sort on them."""

    fields: tuple[RecordField, ...]
    tie_breaker: Queryable
    default_sort: tuple[SortKey, ...] = ()
    shown: frozenset[str] = frozenset()
    _by_name: Mapping[str, RecordField] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_name = {one.name: one for one in self.fields}
        if len(by_name) != len(self.fields):
            raise ValueError("two record fields share a name")
        unknown = [key.field for key in self.default_sort if key.field not in by_name]
        if unknown:
            raise ValueError(f"the default sort names unknown fields: {', '.join(unknown)}")
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def __getitem__(self, name: str) -> RecordField:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def returnable(self) -> frozenset[str]:
        """The names `fields` may ask for: every queryable field, `id`, and `shown`."""
        return frozenset(self._by_name) | self.shown | {"id"}
