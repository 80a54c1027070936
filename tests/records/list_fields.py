"""A resource to try the list query on: challenge definitions hold a column of every kind a
record field reads (text, integers, money, a flag, a zone name, instants, ids, NULLs)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import ChallengeDefinition
from patron.records.fields import FieldKind, Order, RecordField, RecordFields, SortKey

ZONES = frozenset({"UTC", "Europe/Stockholm", "America/New_York"})
FIELDS = RecordFields(
    (
        RecordField("id", ChallengeDefinition.id, FieldKind.ID),
        RecordField("name", ChallengeDefinition.name, FieldKind.TEXT),
        RecordField("description", ChallengeDefinition.description, FieldKind.TEXT),
        RecordField("requiredCheckpoints", ChallengeDefinition.required_checkpoints, FieldKind.NUMBER),
        RecordField("expirationMonths", ChallengeDefinition.expiration_months, FieldKind.NUMBER),
        RecordField("assignOnAmount", ChallengeDefinition.assign_on_amount, FieldKind.NUMBER),
        RecordField("consentRequired", ChallengeDefinition.consent_required, FieldKind.BOOLEAN),
        RecordField("timeZone", ChallengeDefinition.time_zone, FieldKind.CHOICE, ZONES),
        RecordField("scheduledFrom", ChallengeDefinition.scheduled_from, FieldKind.INSTANT),
        RecordField("createdOn", ChallengeDefinition.created_on, FieldKind.INSTANT),
    ),
    tie_breaker=ChallengeDefinition.id,
    default_sort=(SortKey("createdOn", Order.DESC),),
    shown=frozenset({"rewards"}),
)
# Which attribute of a stored row each field reads.
ATTRIBUTES = MappingProxyType(
    {
        "id": "id",
        "name": "name",
        "description": "description",
        "requiredCheckpoints": "required_checkpoints",
        "expirationMonths": "expiration_months",
        "assignOnAmount": "assign_on_amount",
        "consentRequired": "consent_required",
        "timeZone": "time_zone",
        "scheduledFrom": "scheduled_from",
        "createdOn": "created_on",
    }
)
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def definition(
    name: str = "Ten visits",
    *,
    description: str | None = None,
    required_checkpoints: int = 10,
    expiration_months: int | None = None,
    assign_on_amount: Decimal | None = None,
    consent_required: bool = False,
    time_zone: str = "UTC",
    scheduled_from: datetime | None = None,
    created_on: datetime = CREATED,
) -> ChallengeDefinition:
    return ChallengeDefinition(
        id=uuid.uuid4(),
        name=name,
        description=description,
        required_checkpoints=required_checkpoints,
        expiration_months=expiration_months,
        assign_on_amount=assign_on_amount,
        consent_required=consent_required,
        time_zone=time_zone,
        scheduled_from=scheduled_from,
        created_on=created_on,
        modified_on=created_on,
    )


async def store(session: AsyncSession, *rows: ChallengeDefinition) -> list[ChallengeDefinition]:
    session.add_all(rows)
    await session.commit()
    return list(rows)
