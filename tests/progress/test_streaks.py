"""Streaks: periods met in a row, broken by a missed period, completed, milestones once a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby, pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patron.progress.engine import Aggregation
from patron.progress.streaks import (
    Activity,
    MilestoneReached,
    StreakOutcome,
    StreakSpec,
    StreakState,
    StreakStatus,
    apply,
    following,
    needed,
    period_of,
    replay,
    seen_at,
)
from patron.progress.windows import Window, WindowKind, calendar_window
from tests.progress.test_window_properties import (
    ZONES,
    ZonedInstant,
    first_day,
    instants_in,
    key_of,
    local_date,
    next_first_day,
    starts_its_local_day,
    zoned_instants,
)

DAY, WEEK, MONTH = WindowKind.DAY, WindowKind.WEEK, WindowKind.MONTH
COUNT, SUM = Aggregation.COUNT, Aggregation.SUM
IN_PROGRESS, BROKEN, COMPLETED = StreakStatus.IN_PROGRESS, StreakStatus.BROKEN, StreakStatus.COMPLETED
STOCKHOLM = "Europe/Stockholm"


def streak(
    period: WindowKind = DAY,
    *,
    target: int = 1,
    completion: int = 30,
    milestones: tuple[int, ...] = (),
    aggregation: Aggregation = COUNT,
    zone: str = STOCKHOLM,
) -> StreakSpec:
    return StreakSpec(
        aggregation=aggregation,
        period=period,
        period_target=Decimal(target),
        completion_target=completion,
        milestones=tuple(Decimal(m) for m in milestones),
        zone=zone,
    )


def local(day: date, hour: int = 12, minute: int = 0, zone: str = STOCKHOLM) -> datetime:
    """The instant (in UTC) of a wall-clock time in `zone`."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def log(at: datetime, amount: int = 1) -> Activity:
    return Activity(Decimal(amount), at)


def fold(spec: StreakSpec, activities: list[Activity]) -> list[StreakOutcome]:
    """Every outcome of applying the logs one by one."""
    outcomes: list[StreakOutcome] = []
    state: StreakState | None = None
    for activity in activities:
        outcomes.append(apply(spec, state, activity.amount, activity.at))
        state = outcomes[-1].state
    return outcomes


def milestones_of(outcomes: list[StreakOutcome]) -> list[tuple[Decimal, str, str]]:
    return [(m.threshold, m.period_key, m.met_period) for o in outcomes for m in o.milestones]


MONDAY = date(2024, 3, 4)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


# --- runs, breaks and reading ------------------------------------------------------------


def test_two_days_a_gap_and_a_day_make_a_broken_run_of_two_and_a_run_of_one() -> None:
    spec = streak()
    runs = replay(spec, [log(local(day(0))), log(local(day(1))), log(local(day(3)))])

    assert [(r.run, r.value, r.status) for r in runs] == [(0, 2, BROKEN), (1, 1, IN_PROGRESS)]
    broken, current = runs
    assert broken.broken_at == local(day(3), 0)  # the end of the day it missed
    assert broken.last_met == day(1).isoformat()
    assert current.started_at == local(day(3))
    assert current.period.key == current.last_met == day(3).isoformat()
    assert current.key == "run-1"


def test_a_reader_sees_the_run_broken_once_the_period_it_needs_has_ended() -> None:
    spec = streak()
    state = replay(spec, [log(local(day(0))), log(local(day(1)))])[-1]

    assert needed(spec, state) == period_of(spec, local(day(2)))
    assert seen_at(spec, state, local(day(2), 23, 59)) == state
    seen = seen_at(spec, state, local(day(3), 0))
    assert (seen.status, seen.broken_at, seen.value) == (BROKEN, local(day(3), 0), 2)
    assert seen_at(spec, seen, local(day(9))) == seen


def test_a_run_whose_first_period_ends_unmet_breaks_at_nothing() -> None:
    spec = streak(target=10, aggregation=SUM)
    first = apply(spec, None, Decimal(3), local(day(0)))
    assert (first.state.value, first.state.period_total) == (0, 3)
    assert seen_at(spec, first.state, local(day(1), 0)).broken_at == local(day(1), 0)

    second = apply(spec, first.state, Decimal(10), local(day(1)))
    assert [(r.run, r.value, r.status, r.broken_at) for r in second.finished] == [
        (0, 0, BROKEN, local(day(1), 0))
    ]
    assert (second.state.run, second.state.value, second.state.status) == (1, 1, IN_PROGRESS)


