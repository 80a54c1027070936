"""Challenge logs: stored once in the ledger, counted in the window their `activityAt` falls
in (in the definition's time zone, or the member's), through the one progress engine, with
the milestones they cross rewarded once per member and window by the one rewards module.

The member's progress row for that window is made if missing and then locked, so concurrent
logs of one member add up exactly; the log's own row is inserted first under its unique key,
so a repeated `uniqueIdentifier` changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.contacts.service import ContactRules
from patron.db.locking import ensure_write_lock
from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.models import Milestone, RecordDefinition, RecordProgress, Reward
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.progress import engine
from patron.progress.windows import Window, WindowKind, calendar_window
from patron.records import definitions, repository, streaks
from patron.records.errors import DefinitionNotLive, DuplicateUniqueIdentifier
from patron.records.intake import Logged, activity_at, amount_of, member_id, plan_of, zone_of
from patron.records.schemas import Kind, NewLog, ProgressStatus, Status
from patron.rewards.service import Earned, RewardIssuer

# A log may be this far ahead of the server's clock (clocks of tills drift); further is refused.
FUTURE_LEEWAY = timedelta(minutes=5)
WINDOW_OF = MappingProxyType(
    {"daily": WindowKind.DAY, "weekly": WindowKind.WEEK, "monthly": WindowKind.MONTH}
)


def _state(row: RecordProgress) -> engine.State:
    # A window a worker closed as failed still takes a late log that happened inside it.
    status = engine.Status.COMPLETED if row.status == ProgressStatus.COMPLETED else engine.Status.ACTIVE
    return engine.State(
        cycle=0,
        value=row.value,
        started_at=row.period_start,
        window=Window(row.period_start, row.period_end, row.period_key),
        status=status,
        completed_at=row.completed_at,
    )


async def add_challenge_log(
    session: AsyncSession,
    body: NewLog,
    *,
    rules: ContactRules,
    zone: ZoneInfo,
    issuer: RewardIssuer,
) -> Logged:
    if body.challengeId is None:
        raise BadRequest(
            "challengeId is required.", details=[{"field": "challengeId", "message": "required"}]
        )
    definition = await definitions.get(session, Kind.CHALLENGE, body.challengeId)
    if definition.status != Status.LIVE:
        raise DefinitionNotLive(f"This challenge is {definition.status}; only a live one takes logs.")
    now = clock.now()
    at = activity_at(body, now)
    amount = amount_of(definition, body)
    contact_id = await member_id(session, body.ownedById, rules)
    member = await contacts.get(session, contact_id)
    milestones = list(await definitions.milestones_of(session, [definition.id]))
    local = zone_of(definition, member.attributes.get("timeZone"), zone)
    plan = plan_of(definition, local, milestones)
    window = calendar_window(plan.window.kind, at, local)
    key = window.key or ""

    await ensure_write_lock(session)
    log_id = ids.new_id()
    stored = await repository.insert_log(
        session,
        {
            "contact_id": contact_id,
            "id": log_id,
            "definition_id": definition.id,
            "kind": Kind.CHALLENGE.value,
            "activity_at": at,
            "activity_id": body.activityId,
            "unique_identifier": body.uniqueIdentifier,
            "activity_value": body.activityValue,
            "period_key": key,
            "created_on": now,
        },
    )
    if not stored:
        raise DuplicateUniqueIdentifier(
            f"A log with uniqueIdentifier {body.uniqueIdentifier!r} exists for this member and "
            "challenge; nothing changed."
        )
    await repository.start_progress(
        session,
        {
            "contact_id": contact_id,
            "definition_id": definition.id,
            "period_key": key,
            "id": ids.new_id(),
            "kind": Kind.CHALLENGE.value,
            "value": Decimal(0),
            "status": ProgressStatus.IN_PROGRESS.value,
            "started_at": at,
            "period_start": window.start,
            "period_end": window.end,
            "zone": str(local),
            "period_value": Decimal(0),
            "run": 0,
            "modified_on": now,
        },
    )
    row = await repository.lock_progress(session, contact_id, definition.id, key)
    assert row is not None  # made just above, in this transaction
    outcome = engine.apply(plan, _state(row), amount, at)
    told: list[NewEvent] = []
    achieved: Milestone | None = None
    reward: Reward | None = None
    if outcome.accepted:
        row.value = outcome.state.value
        row.started_at = min(row.started_at, at)
        if outcome.state.status is engine.Status.COMPLETED:
            row.status, row.completed_at, row.ended_at = ProgressStatus.COMPLETED.value, at, None
        elif row.period_end <= now:
            row.status, row.ended_at = ProgressStatus.FAILED.value, row.period_end
        row.modified_on = now
        crossed = {crossing.threshold for crossing in outcome.crossings}
        reached = [m for m in milestones if m.status == Status.LIVE and m.target in crossed]
        earned = [
            Earned(contact_id, "milestone", str(m.id), "milestone", key, dict(m.reward)) for m in reached
        ]
        issued = await issuer.issue(session, earned)
        if reached:
            achieved = max(reached, key=lambda m: (m.target, m.created_on))
            for milestone in reached:
                told.append(NewEvent(EventType.MILESTONE_ACHIEVED, _achieved(milestone, row), contact_id, at))
        if issued and achieved is not None:
            reward = await repository.reward_for(session, str(achieved.id), contact_id, key)
        if row.status == ProgressStatus.COMPLETED and outcome.state.status is engine.Status.COMPLETED:
            told.append(NewEvent(EventType.CHALLENGE_COMPLETED, _completed(definition, row), contact_id, at))
    await session.flush()
    await outbox.record(session, told)
    log = await repository.log(session, log_id)
    assert log is not None
    return Logged(log, row, definition, milestones, achieved, reward)


def _achieved(milestone: Milestone, row: RecordProgress) -> dict[str, object]:
    return {
        "milestoneId": str(milestone.id),
        "linkedSchemaRecordId": str(milestone.definition_id),
        "ownedById": str(row.contact_id),
        "milestoneTargetValue": str(milestone.target),
        "periodKey": row.period_key,
    }


def _completed(definition: RecordDefinition, row: RecordProgress) -> dict[str, object]:
    return {
        "challengeId": str(definition.id),
        "dialect": "record",
        "ownedById": str(row.contact_id),
        "currentProgressValue": str(row.value),
        "periodKey": row.period_key,
    }


async def add_log(
    session: AsyncSession,
    kind: Kind,
    body: NewLog,
    *,
    rules: ContactRules,
    zone: ZoneInfo,
    issuer: RewardIssuer,
) -> Logged:
    if kind is Kind.CHALLENGE:
        return await add_challenge_log(session, body, rules=rules, zone=zone, issuer=issuer)
    return await streaks.add_streak_log(session, body, rules=rules, zone=zone, issuer=issuer)
