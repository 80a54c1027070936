"""One customer's rows on a set of rules (one side of them), read once, moved by the rules'
steps, and written back: the materialised view of the custom events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import repository
from patron.campaigns.rules import ActionState, RuleSpec, RuleState, RuleStatus, Step
from patron.models import ActionProgress, RuleProgress


def rule_state(row: RuleProgress | None) -> RuleState:
    if row is None:
        return RuleState()
    return RuleState(RuleStatus(row.status), row.start_time, row.end_time, row.completed_at)


def action_state(row: ActionProgress | None) -> ActionState:
    return ActionState() if row is None else ActionState(row.value, row.completed_at)


@dataclass
class Participant:
    """A customer's progress on some rules, as one side (self, referee or referrer)."""

    contact_id: uuid.UUID
    side: str
    rules: dict[str, RuleProgress] = field(default_factory=dict)
    actions: dict[str, ActionProgress] = field(default_factory=dict)

    @classmethod
    async def load(
        cls, session: AsyncSession, contact_id: uuid.UUID, side: str, rule_ids: Sequence[str]
    ) -> Participant:
        return cls(
            contact_id,
            side,
            await repository.rule_progress(session, contact_id, side, rule_ids),
            await repository.action_progress(session, contact_id, side, rule_ids),
        )

    def state_of(self, rule: RuleSpec) -> tuple[RuleState, dict[str, ActionState]]:
        return (
            rule_state(self.rules.get(rule.id)),
            {action.id: action_state(self.actions.get(action.id)) for action in rule.actions},
        )

    def write(self, session: AsyncSession, rule: RuleSpec, step: Step, now: datetime) -> None:
        """Keep what the step changed: the rule's row (made on its first change) and the
        actions' rows."""
        if not step.changed:
            return
        row = self.rules.get(rule.id)
        made = row is None
        if row is None:
            row = RuleProgress(
                contact_id=self.contact_id,
                rule_id=rule.id,
                side=self.side,
                campaign_id=rule.campaign_id,
                action_type=rule.action_type.value,
            )
            repository.add(session, row)
            self.rules[rule.id] = row
        if made or rule_state(row) != step.rule:
            # Only a change of the rule's own state rewrites its row; an action moving on
            # rewrites the action's row alone (one statement less per event).
            row.status = step.rule.status.value
            row.start_time, row.end_time = step.rule.start_time, step.rule.end_time
            row.completed_at = step.rule.completed_at
            row.modified_on = now
        for action_id, state in step.actions.items():
            action = self.actions.get(action_id)
            if action is None:
                action = ActionProgress(
                    contact_id=self.contact_id,
                    action_id=action_id,
                    side=self.side,
                    rule_id=rule.id,
                    value=Decimal(0),
                )
                repository.add(session, action)
                self.actions[action_id] = action
            action.value, action.completed_at = state.value, state.completed_at
            action.modified_on = now
