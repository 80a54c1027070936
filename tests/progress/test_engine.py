"""The progress engine without a database: goals, thresholds, completion, expiry, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.progress.engine import Aggregation, Goal, Plan, Refusal, Status, apply, close, replay, start
from patron.progress.windows import WindowKind, WindowSpec

T0 = datetime(2024, 1, 31, 10, tzinfo=UTC)


def stamp_card(required: int = 5, *, recurring: bool = False, thresholds: tuple[int, ...] = ()) -> Plan:
    return Plan(
        goal=Goal(Decimal(required)),
        recurring=recurring,
        thresholds=tuple(Decimal(t) for t in thresholds),
    )


def test_seven_stamps_on_a_recurring_five_stamp_card_complete_one_and_start_the_next_at_two() -> None:
    plan = stamp_card(recurring=True)
    outcome = apply(plan, start(plan, T0), Decimal(7), T0)
    assert [(s.cycle, s.value, s.status) for s in outcome.finished] == [(0, 5, Status.COMPLETED)]
    assert (outcome.state.cycle, outcome.state.value, outcome.state.status) == (1, 2, Status.ACTIVE)
    assert [(c.threshold, c.period_key, c.completes) for c in outcome.crossings] == [(5, "0", True)]


def test_without_recurring_progress_stops_at_the_requirement() -> None:
    plan = stamp_card()
    outcome = apply(plan, start(plan, T0), Decimal(7), T0)
    assert outcome.state.value == 5 and outcome.state.status is Status.COMPLETED
    again = apply(plan, outcome.state, Decimal(1), T0)
    assert again.refused is Refusal.COMPLETED


def test_checkpoint_thresholds_are_crossed_once_each() -> None:
    plan = stamp_card(thresholds=(2, 4))
    first = apply(plan, start(plan, T0), Decimal(3), T0)
    second = apply(plan, first.state, Decimal(3), T0)
    assert [c.threshold for c in first.crossings] == [2]
    assert [c.threshold for c in second.crossings] == [4, 5]


def test_expiry_after_months_refuses_later_activity() -> None:
    plan = Plan(goal=Goal(Decimal(5)), window=WindowSpec(WindowKind.MONTHS_FROM_START, 1, "Europe/Stockholm"))
    state = start(plan, T0)
    in_time = apply(plan, state, Decimal(1), datetime(2024, 2, 29, 22, 59, tzinfo=UTC))
    assert in_time.accepted
    late = apply(plan, in_time.state, Decimal(1), datetime(2024, 2, 29, 23, 0, tzinfo=UTC))
    assert late.refused is Refusal.EXPIRED
    assert late.state.status is Status.FAILED


def test_a_daily_sum_window_fails_when_it_closes_and_a_new_one_starts() -> None:
    plan = Plan(
        goal=Goal(Decimal(500), Aggregation.SUM),
        window=WindowSpec(WindowKind.DAY, zone="Europe/Stockholm"),
        thresholds=(Decimal(200),),
    )
    state = start(plan, T0)
    first = apply(plan, state, Decimal("350.50"), T0)
    assert [c.threshold for c in first.crossings] == [200]
    next_day = apply(plan, first.state, Decimal(10), T0 + timedelta(days=1))
    assert [s.status for s in next_day.finished] == [Status.FAILED]
    assert next_day.state.value == 10 and next_day.state.window.key == "2024-02-01"
    assert close(plan, next_day.state, T0 + timedelta(days=5)).status is Status.FAILED


def test_count_aggregation_counts_activities_not_values() -> None:
    plan = Plan(goal=Goal(Decimal(10), Aggregation.COUNT))
    outcome = apply(plan, start(plan, T0), Decimal(999), T0)
    assert outcome.state.value == 1


def test_zero_or_negative_amounts_are_refused() -> None:
    plan = stamp_card()
    assert apply(plan, start(plan, T0), Decimal(0), T0).refused is Refusal.NOT_POSITIVE


@settings(max_examples=300)
@given(
    amounts=st.lists(st.integers(1, 12), max_size=30),
    required=st.integers(1, 9),
    recurring=st.booleans(),
)
def test_total_is_conserved_across_cycles(amounts: list[int], required: int, recurring: bool) -> None:
    plan = stamp_card(required, recurring=recurring, thresholds=(1,))
    states = replay(plan, T0, [(Decimal(a), T0 + timedelta(minutes=i)) for i, a in enumerate(amounts)])
    total = sum(amounts)
    if recurring:
        assert len(states) == total // required + 1
        assert sum(s.value for s in states) == total
        assert states[-1].value == total % required
        assert all(s.status is Status.COMPLETED for s in states[:-1])
    else:
        assert len(states) == 1
        assert states[0].value == min(total, required)
        assert (states[0].status is Status.COMPLETED) == (total >= required)
