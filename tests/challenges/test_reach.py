"""`engine.reach` says what `engine.apply` would complete and cross, in time independent of
the amount: the challenge limits (`patron.challenges.limits`) ask it before applying an amount,
so it must agree with `apply` exactly, and answer at once for amounts `apply` would take
minutes over."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.challenges.limits import most_that_fits
from patron.progress.engine import Goal, Plan, Reach, apply, reach, start
from patron.progress.windows import WindowKind, WindowSpec

T0 = datetime(2024, 1, 31, 10, tzinfo=UTC)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    target = draw(st.integers(1, 30))
    thresholds = draw(st.sets(st.integers(1, target), max_size=5))
    window = draw(st.sampled_from([WindowSpec(), WindowSpec(WindowKind.MONTHS_FROM_START, 1, "UTC")]))
    return Plan(
        goal=Goal(Decimal(target)),
        window=window,
        thresholds=tuple(Decimal(t) for t in thresholds),
        recurring=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(plans(), st.lists(st.integers(-2, 200), min_size=1, max_size=6), st.integers(0, 40))
def test_reach_is_what_apply_does(plan: Plan, amounts: list[int], days: int) -> None:
    state = start(plan, T0)
    at = T0
    for amount in amounts:
        at += timedelta(days=days)
        predicted = reach(plan, state, Decimal(amount), at)
        outcome = apply(plan, state, Decimal(amount), at)
        completions = len([s for s in outcome.finished if s.completed_at is not None])
        if outcome.state.completed_at is not None and outcome.state.completed_at == at and outcome.accepted:
            completions += 1  # a non-recurring plan's completion is its state
        thresholds = set(plan.thresholds)
        crossed = len([c for c in outcome.crossings if c.threshold in thresholds])
        assert predicted == Reach(completions, crossed)
        state = outcome.state


def test_reach_answers_at_once_for_the_largest_amount() -> None:
    """2^31 - 1 stamps on a one-stamp card: apply would build 2 147 483 647 cards."""
    plan = Plan(goal=Goal(Decimal(1)), thresholds=(Decimal(1),), recurring=True)
    started = time.monotonic()
    assert reach(plan, start(plan, T0), Decimal(2**31 - 1), T0) == Reach(2**31 - 1, 2**31 - 1)
    fitting = most_that_fits(
        2**31 - 1, lambda amount: reach(plan, start(plan, T0), Decimal(amount), T0).completions <= 100
    )
    assert fitting == 100
    assert time.monotonic() - started < 1


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_most_that_fits_is_the_largest_amount_that_fits(amount: int, most: int) -> None:
    assert most_that_fits(amount, lambda candidate: candidate <= most) == min(amount, most)
