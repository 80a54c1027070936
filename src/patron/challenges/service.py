"""Use cases of challenges: managing definitions, assigning, reading a contact's challenges."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth.roles import Caller
from patron.challenges import repository
from patron.challenges.checkpoints import CheckpointBatches
from patron.challenges.errors import (
    ChallengeDefinitionInUse,
    ChallengeDefinitionNotActive,
    ChallengeDefinitionNotDraft,
    ChallengeDefinitionNotFound,
    ChallengeNotFound,
)
from patron.challenges.pairs import log_assignments, start_first_cycles
from patron.challenges.receipt_rules import ReceiptRules
from patron.challenges.render import challenge_out, status_now
from patron.challenges.schemas import (
    ArticleFilter,
    ChallengeFilter,
    ChallengeOut,
    CheckpointRow,
    CheckpointsResult,
    DefinitionFields,
    DefinitionOut,
    DefinitionRewards,
    DefinitionStatusFilter,
)
from patron.challenges.statuses import DefinitionStatus
from patron.contacts import service as contacts
from patron.errors import PayloadTooLarge
from patron.kit import clock, ids
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import ChallengeDefinition
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ROOT, EVENT_ZONE, EventType, NewEvent, rendered
from patron.rewards import service as rewards


def definition_out(definition: ChallengeDefinition, base_url: str, zone: ZoneInfo) -> DefinitionOut:
    return DefinitionOut(
        id=definition.id,
        name=definition.name,
        description=definition.description,
        imageUrl=definition.image_url,
        requiredNumberOfCheckpoints=definition.required_checkpoints,
        expirationMonths=definition.expiration_months,
        isContactConsentRequired=definition.consent_required,
        checkpointAssignOn=definition.assign_on,
        checkpointAssignOnAmount=definition.assign_on_amount,
        articleFilter=ArticleFilter.model_validate(definition.article_filter)
        if definition.article_filter
        else None,
        isScheduled=definition.is_scheduled,
        scheduledFrom=local_iso(definition.scheduled_from, zone),
        scheduledTo=local_iso(definition.scheduled_to, zone),
        isRecurring=definition.is_recurring,
        status=status_now(definition),
        rewards=DefinitionRewards.model_validate(definition.rewards or {}),
        createdBy=definition.created_by,
        createdOn=local_iso(definition.created_on, zone),
        modifiedBy=definition.modified_by,
        modifiedOn=local_iso(definition.modified_on, zone),
        links=[item_link(base_url, f"/challenges/definitions/{definition.id}", definition.id, "self")],
    )


async def get_definition(session: AsyncSession, definition_id: uuid.UUID) -> ChallengeDefinition:
    found = await repository.definition(session, definition_id)
    if found is None:
        raise ChallengeDefinitionNotFound(f"No challenge definition {definition_id}.")
    return found


async def definitions_page(
    session: AsyncSession, which: DefinitionStatusFilter, offset: int, count: int
) -> tuple[list[ChallengeDefinition], int]:
    # Status depends on the clock, so it is filtered here; definitions are few.
    found = list(await repository.definitions(session))
    if which is not DefinitionStatusFilter.ALL:
        wanted = DefinitionStatus[which.name]
        found = [d for d in found if status_now(d) is wanted]
    return found[offset : offset + count], len(found)


async def _check_rewards(session: AsyncSession, fields: DefinitionFields) -> None:
    await rewards.check_issuable(
        session,
        [r.model_dump() for r in [fields.rewards.onCompletion] if r is not None]
        + [c.reward.model_dump() for c in fields.rewards.checkpoints],
    )


def _write_fields(definition: ChallengeDefinition, fields: DefinitionFields) -> None:
    definition.name = fields.name
    definition.description = fields.description
    definition.image_url = fields.imageUrl
    definition.required_checkpoints = fields.requiredNumberOfCheckpoints
    definition.expiration_months = fields.expirationMonths
    definition.consent_required = fields.isContactConsentRequired
    definition.assign_on = fields.checkpointAssignOn
    amount = fields.checkpointAssignOnAmount
    definition.assign_on_amount = amount if amount is not None or fields.checkpointAssignOn == 0 else None
    if fields.checkpointAssignOn != 0 and amount is None:
        definition.assign_on_amount = 1  # type: ignore[assignment]
    definition.article_filter = fields.articleFilter.model_dump() if fields.articleFilter else None
    definition.is_scheduled = fields.isScheduled
    definition.scheduled_from = fields.scheduledFrom
    definition.scheduled_to = fields.scheduledTo
    definition.is_recurring = fields.isRecurring
    definition.rewards = fields.rewards.model_dump(mode="json")


async def _definition_written(session: AsyncSession, receipt_rules: ReceiptRules) -> None:
    """Flush a change to a definition; receipts apply it once it is committed."""
    await session.flush()
    receipt_rules.forget_after_commit(session)


async def create_definition(
    session: AsyncSession,
    fields: DefinitionFields,
    caller: Caller,
    zone: ZoneInfo,
    receipt_rules: ReceiptRules,
) -> ChallengeDefinition:
    now = clock.now()
    definition = ChallengeDefinition(
        id=ids.new_id(),
        time_zone=zone.key,
        status=int(fields.status or DefinitionStatus.DRAFT),
        created_by=caller.key_id,
        created_on=now,
        modified_by=caller.key_id,
        modified_on=now,
    )
    await _check_rewards(session, fields)
    _write_fields(definition, fields)
    repository.add(session, definition)
    await _definition_written(session, receipt_rules)
    return definition


async def replace_definition(
    session: AsyncSession,
    definition_id: uuid.UUID,
    fields: DefinitionFields,
    caller: Caller,
    receipt_rules: ReceiptRules,
) -> ChallengeDefinition:
    definition = await get_definition(session, definition_id)
    shape = (definition.required_checkpoints, definition.expiration_months, definition.is_recurring)
    wanted = (fields.requiredNumberOfCheckpoints, fields.expirationMonths, fields.isRecurring)
    if shape != wanted and await repository.has_challenges(session, definition_id):
        # Challenges are a view of the checkpoint log under these rules; changing them would
        # make the stored progress disagree with a rebuild.
        raise ChallengeDefinitionInUse()
    await _check_rewards(session, fields)
    _write_fields(definition, fields)
    definition.modified_by = caller.key_id
    definition.modified_on = clock.now()
    await _definition_written(session, receipt_rules)
    return definition


async def delete_definition(
    session: AsyncSession, definition_id: uuid.UUID, receipt_rules: ReceiptRules
) -> None:
    definition = await get_definition(session, definition_id)
    if await repository.has_challenges(session, definition_id):
        raise ChallengeDefinitionInUse()
    await repository.remove_definition(session, definition)
    await _definition_written(session, receipt_rules)


async def activate(
    session: AsyncSession, definition_id: uuid.UUID, caller: Caller, receipt_rules: ReceiptRules
) -> ChallengeDefinition:
    definition = await get_definition(session, definition_id)
    if definition.status == DefinitionStatus.ACTIVE:
        return definition
    if definition.status != DefinitionStatus.DRAFT:
        raise ChallengeDefinitionNotDraft()
    definition.status = DefinitionStatus.ACTIVE
    definition.modified_by = caller.key_id
    definition.modified_on = clock.now()
    await _definition_written(session, receipt_rules)
    return definition


async def end(
    session: AsyncSession, definition_id: uuid.UUID, caller: Caller, receipt_rules: ReceiptRules
) -> ChallengeDefinition:
    definition = await get_definition(session, definition_id)
    definition.status = DefinitionStatus.ENDED
    definition.modified_by = caller.key_id
    definition.modified_on = clock.now()
    await _definition_written(session, receipt_rules)
    return definition


async def assign(session: AsyncSession, definition_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    """Assign and activate with 0 checkpoints; assigning again changes nothing."""
    definition = await get_definition(session, definition_id)
    await contacts.ensure_exists(session, contact_id)
    if status_now(definition) is not DefinitionStatus.ACTIVE:
        raise ChallengeDefinitionNotActive(f"Definition {definition_id} is {status_now(definition).name}.")
    now = clock.now()
    started = await start_first_cycles(
        session, [(contact_id, definition_id)], {definition_id: definition}, now
    )
    await log_assignments(session, started, "api", now)
    return True


MAX_CHECKPOINT_ROWS = 1000


async def emit_expired(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Tell each Engage challenge that passed its expirationMonths uncompleted as a
    challenge.expired event, exactly once: the conditional update that claims it notes the
    telling in the event's transaction, so two workers never tell one twice. Up to `limit`
    per call; how many were told."""
    expired = await repository.claim_expired(session, now, limit)
    if not expired:
        return 0
    definitions = {d.id: d for d in await repository.definitions(session, {c.definition_id for c in expired})}
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.CHALLENGE_EXPIRED,
                rendered(
                    challenge_out(
                        challenge, definitions[challenge.definition_id], EVENT_ROOT, EVENT_ZONE, now
                    )
                ),
                challenge.contact_id,
                challenge.ends_on,
            )
            for challenge in expired
        ],
    )
    return len(expired)


