"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from asyncpg.pgproto.pgproto import UUID as _DriverUUID
from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Numeric, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite has no zone, so it is stored as naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SCALE = 4
_UNITS = Decimal(10) ** SCALE


class Money(TypeDecorator[Decimal]):
    """Money and point amounts: NUMERIC(18, 4) on PostgreSQL, never float.

    SQLite has no exact decimal type (NUMERIC there is a float), so amounts are kept as
    integers of 1/10 000 and SUM() stays exact.
    """

    impl = Numeric(18, SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value)
        if dialect.name == "sqlite":
            return int((amount * _UNITS).to_integral_value())
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-SCALE)
        return value if isinstance(value, Decimal) else Decimal(str(value))


# SQLite's SUM of 64-bit integers overflows past 9.2 * 10^18 units (9.2 * 10^14 of money),
# which accepted rows can reach. It is split into a high and a low part, each summed within
# 64 bits for billions of rows (SQLite's integer division and remainder truncate towards
# zero, so x == x / SPLIT * SPLIT + x % SPLIT), and the parts are joined here, in Python's
# unbounded integers.
_SPLIT = 10**9


class MoneySum(TypeDecorator[Decimal]):
    """The result of `money_sum`: PostgreSQL's numeric SUM as it is, SQLite's two parts joined."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        # The parts arrive as text, which SQLite's Numeric would turn into a float.
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            high, low = (int(part) for part in str(value).split(":"))
            return Decimal(high * _SPLIT + low).scaleb(-SCALE)
        return value if isinstance(value, Decimal) else Decimal(str(value))


class money_sum(FunctionElement[Decimal]):
    """SUM of a Money column or expression, exact however many rows and however large."""

    type = MoneySum()
    name = "money_sum"
    inherit_cache = True


@compiles(money_sum)
def _money_sum(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    return f"sum({compiler.process(element.clauses, **kw)})"


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element: money_sum, compiler: SQLCompiler, **kw: Any) -> str:
    amount = compiler.process(element.clauses, **kw)
    high = f"CAST(sum(({amount}) / {_SPLIT}) AS TEXT)"
    low = f"CAST(sum(({amount}) % {_SPLIT}) AS TEXT)"
    return f"({high} || ':' || {low})"


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


def driver_uuid(value: uuid.UUID) -> uuid.UUID:
    """The same id as the PostgreSQL driver's own UUID type (a `uuid.UUID`, equal and hashing
    alike): its hash is computed once, in C, and the driver sends it without converting it.
    For ids a request hashes and sends thousands of times, such as a checkpoint batch's."""
    converted: uuid.UUID = _DriverUUID(value.bytes)
    return converted