def test_a_log_at_the_very_end_of_the_needed_period_still_counts() -> None:
    spec = streak()
    state = apply(spec, None, Decimal(1), local(day(0))).state
    end = local(day(2), 0)
    just_in = apply(spec, state, Decimal(1), end - timedelta(microseconds=1))
    assert (just_in.state.run, just_in.state.value) == (0, 2)
    too_late = apply(spec, state, Decimal(1), end)
    assert [r.broken_at for r in too_late.finished] == [end]
    assert (too_late.state.run, too_late.state.value) == (1, 1)


def test_a_log_for_an_earlier_period_is_late_and_changes_nothing() -> None:
    spec = streak(target=2)
    state = replay(spec, [log(local(day(0))), log(local(day(0), 13)), log(local(day(1)))])[-1]

    late = apply(spec, state, Decimal(1), local(day(0), 18))
    assert late.late and late.state is state and not late.finished and not late.milestones
    assert not late.completed
    on_time = apply(spec, state, Decimal(1), local(day(1), 18))
    assert not on_time.late and on_time.state.value == 2


def test_the_needed_periods_log_sent_after_a_reader_saw_the_run_broken_still_counts() -> None:
    # A till sends the evening's sale the next morning, after the worker wrote the run broken.
    spec = streak()
    state = replay(spec, [log(local(day(0))), log(local(day(1)))])[-1]
    written = seen_at(spec, state, local(day(3), 0, 30))
    assert written.status is BROKEN

    evening = local(day(2), 23, 50)
    revived = apply(spec, written, Decimal(1), evening)
    assert revived == apply(spec, state, Decimal(1), evening)
    assert (revived.state.run, revived.state.value, revived.state.status) == (0, 3, IN_PROGRESS)
    assert revived.state.broken_at is None

    # Once a later log has moved the run on, the missed day stays missed.
    moved_on = apply(spec, written, Decimal(1), local(day(3), 9))
    assert [(r.run, r.status, r.broken_at) for r in moved_on.finished] == [(0, BROKEN, local(day(3), 0))]
    assert apply(spec, moved_on.state, Decimal(1), evening).late


# --- completion and milestones -----------------------------------------------------------


def test_a_run_completes_with_the_log_that_meets_its_last_period() -> None:
    spec = streak(target=10, completion=3, aggregation=SUM)
    outcomes = fold(
        spec,
        [
            log(local(day(0)), 10),
            log(local(day(1)), 12),
            log(local(day(2), 10), 4),
            log(local(day(2), 12), 6),
        ],
    )
    assert [o.completed for o in outcomes] == [False, False, False, True]
    done = outcomes[-1].state
    assert (done.value, done.status, done.completed_at) == (3, COMPLETED, local(day(2), 12))
    assert seen_at(spec, done, local(day(30))) == done  # nothing to miss any more


def test_the_log_after_completion_starts_a_new_run_counting_only_its_own_logs() -> None:
    spec = streak(target=2, completion=2)
    done = replay(
        spec, [log(local(day(0), 9)), log(local(day(0), 10)), log(local(day(1), 9)), log(local(day(1), 10))]
    )
    assert [(r.run, r.value, r.status) for r in done] == [(0, 2, COMPLETED)]

    same_day = apply(spec, done[-1], Decimal(1), local(day(1), 18))
    assert same_day.finished == (done[-1],)
    assert (same_day.state.run, same_day.state.value, same_day.state.period_total) == (1, 0, 1)
    assert same_day.state.period.key == day(1).isoformat()
    assert apply(spec, done[-1], Decimal(1), local(day(0), 18)).late


def test_a_milestone_is_reached_once_a_run_and_again_in_the_next_run() -> None:
    spec = streak(target=10, completion=5, milestones=(2, 3), aggregation=SUM)
    outcomes = fold(
        spec,
        [
            log(local(day(0)), 10),
            log(local(day(1), 9), 5),
            log(local(day(1), 10), 7),  # meets day 1: two in a row
            log(local(day(1), 11), 20),  # day 1 again: nothing more
            log(local(day(2)), 10),  # three in a row
            log(local(day(4)), 10),  # day 3 missed: run 1 starts
            log(local(day(5)), 10),
            log(local(day(5), 13), 10),
        ],
    )
    assert milestones_of(outcomes) == [
        (Decimal(2), "run-0", day(1).isoformat()),
        (Decimal(3), "run-0", day(2).isoformat()),
        (Decimal(2), "run-1", day(5).isoformat()),
    ]
    assert outcomes[2].milestones == (
        MilestoneReached(Decimal(2), 0, "run-0", day(1).isoformat(), local(day(1), 10)),
    )
    assert outcomes[3].state.period_total == 32  # the period's real total, past its target


