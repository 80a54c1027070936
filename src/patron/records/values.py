"""Reading one JSON value of a filter as the kind of its field says, or a 400 naming the field.

Numbers are exact (`Decimal`, never a float, never a boolean) and within what the column can
hold; instants carry an offset (or are epoch seconds) and lie in Patron's accepted range
(`kit/instants.py`); text may not hold what neither database stores (NUL, lone surrogates).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from patron.errors import PatronError
from patron.kit.instants import EARLIEST, LATEST, in_range
from patron.records.bad_query import bad_query
from patron.records.fields import FieldKind, RecordField

# A value a condition compares with, as the column holds it.
Scalar: TypeAlias = str | Decimal | datetime | uuid.UUID | bool

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = Decimal("0.000001")
_EARLIEST_SECONDS = Decimal((EARLIEST - _EPOCH) // timedelta(microseconds=1)).scaleb(-6)
_LATEST_SECONDS = Decimal((LATEST - _EPOCH) // timedelta(microseconds=1)).scaleb(-6)


def shown(value: object) -> str:
    """A value as the client sent it, cut short, for an error message."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _wrong(field: RecordField, value: object, wanted: str) -> PatronError:
    return bad_query("filters", f"filters: {field.name} takes {wanted}, not {shown(value)}.")


def _text(field: RecordField, value: object) -> str:
    if not isinstance(value, str):
        raise _wrong(field, value, "a string")
    if "\x00" in value:
        raise _wrong(field, value, "a string without NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _wrong(field, value, "a string of whole characters (no lone surrogates)") from None
    return value


def _number(field: RecordField, value: object) -> Decimal:
    if isinstance(value, bool):
        raise _wrong(field, value, "a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and _DECIMAL.fullmatch(value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise _wrong(field, value, "a number") from None
    else:
        raise _wrong(field, value, "a number")
    largest = field.grid.largest
    if not number.is_finite() or abs(number) > largest:
        raise _wrong(field, value, f"a number from -{largest} to {largest}")
    return number


def _instant(field: RecordField, value: object) -> datetime:
    wanted = "an ISO 8601 date-time with an offset, or epoch seconds"
    if isinstance(value, bool):
        raise _wrong(field, value, wanted)
    if isinstance(value, int | Decimal):
        seconds = Decimal(value)
        if not seconds.is_finite() or not _EARLIEST_SECONDS <= seconds <= _LATEST_SECONDS:
            raise _wrong(field, value, f"an instant from {EARLIEST.date()} to {LATEST.date()} (UTC)")
        micros = int(seconds.quantize(_MICROSECOND).scaleb(6))
        return _EPOCH + timedelta(microseconds=micros)
    if not isinstance(value, str):
        raise _wrong(field, value, wanted)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise _wrong(field, value, wanted) from None
    if instant.tzinfo is None:
        raise _wrong(field, value, "a date-time with an offset (such as Z or +01:00)")
    try:
        return in_range(instant)
    except ValueError:
        raise _wrong(field, value, f"an instant from {EARLIEST.date()} to {LATEST.date()} (UTC)") from None


def _choice(field: RecordField, value: object) -> str:
    if not isinstance(value, str) or value not in field.choices:
        raise _wrong(field, value, f"one of {', '.join(sorted(field.choices))}")
    return value


def _id(field: RecordField, value: object) -> uuid.UUID:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # not a UUID: refused below, as any other value
            return uuid.UUID(value)
    raise _wrong(field, value, "a UUID")


def _boolean(field: RecordField, value: object) -> bool:
    if not isinstance(value, bool):
        raise _wrong(field, value, "true or false")
    return value


def read_value(field: RecordField, value: object) -> Scalar:
    """`value` (as `json.loads(..., parse_float=Decimal)` gives it) read for `field`."""
    if field.kind is FieldKind.TEXT:
        return _text(field, value)
    if field.kind is FieldKind.NUMBER:
        return _number(field, value)
    if field.kind is FieldKind.INSTANT:
        return _instant(field, value)
    if field.kind is FieldKind.CHOICE:
        return _choice(field, value)
    if field.kind is FieldKind.ID:
        return _id(field, value)
    return _boolean(field, value)
