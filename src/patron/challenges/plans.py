"""A definition as a configuration of the progress engine, and challenge rows as engine states."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from patron.challenges.rows import ChallengeRow
from patron.challenges.statuses import ChallengeStatus
from patron.models import Challenge, ChallengeDefinition
from patron.progress.engine import Advance, Goal, Plan, State, Status
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


def _engine_status(challenge: ChallengeRow) -> Status:
    return Status.COMPLETED if challenge.status == ChallengeStatus.COMPLETED else Status.ACTIVE


def state_of(challenge: ChallengeRow) -> State:
    return State(
        cycle=challenge.cycle,
        value=Decimal(challenge.completed_checkpoints),
        started_at=challenge.started_on,
        window=Window(start=challenge.started_on, end=challenge.ends_on),
        status=_engine_status(challenge),
        completed_at=challenge.completed_on,
        last_activity_at=challenge.latest_checkpoint_on,
    )


def plainly_counted(
    advance: Advance, challenge: ChallengeRow, amounts: list[int], at: datetime
) -> int | None:
    """The challenge's count after `amounts` at `at` when they only add to it
    (`engine.Advance.value_after`); None when the engine must decide. The state the engine
    would reach is the challenge as it is with this count and its latest checkpoint at `at`."""
    value = advance.value_after(
        _engine_status(challenge),
        challenge.completed_checkpoints,
        challenge.started_on,
        challenge.ends_on,
        amounts,
        at,
    )
    return None if value is None else int(value)


def columns_of(state: State, *, current: bool) -> dict[str, Any]:
    """The challenge row's columns that hold an engine state."""
    return {
        "cycle": state.cycle,
        "completed_checkpoints": int(state.value),
        "status": int(
            ChallengeStatus.COMPLETED if state.status is Status.COMPLETED else ChallengeStatus.ACTIVE
        ),
        "started_on": state.started_at,
        "ends_on": state.window.end,
        "completed_on": state.completed_at,
        "latest_checkpoint_on": state.last_activity_at,
        "is_current": current,
    }


def write_state(challenge: Challenge, state: State, *, current: bool) -> None:
    for name, value in columns_of(state, current=current).items():
        setattr(challenge, name, value)
