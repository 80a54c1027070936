"""Streaks: periods (a day, an ISO week from Monday, a month, in the streak's zone) met in a row.

Pure: the standard library and the engine only. A streak is two configurations of the
engine: each period is a calendar-window plan whose goal is `aggregationTargetValue` (sum of
values, or count of logs), and a run is a count plan over met periods whose target is
`completionTargetValue` and whose thresholds are the milestones, so a milestone is crossed
exactly once per run. The engine's `apply` runs the run plan; a period's total is added up
here, because the engine stops a window's value at its target and refuses what comes after,
while a member's period keeps its real total, and because a period nobody logged in (a gap)
never reaches the engine at all.

The rules, decided by the logs alone:

- A run starts with a member's first log, and again with the first log after a run broke or
  completed; a new run counts only its own logs, even in the period the last one completed in.
- A period is met when its total reaches the per-period target; each met period adds one to
  the run's value, and the run is completed with the log that meets the last one needed.
- A run is broken at the end of the first period it needed that ended unmet: the current
  period while it is unmet (a run's first period too, so a run may break at 0), else the one
  after it.
- A late log, one whose period is earlier than the run's current period, changes nothing: its
  period was decided when the run moved past it. It is reported as `late` (the ledger still
  keeps it).
- A log for the period the run needs counts even when it arrives after that period ended (a
  till that sends the evening's sales the next morning), unless a later log moved the run on
  first. So a broken status seen by a reader (`seen_at`) and written by the worker is undone
  by `apply`: a row the worker marked and one it did not give the same outcome, and `replay`
  of the ledger gives the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from patron.progress import engine
from patron.progress.engine import Aggregation, Goal, Plan
from patron.progress.windows import CALENDAR_KINDS, Window, WindowKind, WindowSpec, calendar_window


class StreakStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    BROKEN = "broken"  # a period it needed ended unmet
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class StreakSpec:
    """A streak's definition for one zone (a streak counted in each member's own zone has a
    spec per zone)."""

    aggregation: Aggregation
    period: WindowKind  # DAY, WEEK or MONTH
    period_target: Decimal  # aggregationTargetValue: what a period's logs must reach
    completion_target: int  # completionTargetValue: met periods in a row
    milestones: tuple[Decimal, ...] = ()  # milestoneTargetValue of each, in periods
    zone: str = "UTC"
    period_plan: Plan = field(init=False, repr=False, compare=False)
    run_plan: Plan = field(init=False, repr=False, compare=False)
    # The zone looked up once, for every period worked out.
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.period not in CALENDAR_KINDS:
            raise ValueError("a streak's period is a day, a week or a month")
        if self.period_target <= 0:
            raise ValueError("a streak's per-period target is more than 0")
        if self.completion_target < 1:
            raise ValueError("a streak needs at least one period")
        if any(milestone <= 0 for milestone in self.milestones):
            raise ValueError("a milestone is reached after at least one period")
        object.__setattr__(self, "tz", ZoneInfo(self.zone))
        object.__setattr__(
            self,
            "period_plan",
            Plan(Goal(self.period_target, self.aggregation), WindowSpec(self.period, zone=self.zone)),
        )
        object.__setattr__(
            self,
            "run_plan",
            Plan(Goal(Decimal(self.completion_target), Aggregation.COUNT), thresholds=self.milestones),
        )


@dataclass(frozen=True, slots=True)
class StreakState:
    """One member's run: `value` periods met in a row, the period it is in (`period`, the one
    of its latest log) and that period's total so far."""

    run: int  # 0 for a member's first run
    value: int
    status: StreakStatus
    started_at: datetime  # the instant of the run's first log
    period: Window
    period_total: Decimal
    last_met: str | None = None  # the key of the latest period met in this run
    broken_at: datetime | None = None  # the end of the period it missed
    completed_at: datetime | None = None  # the instant of the log that met the last period

    @property
    def key(self) -> str:
        """Names the run for exactly-once rewards (a reward log's periodKey)."""
        return f"run-{self.run}"


@dataclass(frozen=True, slots=True)
class MilestoneReached:
    threshold: Decimal
    run: int
    period_key: str  # the run's key: one reward per milestone, member and run
    met_period: str  # the key of the period whose meeting crossed it
    at: datetime


@dataclass(frozen=True, slots=True)
class StreakOutcome:
    state: StreakState
    # Runs this log left behind, oldest first, in their final state: one it found broken, or
    # the completed one it starts after. A broken one may have been written as broken already.
    finished: tuple[StreakState, ...] = ()
    milestones: tuple[MilestoneReached, ...] = ()
    late: bool = False  # the log's period is before the run's: nothing changed

    @property
    def completed(self) -> bool:
        """Whether this log completed the run (any other log on a completed run is late or
        starts the next one)."""
        return not self.late and self.state.status is StreakStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class Activity:
    """A log as the ledger holds it: its amount (its value, or 1 when the streak counts) and
    the instant it happened."""

    amount: Decimal
    at: datetime