def test_a_milestone_at_the_completion_target_is_reached_with_the_completion() -> None:
    spec = streak(completion=2, milestones=(1, 2, 7))
    outcomes = fold(spec, [log(local(day(0))), log(local(day(1))), log(local(day(2))), log(local(day(3)))])
    assert milestones_of(outcomes) == [
        (Decimal(1), "run-0", day(0).isoformat()),
        (Decimal(2), "run-0", day(1).isoformat()),
        (Decimal(1), "run-1", day(2).isoformat()),
        (Decimal(2), "run-1", day(3).isoformat()),
    ]
    assert [o.completed for o in outcomes] == [False, True, False, True]


def test_count_counts_logs_and_sum_adds_their_values() -> None:
    at = [local(day(0), hour) for hour in (9, 10, 11, 12)]
    summed = fold(streak(target=3, aggregation=SUM), [log(at[0], 5)])
    assert (summed[-1].state.period_total, summed[-1].state.value) == (5, 1)

    counted = fold(streak(target=3, aggregation=COUNT), [log(moment, 5) for moment in at])
    assert [(o.state.period_total, o.state.value) for o in counted] == [(1, 0), (2, 0), (3, 1), (4, 1)]


# --- calendar periods --------------------------------------------------------------------


def test_weeks_run_across_the_new_year_by_iso_week() -> None:
    spec = streak(WEEK, target=2)
    sunday, thursday, monday = date(2020, 12, 27), date(2020, 12, 31), date(2021, 1, 4)
    activities = [log(local(d, hour)) for d in (sunday, thursday, monday) for hour in (9, 10)]
    runs = replay(spec, activities)
    assert [(r.run, r.value, r.last_met) for r in runs] == [(0, 3, "2021-W01")]
    week_53 = period_of(spec, local(thursday))
    assert week_53.key == "2020-W53"
    assert following(spec, week_53) == period_of(spec, local(monday))
    assert week_53.start == local(date(2020, 12, 28), 0)
    assert period_of(spec, local(date(2024, 12, 30))).key == "2025-W01"
    # Week 53 of 2020 missed: broken at its end, Monday 4 January.
    gap = replay(spec, [log(local(sunday)), log(local(sunday, 13)), log(local(monday))])
    assert gap[0].broken_at == local(monday, 0)


def test_months_run_through_february_in_leap_and_common_years() -> None:
    zone = "America/New_York"
    spec = streak(MONTH, target=100, aggregation=SUM, zone=zone)
    # 23:30 on 31 January in New York is already February in UTC: it counts for January.
    activities = [
        log(local(date(2024, 1, 31), 23, 30, zone), 100),
        log(local(date(2024, 2, 29), 23, 30, zone), 100),
        log(local(date(2024, 3, 1), 0, 15, zone), 100),
    ]
    assert [(r.value, r.last_met) for r in replay(spec, activities)] == [(3, "2024-03")]
    february = following(spec, period_of(spec, local(date(2024, 1, 15), zone=zone)))
    assert (february.key, february.start, february.end) == (
        "2024-02",
        local(date(2024, 2, 1), 0, zone=zone),
        local(date(2024, 3, 1), 0, zone=zone),
    )

    january = log(local(date(2023, 1, 31), 12, zone=zone), 100)
    last_moment = local(date(2023, 3, 1), 0, zone=zone) - timedelta(microseconds=1)
    assert replay(spec, [january, log(last_moment, 100)])[-1].value == 2
    runs = replay(spec, [january, log(local(date(2023, 3, 1), 0, zone=zone), 100)])
    assert [(r.value, r.status, r.broken_at) for r in runs] == [
        (1, BROKEN, local(date(2023, 3, 1), 0, zone=zone)),
        (1, IN_PROGRESS, None),
    ]


@pytest.mark.parametrize(
    ("zone", "clock_change", "hours"),
    [
        (STOCKHOLM, date(2024, 3, 31), 23),
        (STOCKHOLM, date(2024, 10, 27), 25),
        ("America/New_York", date(2024, 3, 10), 23),
        ("America/New_York", date(2024, 11, 3), 25),
    ],
)
def test_a_day_of_23_or_25_hours_is_one_period(zone: str, clock_change: date, hours: int) -> None:
    spec = streak(target=2, zone=zone)
    the_day = period_of(spec, local(clock_change, zone=zone))
    assert the_day.end is not None and the_day.end - the_day.start == timedelta(hours=hours)

    before, after = clock_change - timedelta(days=1), clock_change + timedelta(days=1)
    activities = [
        log(local(before, 9, zone=zone)),
        log(local(before, 10, zone=zone)),
        log(local(clock_change, 0, 5, zone=zone)),
        log(local(clock_change, 23, 55, zone=zone)),  # 23 or 25 hours after midnight, same day
        log(local(after, 0, 5, zone=zone)),
        log(local(after, 0, 6, zone=zone)),
    ]
    runs = replay(spec, activities)
    assert [(r.run, r.value, r.last_met) for r in runs] == [(0, 3, after.isoformat())]
    assert period_of(spec, activities[3].at).key == clock_change.isoformat()

    # Met the day before and nothing on the day: broken when that day ends, by its own clock.
    missed = replay(spec, [*activities[:2], log(local(after, 9, zone=zone))])
    assert missed[0].broken_at == the_day.start + timedelta(hours=hours)


