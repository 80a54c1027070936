"""Streak logs: a period (day, ISO week, month in the streak's zone) counts when its logs reach
`aggregationTargetValue`; a run is the periods counted in a row. A run is broken when a period
it needed ends uncounted (as of any reading, and for the next log), completed at
`completionTargetValue` periods; the next log after either starts a new run. Each period's
total goes through the one progress engine (a calendar-window plan with the per-period
target); milestones count periods in a row and are rewarded once per member and run.

A log for a period before the run's current one is stored in the ledger but moves nothing:
that period was decided when the run moved past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.contacts.service import ContactRules
from patron.db.locking import ensure_write_lock
from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.models import Milestone, RecordDefinition, RecordProgress
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.progress import engine
from patron.progress.windows import Window, WindowKind, WindowSpec, calendar_window
from patron.records import definitions, repository
from patron.records.errors import DefinitionNotLive, DuplicateUniqueIdentifier
from patron.records.intake import Logged, activity_at, amount_of, member_id, window_kind, zone_of
from patron.records.schemas import Kind, NewLog, ProgressStatus, Status
from patron.rewards.service import Earned, RewardIssuer


@dataclass(frozen=True)
class Needed:
    """The period a run needs counted next, and whether the current one is counted already."""

    window: Window
    current_counted: bool


def following(kind: WindowKind, window: Window, zone: ZoneInfo) -> Window:
    assert window.end is not None  # calendar windows end
    return calendar_window(kind, window.end, zone)


def _current(row: RecordProgress) -> Window:
    return Window(row.period_start, row.period_end, None)


def needed(definition: RecordDefinition, row: RecordProgress, zone: ZoneInfo) -> Needed:
    counted = row.period_value >= (definition.aggregation_target or Decimal(0))
    current = _current(row)
    window = following(window_kind(definition), current, zone) if counted else current
    return Needed(window, counted)


def broken_at(
    definition: RecordDefinition, row: RecordProgress, zone: ZoneInfo, at: datetime
) -> datetime | None:
    """When the run broke, as seen at `at` (None while it can still go on)."""
    if row.status == ProgressStatus.BROKEN:
        return row.ended_at
    if row.status != ProgressStatus.IN_PROGRESS:
        return None
    window = needed(definition, row, zone).window
    return window.end if window.end is not None and window.end <= at else None


def _period_plan(definition: RecordDefinition, zone: ZoneInfo) -> engine.Plan:
    return engine.Plan(
        goal=engine.Goal(
            definition.aggregation_target or Decimal(1), engine.Aggregation(definition.aggregation_method)
        ),
        window=WindowSpec(kind=window_kind(definition), zone=str(zone)),
    )


def _new_run(
    contact_id: object, definition: RecordDefinition, run: int, period: Window, at: datetime, zone: ZoneInfo
) -> dict[str, object]:
    return {
        "contact_id": contact_id,
        "definition_id": definition.id,
        "period_key": f"run-{run}",
        "id": ids.new_id(),
        "kind": Kind.STREAK.value,
        "value": Decimal(0),
        "status": ProgressStatus.IN_PROGRESS.value,
        "started_at": at,
        "period_start": period.start,
        "period_end": period.end,
        "zone": str(zone),
        "period_value": Decimal(0),
        "run": run,
        "modified_on": clock.now(),
    }


async def add_streak_log(
    session: AsyncSession, body: NewLog, *, rules: ContactRules, zone: ZoneInfo, issuer: RewardIssuer
) -> Logged:
    if body.streakId is None:
        raise BadRequest("streakId is required.", details=[{"field": "streakId", "message": "required"}])
    definition = await definitions.get(session, Kind.STREAK, body.streakId)
    if definition.status != Status.LIVE:
        raise DefinitionNotLive(f"This streak is {definition.status}; only a live one takes logs.")
    now = clock.now()
    at = activity_at(body, now)
    amount = amount_of(definition, body)
    contact_id = await member_id(session, body.ownedById, rules)
    member = await contacts.get(session, contact_id)
    milestones = list(await definitions.milestones_of(session, [definition.id]))
    local = zone_of(definition, member.attributes.get("timeZone"), zone)
    period = calendar_window(window_kind(definition), at, local)

    await ensure_write_lock(session)
    log_id = ids.new_id()
    if not await repository.insert_log(
        session,
        {
            "contact_id": contact_id,
            "id": log_id,
            "definition_id": definition.id,
            "kind": Kind.STREAK.value,
            "activity_at": at,
            "activity_id": body.activityId,
            "unique_identifier": body.uniqueIdentifier,
            "activity_value": body.activityValue,
            "period_key": period.key or "",
            "created_on": now,
        },
    ):
        raise DuplicateUniqueIdentifier(
            f"A log with uniqueIdentifier {body.uniqueIdentifier!r} exists for this member and "
            "streak; nothing changed."
        )
    told: list[NewEvent] = []
    row = await repository.latest_progress(session, contact_id, definition.id)
    if row is not None:
        broke = broken_at(definition, row, local, at)
        if broke is not None and row.status == ProgressStatus.IN_PROGRESS:
            row.status, row.ended_at, row.modified_on = ProgressStatus.BROKEN.value, broke, now
            told.append(NewEvent(EventType.STREAK_BROKEN, _told(row), contact_id, broke))
    if row is None or row.status != ProgressStatus.IN_PROGRESS:
        run = 0 if row is None else row.run + 1
        await repository.start_progress(session, _new_run(contact_id, definition, run, period, at, local))
        row = await repository.lock_progress(session, contact_id, definition.id, f"run-{run}")
        assert row is not None  # made just above, in this transaction
    achieved: Milestone | None = None
    reward = None
    if period.start >= row.period_start:
        if period.start > row.period_start and period.end is not None:
            row.period_start, row.period_end, row.period_value = period.start, period.end, Decimal(0)
        plan = _period_plan(definition, local)
        state = engine.State(0, row.period_value, period.start, period)
        outcome = engine.apply(plan, state, amount, at)
        row.period_value = (
            outcome.state.value if outcome.state.status is not engine.Status.COMPLETED else plan.goal.target
        )
        if outcome.crossings:  # the period reached its target: one more in a row
            row.value += 1
            reached = [m for m in milestones if m.status == Status.LIVE and m.target == row.value]
            issued = await issuer.issue(
                session,
                [
                    Earned(contact_id, "milestone", str(m.id), "milestone", row.period_key, dict(m.reward))
                    for m in reached
                ],
            )
            for milestone in reached:
                told.append(
                    NewEvent(
                        EventType.MILESTONE_ACHIEVED,
                        {
                            "milestoneId": str(milestone.id),
                            "ownedById": str(contact_id),
                            "periodKey": row.period_key,
                        },
                        contact_id,
                        at,
                    )
                )
            if reached:
                achieved = max(reached, key=lambda m: m.target)
                if issued:
                    reward = await repository.reward_for(
                        session, str(achieved.id), contact_id, row.period_key
                    )
            if row.value >= definition.completion_target:
                row.status, row.completed_at = ProgressStatus.COMPLETED.value, at
                told.append(NewEvent(EventType.CHALLENGE_COMPLETED, _told(row), contact_id, at))
        row.modified_on = now
    await session.flush()
    await outbox.record(session, told)
    log = await repository.log(session, log_id)
    assert log is not None
    return Logged(log, row, definition, milestones, achieved, reward)


def _told(row: RecordProgress) -> dict[str, object]:
    return {
        "streakId": str(row.definition_id),
        "dialect": "record",
        "ownedById": str(row.contact_id),
        "currentProgressValue": str(row.value),
        "run": row.run,
        "status": row.status,
    }