def period_of(spec: StreakSpec, instant: datetime) -> Window:
    """The period an activity at `instant` counts in."""
    return calendar_window(spec.period, instant, spec.tz)


def following(spec: StreakSpec, window: Window) -> Window:
    """The period after `window`: it starts where `window` ends."""
    if window.end is None:
        raise ValueError("a streak period ends")
    return calendar_window(spec.period, window.end, spec.tz)


def _is_met(spec: StreakSpec, state: StreakState) -> bool:
    return state.period_total >= spec.period_target


def needed(spec: StreakSpec, state: StreakState) -> Window:
    """The period the run must meet next: the current one until it is met, then the next."""
    return following(spec, state.period) if _is_met(spec, state) else state.period


def seen_at(spec: StreakSpec, state: StreakState, now: datetime) -> StreakState:
    """The run as a reader sees it at `now`: broken at the end of the period it needed once
    that period has ended unmet, before any job or log writes it."""
    if state.status is not StreakStatus.IN_PROGRESS:
        return state
    end = needed(spec, state).end
    if end is not None and end <= now:
        return replace(state, status=StreakStatus.BROKEN, broken_at=end)
    return state


def _as_logged(state: StreakState) -> StreakState:
    """The run as its logs left it: a broken status comes from a reading (a log that breaks a
    run starts the next one at once), and the logs decide again."""
    if state.status is StreakStatus.BROKEN:
        return replace(state, status=StreakStatus.IN_PROGRESS, broken_at=None)
    return state


def _opened(
    spec: StreakSpec,
    run: int,
    period: Window,
    amount: Decimal,
    at: datetime,
    finished: tuple[StreakState, ...],
) -> StreakOutcome:
    fresh = StreakState(run, 0, StreakStatus.IN_PROGRESS, at, period, Decimal(0))
    return _counted(spec, fresh, amount, at, finished)


def _counted(
    spec: StreakSpec, state: StreakState, amount: Decimal, at: datetime, finished: tuple[StreakState, ...]
) -> StreakOutcome:
    """`amount` added to the run's current period, and one more period in a row if it meets it."""
    was_met = _is_met(spec, state)
    state = replace(state, period_total=state.period_total + spec.period_plan.goal.contribution(amount))
    if was_met or not _is_met(spec, state):
        return StreakOutcome(state, finished)
    run = engine.State(state.run, Decimal(state.value), state.started_at, Window(state.started_at, None))
    step = engine.apply(spec.run_plan, run, Decimal(1), at)
    # An in-progress run is below its target and a run plan has no window: the engine takes it.
    assert step.accepted
    done = step.state.status is engine.Status.COMPLETED
    state = replace(
        state,
        value=int(step.state.value),
        last_met=state.period.key,
        status=StreakStatus.COMPLETED if done else StreakStatus.IN_PROGRESS,
        completed_at=at if done else None,
    )
    milestones = set(spec.milestones)
    reached = tuple(
        MilestoneReached(crossing.threshold, state.run, state.key, state.period.key or "", at)
        for crossing in step.crossings
        if crossing.threshold in milestones
    )
    return StreakOutcome(state, finished, reached)


def apply(spec: StreakSpec, state: StreakState | None, amount: Decimal, at: datetime) -> StreakOutcome:
    """A log of `amount` at `at` for a member whose latest run is `state` (None before their
    first log), under the rules of this module's docstring. `amount` is the log's value, or
    any positive number when the streak counts logs."""
    if amount <= 0:
        raise ValueError("a log's amount is more than 0")
    period = period_of(spec, at)
    if state is None:
        return _opened(spec, 0, period, amount, at, ())
    logged = _as_logged(state)
    if period.start < logged.period.start:
        return StreakOutcome(state, late=True)
    if logged.status is StreakStatus.COMPLETED:
        return _opened(spec, logged.run + 1, period, amount, at, (logged,))
    seen = seen_at(spec, logged, at)
    if seen.status is StreakStatus.BROKEN:
        return _opened(spec, logged.run + 1, period, amount, at, (seen,))
    if period.start > logged.period.start:
        # Not broken, so the current period is met and this log is in the next one.
        logged = replace(logged, period=period, period_total=Decimal(0))
    return _counted(spec, logged, amount, at, ())


def replay(spec: StreakSpec, activities: Iterable[Activity]) -> list[StreakState]:
    """Every run a member went through, oldest first, rebuilt from their logs in the order the
    ledger took them; the last is the current run (as its logs left it: read it through
    `seen_at`). Empty before any log."""
    runs: list[StreakState] = []
    state: StreakState | None = None
    for activity in activities:
        outcome = apply(spec, state, activity.amount, activity.at)
        runs += outcome.finished
        state = outcome.state
    return runs if state is None else [*runs, state]
