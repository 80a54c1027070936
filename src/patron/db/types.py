"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from asyncpg.pgproto.pgproto import UUID as _DriverUUID
from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Numeric, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB


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


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


def driver_uuid(value: uuid.UUID) -> uuid.UUID:
    """The same id as the PostgreSQL driver's own UUID type (a `uuid.UUID`, equal and hashing
    alike): its hash is computed once, in C, and the driver sends it without converting it.
    For ids a request hashes and sends thousands of times, such as a checkpoint batch's."""
    converted: uuid.UUID = _DriverUUID(value.bytes)
    return converted
