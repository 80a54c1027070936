"""Rebuilding record challenges and streaks from their logs, and finding where they disagree.

The log ledger is the truth and progress rows its materialised view: replaying each member's
logs, in the order they were counted (`created_on`, stamped under the row's lock), through
the engine (challenge windows) or `progress.streaks` (runs) must give the stored rows, and every
milestone crossed on the way must have exactly one reward log. Progress is repaired on
request; rewards are only reported, never issued or taken back here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Milestone, RecordDefinition, RecordLog, RecordProgress
from patron.progress import engine
from patron.progress import streaks as streak_rules
from patron.progress.streaks import StreakSpec, StreakState, StreakStatus
from patron.progress.windows import Window
from patron.records import repository
from patron.records.intake import plan_of
from patron.records.schemas import Kind, Method, ProgressStatus
from patron.records.streaks import spec_of


@dataclass(frozen=True)
class Expected:
    """What one progress row must hold, by its logs."""

    value: Decimal
    status: ProgressStatus
    started_at: datetime
    completed_at: datetime | None
    period_start: datetime
    period_value: Decimal = Decimal(0)
    ended_at: datetime | None = None  # a run's broken_at


@dataclass(frozen=True)
class RewardKey:
    milestone_id: str
    contact_id: uuid.UUID
    period_key: str


def _amount(counts: bool, log: RecordLog) -> Decimal:
    """What a log added: 1 when its definition counts logs, else its value."""
    return Decimal(1) if counts else Decimal(log.activity_value or 0)


def _window(
    definition: RecordDefinition, milestones: list[Milestone], row: RecordProgress, logs: list[RecordLog]
) -> tuple[Expected, set[RewardKey]]:
    """A challenge window replayed as `records.logs` counted it."""
    plan = plan_of(definition, ZoneInfo(row.zone), milestones)
    state = engine.State(
        0, Decimal(0), logs[0].activity_at, Window(row.period_start, row.period_end, row.period_key)
    )
    started = logs[0].activity_at
    live = {m.target: m for m in milestones if m.status == "live"}
    crossed: set[RewardKey] = set()
    for log in logs:
        outcome = engine.apply(
            plan, state, _amount(definition.aggregation_method == Method.COUNT, log), log.activity_at
        )
        if not outcome.accepted:
            continue
        state, started = outcome.state, min(started, log.activity_at)
        for crossing in outcome.crossings:
            if crossing.threshold in live:
                crossed.add(RewardKey(str(live[crossing.threshold].id), row.contact_id, row.period_key))
    done = state.status is engine.Status.COMPLETED
    status = ProgressStatus.COMPLETED if done else ProgressStatus.IN_PROGRESS
    return Expected(state.value, status, started, state.completed_at, row.period_start), crossed


def _runs(
    spec: StreakSpec, milestones: list[Milestone], contact_id: uuid.UUID, logs: list[RecordLog]
) -> tuple[dict[int, StreakState], set[RewardKey]]:
    """A member's streak runs replayed as `records.streaks` counted them."""
    live = {m.target: m for m in milestones if m.status == "live"}
    runs: dict[int, StreakState] = {}
    crossed: set[RewardKey] = set()
    state: StreakState | None = None
    for log in logs:
        outcome = streak_rules.apply(
            spec, state, _amount(spec.aggregation is engine.Aggregation.COUNT, log), log.activity_at
        )
        for finished in outcome.finished:
            runs[finished.run] = finished
        for reached in outcome.milestones:
            crossed.add(RewardKey(str(live[reached.threshold].id), contact_id, reached.period_key))
        state = outcome.state
        runs[state.run] = state
    return runs, crossed


def _expected_run(state: StreakState) -> Expected:
    return Expected(
        Decimal(state.value),
        ProgressStatus(state.status.value),
        state.started_at,
        state.completed_at,
        state.period.start,
        state.period_total,
        state.broken_at,
    )


def _stored(row: RecordProgress) -> Expected:
    return Expected(
        row.value,
        ProgressStatus(row.status),
        row.started_at,
        row.completed_at,
        row.period_start,
        row.period_value if row.kind == Kind.STREAK else Decimal(0),
        row.ended_at if row.kind == Kind.STREAK else None,
    )


def _compare(where: str, have: Expected, want: Expected) -> list[str]:
    return [
        f"{where}: {name} is {getattr(have, name)}, the logs say {getattr(want, name)}"
        for name in Expected.__dataclass_fields__
        if getattr(have, name) != getattr(want, name)
    ]


