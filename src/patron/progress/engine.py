"""The progress engine: given a plan, a participant's state and an amount at an instant, the
new state, the cycles or windows it closed, and the thresholds it crossed.

Pure: standard library only, no I/O. Engage challenges (checkpoints toward a requirement,
optional expiry N months after the start, recurring stamp cards), windowed challenges (sum or
count per day/week/month, milestones, `failed` when a window closes) and streak periods are
configurations of the same `Plan`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from patron.progress.windows import Window, WindowSpec, window_for


class Aggregation(StrEnum):
    COUNT = "count"  # every activity counts one, whatever its value
    SUM = "sum"  # activities add their value


class Status(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    FAILED = "failed"  # its window ended before the target was reached


class Refusal(StrEnum):
    NOT_POSITIVE = "not_positive"
    COMPLETED = "completed"
    EXPIRED = "expired"
    BEFORE_WINDOW = "before_window"


@dataclass(frozen=True, slots=True)
class Goal:
    target: Decimal
    aggregation: Aggregation = Aggregation.SUM

    def contribution(self, amount: Decimal) -> Decimal:
        return Decimal(1) if self.aggregation is Aggregation.COUNT else amount


@dataclass(frozen=True, slots=True)
class Plan:
    goal: Goal
    window: WindowSpec = field(default_factory=WindowSpec)
    # Values inside a cycle that earn something when reached (checkpoint rewards, milestones).
    thresholds: tuple[Decimal, ...] = ()
    # After completion a fresh cycle starts at once and the surplus carries over into it.
    recurring: bool = False
    # The values inside a cycle where something happens, in order: the thresholds and the
    # target. Worked out once; every amount applied asks for them.
    marks: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "marks", tuple(sorted({*self.thresholds, self.goal.target})))


@dataclass(frozen=True, slots=True)
class State:
    cycle: int
    value: Decimal
    started_at: datetime
    window: Window
    status: Status = Status.ACTIVE
    completed_at: datetime | None = None
    failed_at: datetime | None = None
    last_activity_at: datetime | None = None

    @property
    def period_key(self) -> str:
        """Names the cycle (and calendar window) for exactly-once rewards."""
        return f"{self.window.key}/{self.cycle}" if self.window.key else str(self.cycle)


@dataclass(frozen=True, slots=True)
class Crossing:
    threshold: Decimal
    period_key: str
    completes: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    state: State
    refused: Refusal | None = None
    # Cycles completed or windows failed on the way, oldest first (not including `state`).
    finished: tuple[State, ...] = ()
    crossings: tuple[Crossing, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.refused is None


_NOTHING = Decimal(0)


def start(plan: Plan, at: datetime, cycle: int = 0) -> State:
    return State(cycle, _NOTHING, at, window_for(plan.window, at, at))


def close(plan: Plan, state: State, at: datetime) -> State:
    """The state as seen at `at`: an active one whose window has ended becomes failed."""
    end = state.window.end
    if state.status is Status.ACTIVE and end is not None and at >= end:
        return replace(state, status=Status.FAILED, failed_at=end)
    return state


def _moved_on(state: State, value: Decimal, at: datetime) -> State:
    """`state` with a new value and its latest activity at `at` (the engine's commonest step,
    spelled out: `dataclasses.replace` looks the fields up on every call)."""
    return State(
        state.cycle,
        value,
        state.started_at,
        state.window,
        state.status,
        state.completed_at,
        state.failed_at,
        at,
    )


def _crossed(plan: Plan, state: State, old: Decimal, new: Decimal) -> list[Crossing]:
    marks = plan.marks
    if not marks or new < marks[0] or old >= marks[-1]:
        return []
    return [
        Crossing(threshold=mark, period_key=state.period_key, completes=mark == plan.goal.target)
        for mark in marks
        if old < mark <= new
    ]


def _roll(plan: Plan, state: State, at: datetime) -> tuple[State, list[State]]:
    """Move a calendar plan into the window containing `at`, closing the one left behind."""
    if not plan.window.is_calendar or state.window.contains(at) or at < state.window.start:
        return state, []
    left = close(plan, state, at)
    return start(plan, at), [left]


def _taking(
    plan: Plan, state: State, amount: Decimal, at: datetime
) -> Outcome | tuple[State, list[State], datetime]:
    """The state that takes `amount` at `at` (its window rolled and closed as of then), the
    windows left behind on the way and the instant it counts at; or the refusal."""
    if amount <= 0:
        return Outcome(state=state, refused=Refusal.NOT_POSITIVE)
    state, finished = _roll(plan, state, at)
    if at < state.window.start:
        if plan.window.is_calendar:
            return Outcome(state=state, refused=Refusal.BEFORE_WINDOW, finished=tuple(finished))
        # A cycle that started an instant later (clocks of concurrent writers) takes it then.
        at = state.window.start
    state = close(plan, state, at)
    if state.status is Status.FAILED:
        return Outcome(state=state, refused=Refusal.EXPIRED, finished=tuple(finished))
    if state.status is Status.COMPLETED:
        return Outcome(state=state, refused=Refusal.COMPLETED, finished=tuple(finished))
    return state, finished, at


@dataclass(frozen=True, slots=True)
class Reach:
    """What an amount would do if applied, worked out arithmetically (in time independent of
    the amount): the cycles it completes (a recurring plan's every completion, a
    non-recurring plan's one) and how many times it crosses one of the plan's thresholds (the
    target counts where it is also a threshold)."""

    completions: int = 0
    threshold_crossings: int = 0


def reach(plan: Plan, state: State, amount: Decimal, at: datetime) -> Reach:
    """What `apply(plan, state, amount, at)` would complete and cross, without applying it:
    `apply` builds a state per cycle it completes, so a caller that bounds the work one
    activity can cause asks this first. Nothing for an amount `apply` refuses."""
    taking = _taking(plan, state, amount, at)
    if isinstance(taking, Outcome):
        return Reach()
    state = taking[0]
    target = plan.goal.target
    old = state.value
    new = old + plan.goal.contribution(amount)

    def crossed(low: Decimal, high: Decimal) -> int:
        return sum(1 for threshold in plan.thresholds if low < threshold <= high)

    if new < target:
        return Reach(0, crossed(old, new))
    if not plan.recurring or target <= 0:
        return Reach(1, crossed(old, target))
    cycles = int(new // target)
    rest = new - cycles * target
    return Reach(
        cycles, crossed(old, target) + (cycles - 1) * crossed(_NOTHING, target) + crossed(_NOTHING, rest)
    )


def apply(plan: Plan, state: State, amount: Decimal, at: datetime) -> Outcome:
    taking = _taking(plan, state, amount, at)
    if isinstance(taking, Outcome):
        return taking
    state, finished, at = taking

    target = plan.goal.target
    remaining = plan.goal.contribution(amount)
    crossings: list[Crossing] = []
    while True:
        old = state.value
        new = old + remaining
        if new < target:
            crossings += _crossed(plan, state, old, new)
            state = _moved_on(state, new, at)
            break
        crossings += _crossed(plan, state, old, target)
        done = State(
            state.cycle, target, state.started_at, state.window, Status.COMPLETED, at, state.failed_at, at
        )
        if not plan.recurring:
            state = done
            break
        finished.append(done)
        remaining = new - target
        state = start(plan, at, cycle=state.cycle + 1)
        if remaining == 0:
            break
    return Outcome(state=state, finished=tuple(finished), crossings=tuple(crossings))


# A value or an amount: challenge counts are whole numbers and may be passed as ints, which
# compare and add exactly with the plan's Decimals.
Number = Decimal | int


@dataclass(frozen=True, slots=True)
class Advance:
    """A shortcut for one plan, its marks worked out once (a batch asks it for every
    participant it touches): the value after `amounts` at `at` when all they do is add to an
    active state's value. Each is accepted, none reaches a threshold or the target, and the
    window neither rolls nor closes; None when `apply` must decide, amount by amount.

    Folding `apply` over the amounts gives the same state with this value and the last
    activity at `at`, and nothing finished or crossed. It spares building a state per amount
    for a participant who merely moves on, the common case in a batch.
    """

    counts: bool
    marks: tuple[Decimal, ...]
    calendar: bool

    def value_after(
        self,
        status: Status,
        value: Number,
        window_start: datetime,
        window_end: datetime | None,
        amounts: Sequence[Number],
        at: datetime,
    ) -> Number | None:
        if status is not Status.ACTIVE or self.calendar:
            return None
        if at < window_start or (window_end is not None and at >= window_end):
            return None
        if amounts and min(amounts) <= 0:
            return None
        new = value + (len(amounts) if self.counts else sum(amounts))
        for mark in self.marks:
            if mark > value:
                return new if new < mark else None
        return None


def advance_of(plan: Plan) -> Advance:
    return Advance(
        counts=plan.goal.aggregation is Aggregation.COUNT,
        marks=plan.marks,
        calendar=plan.window.is_calendar,
    )


def replay(plan: Plan, first_start: datetime, activity: list[tuple[Decimal, datetime]]) -> list[State]:
    """Every cycle a participant went through, rebuilt from the start and their accepted activity."""
    states: list[State] = []
    state = start(plan, first_start)
    for amount, at in activity:
        outcome = apply(plan, state, amount, at)
        states += outcome.finished
        state = outcome.state
    return [*states, state]
