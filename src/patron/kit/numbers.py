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
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer

# Magnitudes below this fit NUMERIC(18, 4) (and, on SQLite, 64-bit integers of 1/10 000).
AMOUNT_LIMIT = Decimal(10) ** 14


def not_a_boolean(value: object) -> object:
    """Refuses booleans where a number is meant; pydantic's lax mode would take `true` as 1."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


def described_as_a_number(schema: dict[str, Any]) -> None:
    """The OpenAPI description of a decimal (`json_schema_extra`): a number with its bounds.
    Numeric strings are taken too (as said above) but not described, since a pattern cannot
    say a string's bounds; nor is `multipleOf: 0.0001`, which a double cannot meet exactly
    (3 * 0.0001 is 0.00030000000000000003), so the decimals are said in words."""
    for form in schema.pop("anyOf", ()):
        if form.get("type") == "number":
            schema.update(form)


# Where a number is meant, never a boolean. Placed after a field's bounds (Field(ge=...)),
# so that the bounds stay in the OpenAPI description: placed before, pydantic cannot show them.
NotBoolean = BeforeValidator(not_a_boolean)
# A decimal's form on the wire: finite, at most 4 decimals, described as a number. A field's
# bounds follow it: Annotated[Decimal4, Field(ge=0, le=100), NotBoolean, AS_NUMBER].
Decimal4 = Annotated[
    Decimal,
    Field(
        decimal_places=4,
        allow_inf_nan=False,
        json_schema_extra=described_as_a_number,
        description="A number with at most 4 decimals.",
    ),
]
# Rendered as a JSON number.
AS_NUMBER = PlainSerializer(float, return_type=float, when_used="json")

# An amount in: money, a quantity, a tax; less than 10^14 either way.
Amount = Annotated[Decimal4, Field(gt=-AMOUNT_LIMIT, lt=AMOUNT_LIMIT), NotBoolean, AS_NUMBER]

# An amount that must be more than 0: a reward's points, a threshold.
PositiveAmount = Annotated[Decimal4, Field(gt=0, lt=AMOUNT_LIMIT), NotBoolean, AS_NUMBER]

# A sum out: exact inside, a JSON number on the wire, however large the rows made it.
Total = Annotated[Decimal, AS_NUMBER]
