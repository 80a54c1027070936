"""Challenge logs: stored once in the ledger, counted in the window their `activityAt` falls
in (in the definition's time zone, or the member's), through the one progress engine, with
the milestones they cross rewarded once per member and window by the one rewards module.

The member's progress row for that window is made if missing and then locked, so concurrent
logs of one member add up exactly; the log's own row goes in under that lock and its unique
key, so a repeated `uniqueIdentifier` changes nothing (the transaction, progress row included,
is rolled back) and the ledger's order is the order the logs were counted in.
"""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts.service import ContactRules
from patron.db.locking import ensure_write_lock
from patron.kit import clock, ids
from patron.models import Milestone, RecordProgress, Reward
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.progress import engine
from patron.progress.windows import Window, calendar_window
from patron.records import intake, repository, streaks
from patron.records import told as told_of
from patron.records.intake import Logged, Prepared, plan_of
from patron.records.schemas import Kind, NewLog, ProgressStatus, Status
from patron.rewards.service import Earned, RewardIssuer


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


async def add_challenge_log(session: AsyncSession, log: Prepared, issuer: RewardIssuer) -> Logged:
    definition, contact_id, milestones, at, now = (
        log.definition,
        log.contact_id,
        log.milestones,
        log.at,
        log.now,
    )
    plan = plan_of(definition, log.zone, milestones)
    window = calendar_window(plan.window.kind, at, log.zone)
    key = window.key or ""
    await ensure_write_lock(session)
    row = await repository.take_progress(
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
            "zone": str(log.zone),
            "period_value": Decimal(0),
            "run": 0,
            "modified_on": now,
        },
    )
    stored = await intake.store_log(session, log, key)
    outcome = engine.apply(plan, _state(row), log.amount, at)
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
                told.append(
                    NewEvent(
                        EventType.MILESTONE_ACHIEVED,
                        told_of.milestone_achieved(milestone, row),
                        contact_id,
                        at,
                    )
                )
        if issued and achieved is not None:
            reward = await repository.reward_for(session, str(achieved.id), contact_id, key)
        if row.status == ProgressStatus.COMPLETED and outcome.state.status is engine.Status.COMPLETED:
            told.append(
                NewEvent(EventType.CHALLENGE_COMPLETED, told_of.challenge_progress(row), contact_id, at)
            )
    await session.flush()
    await outbox.record(session, told)
    return Logged(stored, row, definition, milestones, achieved, reward)


async def add_log(
    session: AsyncSession,
    kind: Kind,
    body: NewLog,
    *,
    rules: ContactRules,
    zone: ZoneInfo,
    issuer: RewardIssuer,
) -> Logged:
    log = await intake.prepare(session, kind, body, rules=rules, deployment_zone=zone, now=clock.now())
    if kind is Kind.CHALLENGE:
        return await add_challenge_log(session, log, issuer)
    return await streaks.add_streak_log(session, log, issuer)
