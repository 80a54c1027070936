"""`engine.Advance`: the shortcut for amounts that only add to a state's value agrees with `apply`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.challenges.plans import columns_of, plainly_counted, state_of
from patron.challenges.statuses import ChallengeStatus
from patron.progress.engine import Aggregation, Goal, Number, Plan, Status, advance_of, apply, start
from patron.progress.windows import Window, WindowKind, WindowSpec


def plain_value(
    plan: Plan, status: Status, value: Decimal, window: Window, amounts: list[Decimal], at: datetime
) -> Number | None:
    return advance_of(plan).value_after(status, value, window.start, window.end, amounts, at)


T0 = datetime(2024, 1, 31, 10, tzinfo=UTC)

plans = st.builds(
    lambda required, thresholds, recurring, months, count: Plan(
        goal=Goal(Decimal(required), Aggregation.COUNT if count else Aggregation.SUM),
        window=WindowSpec(WindowKind.MONTHS_FROM_START, months) if months else WindowSpec(),
        thresholds=tuple(Decimal(t) for t in thresholds if t < required),
        recurring=recurring,
    ),
    st.integers(1, 30),
    st.lists(st.integers(1, 30), max_size=3),
    st.booleans(),
    st.sampled_from([0, 1, 3]),
    st.booleans(),
)


@settings(max_examples=500)
@given(
    plan=plans,
    value=st.integers(0, 35),
    completed=st.booleans(),
    amounts=st.lists(st.integers(-1, 6), min_size=1, max_size=4),
    after=st.integers(-5, 24 * 120),  # hours after the cycle started
)
def test_the_shortcut_is_taken_only_where_apply_merely_adds(
    plan: Plan, value: int, completed: bool, amounts: list[int], after: int
) -> None:
    begun = start(plan, T0)
    state = replace(begun, value=Decimal(value), status=Status.COMPLETED if completed else Status.ACTIVE)
    at = T0 + timedelta(hours=after)
    wanted = [Decimal(amount) for amount in amounts]

    folded, crossed, finished, refused = state, 0, 0, 0
    for amount in wanted:
        outcome = apply(plan, folded, amount, at)
        folded, crossed = outcome.state, crossed + len(outcome.crossings)
        finished, refused = finished + len(outcome.finished), refused + (not outcome.accepted)

    shortcut = plain_value(plan, state.status, state.value, state.window, wanted, at)
    merely_added = (
        not crossed
        and not finished
        and not refused
        and folded.status is Status.ACTIVE
        and folded.cycle == state.cycle
    )
    if shortcut is not None:
        assert merely_added
        assert folded == replace(state, value=shortcut, last_activity_at=at)
    elif state.status is Status.ACTIVE and merely_added and at >= state.window.start:
        # Declining costs only time, but an addition without event should not be declined.
        raise AssertionError(f"declined a plain addition: {state} + {wanted} at {at}")


def test_a_window_that_has_ended_goes_through_the_engine() -> None:
    plan = Plan(goal=Goal(Decimal(5)), window=WindowSpec(WindowKind.MONTHS_FROM_START, 1))
    state = start(plan, T0)
    assert state.window.end is not None
    assert plain_value(plan, state.status, Decimal(1), state.window, [Decimal(1)], state.window.end) is None
    moment_before = state.window.end - timedelta(microseconds=1)
    assert plain_value(plan, state.status, Decimal(1), state.window, [Decimal(1)], moment_before) == 2


@settings(max_examples=200)
@given(
    plan=plans,
    completed_checkpoints=st.integers(0, 35),
    status=st.sampled_from([int(s) for s in ChallengeStatus]),
    amounts=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    after=st.integers(0, 24 * 120),
)
def test_a_plainly_counted_card_is_what_the_engine_would_write(
    plan: Plan, completed_checkpoints: int, status: int, amounts: list[int], after: int
) -> None:
    begun = start(plan, T0)
    card = SimpleNamespace(
        cycle=2,
        completed_checkpoints=completed_checkpoints,
        status=status,
        started_on=T0,
        ends_on=begun.window.end,
        completed_on=None,
        latest_checkpoint_on=T0,
    )
    at = T0 + timedelta(hours=after)
    count = plainly_counted(advance_of(plan), card, amounts, at)
    if count is None:
        return
    state = state_of(card)
    for amount in amounts:
        state = apply(plan, state, Decimal(amount), at).state
    # The batch writes only the count and the latest checkpoint's time: the rest must stay.
    assert columns_of(state, current=True) == {
        **columns_of(state_of(card), current=True),
        "completed_checkpoints": count,
        "latest_checkpoint_on": at,
    }


def test_windows_are_compared_as_the_engine_does() -> None:
    window = Window(start=T0, end=None)
    plan = Plan(goal=Goal(Decimal(3)), thresholds=(Decimal(2),))
    assert plain_value(plan, Status.ACTIVE, Decimal(0), window, [Decimal(1)], T0) == 1
    assert plain_value(plan, Status.ACTIVE, Decimal(1), window, [Decimal(1)], T0) is None  # reaches 2
    assert (
        plain_value(plan, Status.ACTIVE, Decimal(0), window, [Decimal(1)], T0 - timedelta(seconds=1)) is None
    )
