"""Numbers on the wire, in the bounds storage and rendering hold.

Every amount Patron takes (money, quantities, points) fits NUMERIC(18, 4): less than 10^14
in magnitude, at most 4 decimals. Sums of accepted amounts (a contact's purchase total, a
point account's balance) are not bounded by any one row, so they are rendered as `Total`,
which has no bound of its own; the database sums them exactly (`db.types.MoneySum`).

The Engage dialect takes a number as a JSON number or as a numeric string, as its clients
send them, but never as a boolean: `true` is not 1.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer

# Magnitudes below this fit NUMERIC(18, 4) (and, on SQLite, 64-bit integers of 1/10 000).
AMOUNT_LIMIT = Decimal(10) ** 14


def not_a_boolean(value: object) -> object:
    """Refuses booleans where a number is meant; pydantic's lax mode would take `true` as 1."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


# An integer: a JSON integer or a numeric string, never a boolean.
Whole = Annotated[int, BeforeValidator(not_a_boolean)]

# An amount in: finite, at most 4 decimals, less than 10^14 either way. Its bounds are in the
# OpenAPI description, so clients (and the fuzzer) see them.
Amount = Annotated[
    Decimal,
    BeforeValidator(not_a_boolean),
    Field(gt=-AMOUNT_LIMIT, lt=AMOUNT_LIMIT, decimal_places=4, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
]

# A sum out: exact inside, a JSON number on the wire, however large the rows made it.
Total = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
