"""Campaign rules on the one progress engine (pure: standard library and the engine only).

Each action of a rule is a plan of the engine: a goal (`count` events or `sum` a metadata
property, toward `target`) with no calendar window. The rule's kind decides when actions
count and what completing them means:

- RTA (real-time actions): every event that meets an action's conditions counts; the rule
  completes when every action has reached its target.
- AWT (actions with time): the benchmark actions count first; when they are all met the
  timer starts (`start_time`, `end_time = start_time + time_duration`). Trigger actions count
  only inside [start_time, end_time); the rule completes when they all reach their targets in
  time, and is missed when the time runs out.
- IWT (inaction within time): as AWT, but the triggers reaching their targets in time misses
  the rule, and the window closing without them completes it (found by the window job).

Events outside the campaign's [starts_at, ends_at) count for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from patron.campaigns.conditions import Condition, all_hold, lookup, number_of
from patron.progress import engine
from patron.progress.windows import Window


class ActionType(StrEnum):
    RTA = "RTA"
    AWT = "AWT"
    IWT = "IWT"


class Role(StrEnum):
    BENCHMARK = "benchmark"
    TRIGGER = "trigger"


class RuleStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    MISSED = "missed"


TIMED = frozenset({ActionType.AWT, ActionType.IWT})


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    event_name: str
    role: Role | None
    aggregation: engine.Aggregation
    # The metadata property a sum adds up.
    summed_property: str | None
    target: Decimal
    conditions: tuple[Condition, ...] = ()

    @property
    def plan(self) -> engine.Plan:
        return engine.Plan(goal=engine.Goal(self.target, self.aggregation))

    def amount_in(self, metadata: Mapping[str, Any]) -> Decimal | None:
        """What an event adds to this action, or None when it does not count for it."""
        if not all_hold(self.conditions, metadata):
            return None
        if self.aggregation is engine.Aggregation.COUNT:
            return Decimal(1)
        number = number_of(lookup(metadata, self.summed_property or ""))
        return number if number is not None and number > 0 else None


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    campaign_id: str
    action_type: ActionType
    time_duration: int | None
    actions: tuple[ActionSpec, ...]

    def of_role(self, role: Role) -> tuple[ActionSpec, ...]:
        return tuple(action for action in self.actions if action.role is role)


@dataclass(frozen=True, slots=True)
class CampaignPeriod:
    starts_at: datetime | None
    ends_at: datetime | None

    def contains(self, at: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= at) and (
            self.ends_at is None or at < self.ends_at
        )


@dataclass(frozen=True, slots=True)
class RuleState:
    status: RuleStatus = RuleStatus.ACTIVE
    start_time: datetime | None = None
    end_time: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionState:
    value: Decimal = Decimal(0)
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    metadata: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Step:
    """What an event (or the window closing) did to one customer's rule."""

    rule: RuleState
    # The actions whose state changed, by action id.
    actions: Mapping[str, ActionState] = field(default_factory=dict)
    # This step completed the rule (it earns its reward) or missed it for good.
    completed: bool = False
    missed: bool = False
    # This step met the benchmark and started the timer (AWT, IWT).
    timer_started: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.actions) or self.completed or self.missed or self.timer_started


def _counted(action: ActionSpec, state: ActionState, amount: Decimal, at: datetime) -> ActionState | None:
    """The action's state after `amount` at `at`, through the engine; None when refused."""
    current = engine.State(
        cycle=0,
        value=state.value,
        started_at=at,
        window=Window(at, None),
        status=engine.Status.COMPLETED if state.completed_at is not None else engine.Status.ACTIVE,
        completed_at=state.completed_at,
    )
    outcome = engine.apply(action.plan, current, amount, at)
    if not outcome.accepted:
        return None
    done = outcome.state.status is engine.Status.COMPLETED
    return ActionState(outcome.state.value, at if done else None)


def _count(
    actions: tuple[ActionSpec, ...],
    states: Mapping[str, ActionState],
    event: Event,
) -> dict[str, ActionState]:
    changed: dict[str, ActionState] = {}
    for action in actions:
        if action.event_name != event.name:
            continue
        amount = action.amount_in(event.metadata)
        if amount is None:
            continue
        after = _counted(action, states.get(action.id, ActionState()), amount, event.at)
        if after is not None:
            changed[action.id] = after
    return changed


def _all_met(actions: tuple[ActionSpec, ...], states: Mapping[str, ActionState]) -> bool:
    return all(states.get(action.id, ActionState()).completed_at is not None for action in actions)


def take(
    rule: RuleSpec,
    period: CampaignPeriod,
    state: RuleState,
    actions: Mapping[str, ActionState],
    event: Event,
) -> Step:
    """One event's effect on one customer's rule."""
    if state.status is not RuleStatus.ACTIVE or not period.contains(event.at):
        return Step(state)
    if rule.action_type is ActionType.RTA:
        changed = _count(rule.actions, actions, event)
        if changed and _all_met(rule.actions, {**actions, **changed}):
            return Step(RuleState(RuleStatus.COMPLETED, completed_at=event.at), changed, completed=True)
        return Step(state, changed)
    return _take_timed(rule, state, actions, event)


def _take_timed(rule: RuleSpec, state: RuleState, actions: Mapping[str, ActionState], event: Event) -> Step:
    if state.start_time is None or state.end_time is None:
        changed = _count(rule.of_role(Role.BENCHMARK), actions, event)
        if not changed or not _all_met(rule.of_role(Role.BENCHMARK), {**actions, **changed}):
            return Step(state, changed)
        # The event that meets the benchmark starts the timer; it is not also a trigger.
        end = event.at + timedelta(seconds=rule.time_duration or 0)
        return Step(RuleState(RuleStatus.ACTIVE, event.at, end), changed, timer_started=True)
    if event.at < state.start_time:
        # A late event from before the benchmark: a trigger before its benchmark counts for nothing.
        return Step(state)
    if event.at >= state.end_time:
        return _closed(rule, state, state.end_time)
    changed = _count(rule.of_role(Role.TRIGGER), actions, event)
    if not changed or not _all_met(rule.of_role(Role.TRIGGER), {**actions, **changed}):
        return Step(state, changed)
    if rule.action_type is ActionType.AWT:
        return Step(
            RuleState(RuleStatus.COMPLETED, state.start_time, state.end_time, event.at),
            changed,
            completed=True,
        )
    return Step(RuleState(RuleStatus.MISSED, state.start_time, state.end_time), changed, missed=True)


def _closed(rule: RuleSpec, state: RuleState, end: datetime) -> Step:
    """The window ended with the triggers short of their targets: an AWT rule is missed, an
    IWT rule completed (at the window's end)."""
    if rule.action_type is ActionType.IWT:
        return Step(RuleState(RuleStatus.COMPLETED, state.start_time, state.end_time, end), completed=True)
    return Step(RuleState(RuleStatus.MISSED, state.start_time, state.end_time), missed=True)


def close_window(rule: RuleSpec, state: RuleState, at: datetime) -> Step:
    """The window job's question for a running timer at `at`."""
    if state.status is not RuleStatus.ACTIVE or state.end_time is None or at < state.end_time:
        return Step(state)
    return _closed(rule, state, state.end_time)