def test_a_spec_refuses_what_is_not_a_streak() -> None:
    with pytest.raises(ValueError):
        streak(WindowKind.MONTHS_FROM_START)
    with pytest.raises(ValueError):
        streak(target=0)
    with pytest.raises(ValueError):
        streak(completion=0)
    with pytest.raises(ValueError):
        streak(milestones=(2, 0))
    with pytest.raises(ZoneInfoNotFoundError):
        streak(zone="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        apply(streak(), None, Decimal(0), local(day(0)))


# --- properties --------------------------------------------------------------------------

KINDS = (DAY, WEEK, MONTH)
# Hours between logs that make the same period, the next one and gaps all likely.
SCALE = {DAY: 40, WEEK: 24 * 10, MONTH: 24 * 45}


@settings(max_examples=500)
@given(point=zoned_instants(), kind=st.sampled_from(KINDS))
def test_the_period_of_an_instant_holds_it_and_periods_tile_time(
    point: ZonedInstant, kind: WindowKind
) -> None:
    spec = streak(kind, zone=point.zone)
    tz = point.tz
    period = period_of(spec, point.instant)
    assert period.contains(point.instant)
    assert period.key == key_of(kind, local_date(point.instant, tz))
    after = following(spec, period)
    assert after.start == period.end and after.key != period.key
    assert after.start > period.start
    assert starts_its_local_day(period.start, tz)
    first = local_date(period.start, tz)
    assert first == first_day(kind, local_date(point.instant, tz))
    if kind is DAY:
        assert period.end is not None
        assert timedelta(hours=23) <= period.end - period.start <= timedelta(hours=25)
    elif kind is WEEK:
        assert first.weekday() == 0  # Monday, at 00:00 or where the clock jumped to
    else:
        assert first.day == 1


@st.composite
def streak_specs(draw: st.DrawFn) -> StreakSpec:
    completion = draw(st.integers(1, 6))
    return streak(
        draw(st.sampled_from(KINDS)),
        target=draw(st.integers(1, 5)),
        completion=completion,
        milestones=tuple(draw(st.sets(st.integers(1, completion + 1), max_size=3))),
        aggregation=draw(st.sampled_from([COUNT, SUM])),
        zone=draw(st.sampled_from(ZONES)),
    )


@dataclass(frozen=True, slots=True)
class Step:
    """A log, and the instant a reader (the worker) looked at the run before it, if one did."""

    activity: Activity
    read_at: datetime | None


@st.composite
def ledgers(draw: st.DrawFn, spec: StreakSpec, *, in_order: bool = False) -> list[Step]:
    scale = SCALE[spec.period]
    at = draw(instants_in(spec.zone))
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        minutes = draw(st.integers(0 if in_order else -scale * 20, scale * 60))
        at += timedelta(minutes=minutes)
        read = draw(st.none() | st.integers(-scale * 60, scale * 120))
        read_at = None if read is None else at + timedelta(minutes=read)
        steps.append(Step(Activity(Decimal(draw(st.integers(1, 5))), at), read_at))
    return steps


@settings(max_examples=400)
@given(data=st.data())
def test_replay_gives_the_rows_whenever_a_worker_wrote_runs_broken(data: st.DataObject) -> None:
    spec = data.draw(streak_specs())
    steps = data.draw(ledgers(spec))
    activities = [step.activity for step in steps]
    runs = replay(spec, activities)

    plain = fold(spec, activities)
    assert runs == [r for o in plain for r in o.finished] + [plain[-1].state]

    # The rows as the service keeps them, the worker writing what readers see between logs.
    finished: list[StreakState] = []
    row: StreakState | None = None
    for step, untouched in zip(steps, plain, strict=True):
        if row is not None and step.read_at is not None:
            row = seen_at(spec, row, step.read_at)
        outcome = apply(spec, row, step.activity.amount, step.activity.at)
        assert (outcome.finished, outcome.milestones, outcome.late) == (
            untouched.finished,
            untouched.milestones,
            untouched.late,
        )
        finished += outcome.finished
        row = outcome.state
    assert row is not None
    later = max(s.read_at or s.activity.at for s in steps)
    assert finished == runs[:-1]
    assert seen_at(spec, row, later) == seen_at(spec, runs[-1], later)


@settings(max_examples=300)
@given(data=st.data())
def test_a_log_counts_in_its_own_period_unless_that_period_is_behind_the_run(data: st.DataObject) -> None:
    spec = data.draw(streak_specs())
    state: StreakState | None = None
    for step in data.draw(ledgers(spec)):
        at, amount = step.activity.at, step.activity.amount
        outcome = apply(spec, state, amount, at)
        own = period_of(spec, at)
        if outcome.late:
            assert state is not None and own.start < state.period.start
            assert outcome.state is state and not outcome.finished and not outcome.milestones
            continue
        assert outcome.state.period == own
        before = (
            Decimal(0)
            if state is None or outcome.state.run != state.run or state.period != own
            else state.period_total
        )
        assert outcome.state.period_total == before + spec.period_plan.goal.contribution(amount)
        state = outcome.state


@settings(max_examples=400)
@given(data=st.data())
def test_milestones_are_reached_once_a_run_up_to_its_value(data: st.DataObject) -> None:
    spec = data.draw(streak_specs())
    outcomes = fold(spec, [step.activity for step in data.draw(ledgers(spec))])
    runs = [r for o in outcomes for r in o.finished] + [outcomes[-1].state]

    reached = [(m.run, m.threshold) for o in outcomes for m in o.milestones]
    assert len(reached) == len(set(reached))
    for run in runs:
        assert {t for r, t in reached if r == run.run} == {m for m in spec.milestones if m <= run.value}
    assert all(m.period_key == f"run-{m.run}" for o in outcomes for m in o.milestones)
    assert [r.run for r in runs] == list(range(len(runs)))
    for run in runs:
        assert (run.status is COMPLETED) == (run.value == spec.completion_target)
        assert run.value <= spec.completion_target
        assert (run.broken_at is not None) == (run.status is BROKEN)
    for earlier, later in pairwise(runs):
        if earlier.broken_at is not None:
            assert later.started_at >= earlier.broken_at


@dataclass(frozen=True, slots=True)
class Expected:
    value: int
    started_at: datetime
    period: Window
    period_total: Decimal
    broken_at: datetime | None


def runs_from_periods(spec: StreakSpec, activities: list[Activity]) -> list[Expected]:
    """The runs of logs in time order that never complete, worked out period by period: the
    logs grouped by the local period they fall in, a run going on while each period is met and
    the next one has logs."""
    tz = ZoneInfo(spec.zone)
    runs: list[Expected] = []
    for _, same in groupby(activities, key=lambda a: key_of(spec.period, local_date(a.at, tz))):
        group = list(same)
        period = calendar_window(spec.period, group[0].at, tz)
        total = sum((spec.period_plan.goal.contribution(a.amount) for a in group), Decimal(0))
        met = int(total >= spec.period_target)
        if runs:
            last = runs[-1]
            last_first = local_date(last.period.start, tz)
            if last.period_total >= spec.period_target and local_date(period.start, tz) == next_first_day(
                spec.period, last_first
            ):
                runs[-1] = Expected(last.value + met, last.started_at, period, total, None)
                continue
            missed = (
                last.period if last.period_total < spec.period_target else period_after(spec, last.period)
            )
            runs[-1] = Expected(last.value, last.started_at, last.period, last.period_total, missed.end)
        runs.append(Expected(met, group[0].at, period, total, None))
    return runs


def period_after(spec: StreakSpec, period: Window) -> Window:
    assert period.end is not None
    return calendar_window(spec.period, period.end, ZoneInfo(spec.zone))


@settings(max_examples=400)
@given(data=st.data())
def test_runs_of_logs_in_time_order_are_the_met_periods_in_a_row(data: st.DataObject) -> None:
    spec = data.draw(streak_specs())
    spec = streak(
        spec.period,
        target=int(spec.period_target),
        completion=1000,
        aggregation=spec.aggregation,
        zone=spec.zone,
    )
    activities = [step.activity for step in data.draw(ledgers(spec, in_order=True))]
    runs = replay(spec, activities)
    assert [
        Expected(r.value, r.started_at, r.period, r.period_total, r.broken_at) for r in runs
    ] == runs_from_periods(spec, activities)
    assert all(r.status is BROKEN for r in runs[:-1]) and runs[-1].status is IN_PROGRESS
