"""Interaction schemas and interactions: define a kind, store a contact's interaction of it
(valid against its JSON Schema), read them newest first, delete them.

An interaction is activity: storing one tells interaction.created in the same transaction.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.errors import BadRequest
from patron.interactions import repository
from patron.interactions.errors import (
    InteractionNotFound,
    InteractionSchemaAlreadyExists,
    InteractionSchemaInUse,
    InteractionSchemaNotFound,
    InvalidInteractionPayload,
    InvalidInteractionSchema,
)
from patron.interactions.schemas import (
    InteractionOut,
    InteractionSchemaOut,
    NewInteraction,
    NewInteractionSchema,
)
from patron.interactions.validation import payload_problems, schema_problem
from patron.kit import clock
from patron.kit.timefmt import local_iso
from patron.models import Interaction, InteractionSchema
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ZONE, EventType, NewEvent, rendered


def schema_out(found: InteractionSchema) -> InteractionSchemaOut:
    return InteractionSchemaOut(
        id=found.id,
        displayName=found.display_name,
        jsonSchema=found.json_schema,
        showInContactCard=found.show_in_contact_card,
        addToSegmentation=found.add_to_segmentation,
    )


async def create_schema(session: AsyncSession, body: NewInteractionSchema) -> InteractionSchema:
    problem = schema_problem(body.jsonSchema)
    if problem is not None:
        raise InvalidInteractionSchema(
            f"jsonSchema is not a valid JSON Schema: {problem}",
            details=[{"field": "jsonSchema", "message": problem}],
        )
    if await repository.schema(session, body.id) is not None:
        raise InteractionSchemaAlreadyExists(f"An interaction schema with id {body.id!r} exists.")
    created = InteractionSchema(
        id=body.id,
        display_name=body.displayName,
        json_schema=body.jsonSchema,
        show_in_contact_card=body.showInContactCard,
        add_to_segmentation=body.addToSegmentation,
        created_on=clock.now(),
    )
    session.add(created)
    await session.flush()
    return created


async def get_schema(session: AsyncSession, schema_id: str) -> InteractionSchema:
    found = await repository.schema(session, schema_id)
    if found is None:
        raise InteractionSchemaNotFound(f"No interaction schema {schema_id!r}.")
    return found


async def list_schemas(session: AsyncSession) -> list[InteractionSchema]:
    return list(await repository.schemas(session))


async def delete_schema(session: AsyncSession, schema_id: str) -> None:
    found = await get_schema(session, schema_id)
    if await repository.schema_in_use(session, schema_id):
        raise InteractionSchemaInUse()
    await session.delete(found)
    await session.flush()


def interaction_out(found: Interaction, zone: ZoneInfo) -> InteractionOut:
    return InteractionOut(
        id=found.id,
        contactId=found.contact_id,
        schemaId=found.schema_id,
        createdDate=local_iso(found.created_date, zone) or "",
        payload=found.payload,
    )


async def create(session: AsyncSession, body: NewInteraction) -> Interaction:
    await contacts.ensure_exists(session, body.contactId)
    kind = await repository.schema(session, body.schemaId)
    if kind is None:
        raise InteractionSchemaNotFound(
            f"No interaction schema {body.schemaId!r}.", details=[{"field": "schemaId", "message": "unknown"}]
        )
    problems = payload_problems(kind.json_schema, body.payload)
    if problems:
        first = problems[0]
        raise InvalidInteractionPayload(
            f"{first.path}: {first.message}",
            details=[{"field": problem.path, "message": problem.message} for problem in problems],
        )
    now = clock.now()
    stored = Interaction(
        contact_id=body.contactId,
        id=uuid.uuid4(),
        schema_id=kind.id,
        created_date=body.createdDate or now,
        payload=body.payload,
        received_on=now,
    )
    session.add(stored)
    await session.flush()
    event = NewEvent(
        EventType.INTERACTION_CREATED, rendered(interaction_out(stored, EVENT_ZONE)), stored.contact_id, now
    )
    await outbox.record(session, [event])
    return stored


async def get(session: AsyncSession, interaction_id: uuid.UUID) -> Interaction:
    found = await repository.interaction(session, interaction_id)
    if found is None:
        raise InteractionNotFound(f"No interaction {interaction_id}.")
    return found


async def delete(session: AsyncSession, interaction_id: uuid.UUID) -> None:
    await session.delete(await get(session, interaction_id))
    await session.flush()


def continuation_of(last: Interaction) -> str:
    """An opaque token naming where the next page starts: after this interaction."""
    text = f"{last.created_date.isoformat()}|{last.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read_continuation(token: str) -> tuple[datetime, uuid.UUID]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at, last_id = text.split("|", 1)
        return datetime.fromisoformat(at), uuid.UUID(last_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadRequest(
            "continuation is not a token this list gave.",
            details=[{"field": "continuation", "in": "query", "message": "not a continuation token"}],
        ) from error


async def page(
    session: AsyncSession, contact_id: uuid.UUID, schema_id: str, continuation: str | None, count: int
) -> tuple[list[Interaction], str | None]:
    """One page of the contact's interactions of a schema, newest first, and the continuation
    of the next page (None on the last)."""
    after = _read_continuation(continuation) if continuation else None
    await contacts.ensure_exists(session, contact_id)
    await get_schema(session, schema_id)
    found = list(await repository.page(session, contact_id, schema_id, after, count))
    if len(found) > count:
        return found[:count], continuation_of(found[count - 1])
    return found, None


async def forget_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """Erasure: an interaction's payload is the contact's personal data, so it goes."""
    await repository.delete_of_contact(session, contact_id)
