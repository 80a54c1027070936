"""A definition as a configuration of the progress engine, and challenge rows as engine states."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from patron.challenges.statuses import ChallengeStatus
from patron.models import Challenge, ChallengeDefinition
from patron.progress.engine import Goal, Plan, State, Status
from patron.progress.windows import Window, WindowKind, WindowSpec


def checkpoint_rewards(rewards: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(item["atCheckpoint"]): item["reward"] for item in rewards.get("checkpoints") or []}


def plan_of(definition: ChallengeDefinition) -> Plan:
    if definition.expiration_months:
        window = WindowSpec(WindowKind.MONTHS_FROM_START, definition.expiration_months, definition.time_zone)
    else:
        window = WindowSpec(WindowKind.NONE, zone=definition.time_zone)
    return Plan(
        goal=Goal(Decimal(definition.required_checkpoints)),
        window=window,
        thresholds=tuple(Decimal(n) for n in checkpoint_rewards(definition.rewards or {})),
        recurring=definition.is_recurring,
    )


def state_of(challenge: Challenge) -> State:
    return State(
        cycle=challenge.cycle,
        value=Decimal(challenge.completed_checkpoints),
        started_at=challenge.started_on,
        window=Window(start=challenge.started_on, end=challenge.ends_on),
        status=Status.COMPLETED if challenge.status == ChallengeStatus.COMPLETED else Status.ACTIVE,
        completed_at=challenge.completed_on,
        last_activity_at=challenge.latest_checkpoint_on,
    )


def write_state(challenge: Challenge, state: State, *, current: bool) -> None:
    challenge.cycle = state.cycle
    challenge.completed_checkpoints = int(state.value)
    challenge.status = (
        ChallengeStatus.COMPLETED if state.status is Status.COMPLETED else ChallengeStatus.ACTIVE
    )
    challenge.started_on = state.started_at
    challenge.ends_on = state.window.end
    challenge.completed_on = state.completed_at
    challenge.latest_checkpoint_on = state.last_activity_at
    challenge.is_current = current
