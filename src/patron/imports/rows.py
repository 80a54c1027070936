"""One imported row through the service of its API call: the same validation, the same
idempotency (a receipt by uniqueReceiptId, a contact by its unique keys), the same events."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ActivityBus
from patron.contacts import service as contacts
from patron.contacts.schemas import ContactFields
from patron.contacts.service import ContactRules
from patron.errors import PatronError
from patron.imports.xml_format import ImportKind
from patron.promotions import service as promotions
from patron.promotions.schemas import RedeemRequest
from patron.receipts import service as receipts
from patron.receipts.schemas import ReceiptIn


@dataclass(frozen=True)
class RowServices:
    """What the services of imported rows are called with, from the composition root."""

    rules: ContactRules
    zone: ZoneInfo
    bus: ActivityBus


@dataclass(frozen=True)
class RowFailure:
    """Why a row was not applied, as the API would have answered it."""

    key: str
    message: str


@dataclass(frozen=True)
class AppliedReceipt:
    receipt_id: uuid.UUID
    # Stored before (the same receipt sent again): nothing changed.
    replayed: bool


def failure_of(exc: ValidationError | PatronError) -> RowFailure:
    """The error key and message the API's error envelope would carry."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "row"
        return RowFailure("BadRequest", f"{field}: {first['msg']}")
    return RowFailure(exc.key, exc.message)


async def apply_contact(session: AsyncSession, fields: Mapping[str, Any], services: RowServices) -> None:
    await contacts.upsert(session, ContactFields.model_validate(fields), services.rules)


async def apply_receipt(
    session: AsyncSession, fields: Mapping[str, Any], services: RowServices
) -> AppliedReceipt:
    recorded = await receipts.record(
        session, ReceiptIn.model_validate(fields), services.rules, services.zone, services.bus
    )
    return AppliedReceipt(recorded.stored.receipt.id, recorded.replayed)


async def apply_redemption(session: AsyncSession, fields: Mapping[str, Any], services: RowServices) -> None:
    # The API takes the assignment's id from its path and the rest from its body.
    body = RedeemRequest.model_validate(
        {name: value for name, value in fields.items() if name != "assignmentId"}
    )
    assignment_id = fields.get("assignmentId")
    await promotions.redeem(session, assignment_id if isinstance(assignment_id, str) else "", body)


async def apply(
    session: AsyncSession, kind: ImportKind, fields: Mapping[str, Any], services: RowServices
) -> None:
    if kind is ImportKind.CONTACTS:
        await apply_contact(session, fields, services)
    elif kind is ImportKind.RECEIPTS:
        await apply_receipt(session, fields, services)
    else:
        await apply_redemption(session, fields, services)