async def _definition_differences(
    session: AsyncSession, definition: RecordDefinition, now: datetime, repair: bool
) -> list[str]:
    milestones = list(await repository.milestones_of(session, [definition.id]))
    rows = await repository.progress_of(session, definition.id, lock=repair)
    logs: dict[uuid.UUID, list[RecordLog]] = defaultdict(list)
    for log in await repository.ledger_of(session, definition.id):
        logs[log.contact_id].append(log)
    stored_rewards = {
        RewardKey(reward.source_id, reward.contact_id, reward.period_key or "")
        for reward in await repository.milestone_rewards(session, [m.id for m in milestones])
    }
    problems: list[str] = []
    expected_rewards: set[RewardKey] = set()
    by_member: dict[uuid.UUID, list[RecordProgress]] = defaultdict(list)
    for row in rows:
        by_member[row.contact_id].append(row)
    for contact_id in sorted(set(by_member) | set(logs), key=str):
        where = f"{definition.kind} {definition.id} of member {contact_id}"
        have_rows = by_member.get(contact_id, [])
        member_logs = logs.get(contact_id, [])
        if definition.kind == Kind.CHALLENGE:
            windows = defaultdict(list)
            for log in member_logs:
                windows[log.period_key].append(log)
            for row in have_rows:
                if not windows.get(row.period_key):
                    problems.append(f"{where}, window {row.period_key}: stored but no log counts in it")
                    continue
                want, crossed = _window(definition, milestones, row, windows.pop(row.period_key))
                expected_rewards |= crossed
                problems += _fix(f"{where}, window {row.period_key}", row, want, now, repair)
            problems += [f"{where}, window {key}: logged but not stored" for key in sorted(windows)]
            continue
        if not have_rows:
            problems.append(f"{where}: logged but no run is stored")
            continue
        spec = spec_of(definition, ZoneInfo(have_rows[0].zone), milestones)
        runs, crossed = _runs(spec, milestones, contact_id, member_logs)
        expected_rewards |= crossed
        for row in have_rows:
            state = runs.pop(row.run, None)
            if state is None:
                problems.append(f"{where}, run {row.run}: stored but not in the logs")
                continue
            if row.status == ProgressStatus.BROKEN and state.status is StreakStatus.IN_PROGRESS:
                # Written broken by the worker when the period it needed ended; its logs leave
                # it in progress until the next one, which a reader sees as broken.
                state = streak_rules.seen_at(spec, state, now)
            problems += _fix(f"{where}, run {row.run}", row, _expected_run(state), now, repair)
        problems += [f"{where}, run {run}: in the logs but not stored" for run in sorted(runs)]
    problems += [
        f"milestone {key.milestone_id} of member {key.contact_id}, {key.period_key}: reached but not rewarded"
        for key in sorted(expected_rewards - stored_rewards, key=str)
    ]
    problems += [
        f"milestone {key.milestone_id} of member {key.contact_id}, {key.period_key}: rewarded but not reached"
        for key in sorted(stored_rewards - expected_rewards, key=str)
        if key.contact_id in logs or key.contact_id in by_member
    ]
    return problems


def _fix(where: str, row: RecordProgress, want: Expected, now: datetime, repair: bool) -> list[str]:
    have = _stored(row)
    if row.kind == Kind.CHALLENGE and have.status is ProgressStatus.FAILED:
        # Closed by the worker once the window ended below target; by its logs, in progress.
        have = replace(have, status=ProgressStatus.IN_PROGRESS)
    found = _compare(where, have, want)
    if found and repair:
        row.value, row.started_at, row.completed_at = want.value, want.started_at, want.completed_at
        row.period_start = want.period_start
        if row.kind == Kind.STREAK:
            row.period_value, row.ended_at, row.status = want.period_value, want.ended_at, want.status.value
        elif have.status is not want.status:
            row.status = want.status.value
        row.modified_on = now
    return found


async def differences(session: AsyncSession, now: datetime, *, repair: bool = False) -> list[str]:
    """Every record progress row, and every milestone reward, that the logs do not reproduce;
    with `repair`, the progress rows are rewritten (rewards only reported)."""
    problems: list[str] = []
    for definition in await repository.all_definitions(session):
        if definition.kind in (Kind.CHALLENGE, Kind.STREAK):
            problems += await _definition_differences(session, definition, now, repair)
    await session.flush()
    return problems