async def checkpoints(
    session: AsyncSession, batches: CheckpointBatches, rows: list[CheckpointRow]
) -> CheckpointsResult:
    if len(rows) > MAX_CHECKPOINT_ROWS:
        raise PayloadTooLarge(f"At most {MAX_CHECKPOINT_ROWS} checkpoint rows per request.")
    return await batches.apply(session, rows, source="api")


async def get_challenge(
    session: AsyncSession, challenge_id: uuid.UUID, base_url: str, zone: ZoneInfo
) -> ChallengeOut:
    found = await repository.challenge(session, challenge_id)
    if found is None:
        raise ChallengeNotFound(f"No challenge {challenge_id}.")
    definition = await get_definition(session, found.definition_id)
    return challenge_out(found, definition, base_url, zone)


async def challenges_of(
    session: AsyncSession,
    contact_id: uuid.UUID,
    definition_id: uuid.UUID | None,
    which: ChallengeFilter,
    offset: int,
    count: int,
    base_url: str,
    zone: ZoneInfo,
) -> tuple[list[ChallengeOut], int]:
    await contacts.ensure_exists(session, contact_id)
    found, total = await repository.challenges_of(
        session, contact_id, definition_id, which.value, clock.now(), offset, count
    )
    return [challenge_out(c, d, base_url, zone) for c, d in found], total
