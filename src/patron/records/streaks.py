"""Streak logs: the rules of `progress.streaks` (periods met in a row, broken at the end of the
first period needed and missed, completed at `completionTargetValue` periods, a new run after
either), applied to a member's stored run and written back.

Each run is one progress row (`periodKey` `run-N`); a log that finds its run broken writes it
broken (`streak.broken`) and starts the next. Milestones count periods in a row and are
rewarded once per member and run. A log for a period before the run's current one is stored
in the ledger but moves nothing: that period was decided when the run moved past it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import ensure_write_lock
from patron.kit import ids
from patron.models import Milestone, RecordDefinition, RecordProgress, Reward
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.progress import streaks
from patron.progress.engine import Aggregation
from patron.progress.streaks import StreakOutcome, StreakSpec, StreakState, StreakStatus
from patron.records import intake, repository
from patron.records import told as told_of
from patron.records.intake import Logged, Prepared, window_kind
from patron.records.schemas import Kind, ProgressStatus, Status
from patron.rewards.service import Earned, RewardIssuer


def spec_of(definition: RecordDefinition, zone: ZoneInfo, milestones: list[Milestone]) -> StreakSpec:
    """The streak's rules in `zone`, its live milestones counted in periods."""
    return StreakSpec(
        aggregation=Aggregation(definition.aggregation_method),
        period=window_kind(definition),
        period_target=definition.aggregation_target or Decimal(1),
        completion_target=int(definition.completion_target),
        milestones=tuple(m.target for m in milestones if m.status == Status.LIVE),
        zone=str(zone),
    )


def state_of(spec: StreakSpec, row: RecordProgress) -> StreakState:
    """A stored run as the rules see it."""
    return StreakState(
        run=row.run,
        value=int(row.value),
        status=StreakStatus(row.status),
        started_at=row.started_at,
        period=streaks.period_of(spec, row.period_start),
        period_total=row.period_value,
        broken_at=row.ended_at if row.status == ProgressStatus.BROKEN else None,
        completed_at=row.completed_at,
    )


def broken_at(definition: RecordDefinition, row: RecordProgress, now: datetime) -> datetime | None:
    """When the run broke, as a reader sees it at `now` (None while it can still go on)."""
    spec = spec_of(definition, ZoneInfo(row.zone), [])
    return streaks.seen_at(spec, state_of(spec, row), now).broken_at


def _written(spec: StreakSpec, row: RecordProgress, state: StreakState, now: datetime) -> None:
    assert state.period.end is not None  # calendar periods end
    row.value = Decimal(state.value)
    row.status = state.status.value
    row.started_at = state.started_at
    row.period_start, row.period_end = state.period.start, state.period.end
    row.period_value = state.period_total
    row.completed_at = state.completed_at
    row.ended_at = state.broken_at
    going = state.status is StreakStatus.IN_PROGRESS
    row.breaks_at = streaks.needed(spec, state).end if going else None
    row.modified_on = now


def _new_row(log: Prepared, state: StreakState) -> dict[str, object]:
    return {
        "contact_id": log.contact_id,
        "definition_id": log.definition.id,
        "period_key": state.key,
        "id": ids.new_id(),
        "kind": Kind.STREAK.value,
        "value": Decimal(0),
        "status": ProgressStatus.IN_PROGRESS.value,
        "started_at": state.started_at,
        "period_start": state.period.start,
        "period_end": state.period.end,
        "zone": str(log.zone),
        "period_value": Decimal(0),
        "run": state.run,
        "modified_on": log.now,
    }


async def _row_of_run(
    session: AsyncSession, log: Prepared, row: RecordProgress, state: StreakState
) -> RecordProgress:
    """The row `state` is written to: the stored run's, or a new run's made then locked."""
    if row.run == state.run:
        return row
    return await repository.take_progress(session, _new_row(log, state))


async def add_streak_log(session: AsyncSession, log: Prepared, issuer: RewardIssuer) -> Logged:
    spec = spec_of(log.definition, log.zone, log.milestones)
    period = streaks.period_of(spec, log.at)
    # Every log of the member on this streak first locks their first run (made by the first
    # log), so the newest run read next is the one the previous log left, whichever process
    # wrote it.
    await ensure_write_lock(session)
    first = StreakState(0, 0, StreakStatus.IN_PROGRESS, log.at, period, Decimal(0))
    made = await repository.start_progress(session, _new_row(log, first))
    await repository.lock_progress(session, log.contact_id, log.definition.id, first.key)
    stored = await intake.store_log(session, log, period.key or "")
    row = await repository.latest_progress(session, log.contact_id, log.definition.id)
    assert row is not None  # the first run at least
    outcome = streaks.apply(spec, None if made else state_of(spec, row), log.amount, log.at)
    told: list[NewEvent] = _finish(spec, row, outcome, log.now)
    achieved: Milestone | None = None
    reward: Reward | None = None
    if not outcome.late:
        row = await _row_of_run(session, log, row, outcome.state)
        _written(spec, row, outcome.state, log.now)
        achieved, reward = await _reward(session, log, row, outcome, issuer, told)
        if outcome.completed:
            told.append(
                NewEvent(
                    EventType.CHALLENGE_COMPLETED, told_of.challenge_progress(row), log.contact_id, log.at
                )
            )
    await session.flush()
    await outbox.record(session, told)
    return Logged(stored, row, log.definition, log.milestones, achieved, reward)


def _finish(spec: StreakSpec, row: RecordProgress, outcome: StreakOutcome, now: datetime) -> list[NewEvent]:
    """The stored run written broken when this log found it so (told once: a row written
    broken before is not told again)."""
    told: list[NewEvent] = []
    for finished in outcome.finished:
        if finished.run != row.run or finished.status is not StreakStatus.BROKEN:
            continue
        was_broken = row.status == ProgressStatus.BROKEN
        _written(spec, row, finished, now)
        if not was_broken:
            told.append(
                NewEvent(
                    EventType.STREAK_BROKEN,
                    told_of.challenge_progress(row),
                    row.contact_id,
                    finished.broken_at,
                )
            )
    return told


async def _reward(
    session: AsyncSession,
    log: Prepared,
    row: RecordProgress,
    outcome: StreakOutcome,
    issuer: RewardIssuer,
    told: list[NewEvent],
) -> tuple[Milestone | None, Reward | None]:
    """The milestones this log reached, rewarded once per member and run; the highest and
    its reward log."""
    reached_targets = {reached.threshold for reached in outcome.milestones}
    reached = [m for m in log.milestones if m.status == Status.LIVE and m.target in reached_targets]
    if not reached:
        return None, None
    issued = await issuer.issue(
        session,
        [
            Earned(log.contact_id, "milestone", str(m.id), "milestone", row.period_key, dict(m.reward))
            for m in reached
        ],
    )
    for milestone in reached:
        told.append(
            NewEvent(
                EventType.MILESTONE_ACHIEVED,
                told_of.milestone_achieved(milestone, row),
                log.contact_id,
                log.at,
            )
        )
    achieved = max(reached, key=lambda m: (m.target, m.created_on))
    reward = (
        await repository.reward_for(session, str(achieved.id), log.contact_id, row.period_key)
        if issued
        else None
    )
    return achieved, reward
