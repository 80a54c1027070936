"""Point transactions on a contact's point accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from patron_client.models.wire_model import CamelModel


class PointTransaction(CamelModel):
    """Points added (positive amount) or taken (negative) on the contact's account of a
    definition. A row that would take the balance below zero is not accepted."""

    contact_id: str
    definition_id: int
    amount: Decimal
    time_stamp: dt.datetime | None = None
    source: str | None = None
    description: str | None = None
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


class PointTransactionsResult(CamelModel):
    not_accepted: list[PointTransaction]
    error_messages: list[str]
    missing_definition_ids: list[int]
    missing_contact_ids: list[str]
