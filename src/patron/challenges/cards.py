"""A contact's cards of one definition in a checkpoint batch: its rows through the progress
engine, and what that writes (cards, log rows) and earns (rewards).

Shared by both ways a batch is applied (`checkpoints`), and by assigning a challenge.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import repository
from patron.challenges.plans import checkpoint_rewards, columns_of, plainly_advanced, plan_of, state_of
from patron.challenges.repository import Pair
from patron.challenges.schemas import CheckpointRow
from patron.kit import ids
from patron.models import ChallengeDefinition
from patron.progress import engine
from patron.rewards import service as rewards


def _log_row(
    pair: Pair, kind: str, amount: int, source: str, receipt_id: uuid.UUID | None, at: datetime
) -> dict[str, object]:
    return {
        "contact_id": pair[0],
        "definition_id": pair[1],
        "kind": kind,
        "amount": amount,
        "source": source,
        "receipt_id": receipt_id,
        "recorded_on": at,
    }


def _new_card(
    card_id: uuid.UUID, pair: Pair, definition: ChallengeDefinition, state: engine.State, *, current: bool
) -> dict[str, Any]:
    return {
        "id": card_id,
        "contact_id": pair[0],
        "definition_id": pair[1],
        "required_checkpoints": definition.required_checkpoints,
        **columns_of(state, current=current),
    }


def first_card(pair: Pair, definition: ChallengeDefinition, start: engine.State) -> SimpleNamespace:
    """A contact's first card of a definition before it is stored, shaped as a row read back."""
    return SimpleNamespace(**_new_card(ids.new_id(), pair, definition, start, current=True))


async def store_first_cards(
    session: AsyncSession, cards: list[SimpleNamespace], source: str, receipt_id: uuid.UUID | None
) -> list[Pair]:
    """Store each card unless its pair already has one, and log the assignment.

    Returns the pairs started now (not those that had a card already).
    """
    started = await repository.insert_first_cycles(session, [vars(card) for card in cards])
    starts = {(card.contact_id, card.definition_id): card.started_on for card in cards}
    await repository.add_log(
        session, [_log_row(pair, "assigned", 0, source, receipt_id, starts[pair]) for pair in started]
    )
    return started


async def start_first_cycles(
    session: AsyncSession,
    pairs: Iterable[Pair],
    definitions: dict[uuid.UUID, ChallengeDefinition],
    source: str,
    receipt_id: uuid.UUID | None,
    now: datetime,
) -> list[Pair]:
    """Start a contact's first challenge where there is none yet, and log the assignment."""
    starts: dict[uuid.UUID, engine.State] = {}
    for _, definition_id in pairs:
        if definition_id not in starts:  # every first card of a definition starts alike
            starts[definition_id] = engine.start(plan_of(definitions[definition_id]), now)
    cards = [first_card(pair, definitions[pair[1]], starts[pair[1]]) for pair in pairs]
    return await store_first_cards(session, cards, source, receipt_id)


def _earned(
    definition: ChallengeDefinition, contact_id: uuid.UUID, crossing: engine.Crossing
) -> list[rewards.Earned]:
    promised = definition.rewards or {}
    found: list[rewards.Earned] = []

    def earn(threshold: str, reward: dict[str, object]) -> None:
        found.append(
            rewards.Earned(
                contact_id, "challenge", str(definition.id), threshold, crossing.period_key, reward
            )
        )

    if crossing.completes and promised.get("onCompletion"):
        earn("completion", promised["onCompletion"])
    at = checkpoint_rewards(promised).get(int(crossing.threshold))
    if at is not None:
        earn(f"checkpoint:{int(crossing.threshold)}", at)
    return found


@dataclass(slots=True)
class PairWrites:
    """What one (contact, definition) of a batch changes: its cards (updated in place or
    inserted), log rows, rewards earned, and the positions of its rows that were refused."""

    updated: list[dict[str, Any]] = field(default_factory=list)
    inserted: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, object]] = field(default_factory=list)
    earned: list[rewards.Earned] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)

    def card(
        self,
        card_id: uuid.UUID,
        is_new: bool,
        pair: Pair,
        definition: ChallengeDefinition,
        state: engine.State,
        *,
        current: bool,
    ) -> None:
        if is_new:
            self.inserted.append(_new_card(card_id, pair, definition, state, current=current))
        else:
            self.updated.append({"id": card_id, **columns_of(state, current=current)})

    def add(self, other: PairWrites) -> None:
        self.updated += other.updated
        self.inserted += other.inserted
        self.log += other.log
        self.earned += other.earned
        self.refused += other.refused


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    receipt_id: uuid.UUID | None


def apply_pair(
    source: Source,
    now: datetime,
    pair: Pair,
    definition: ChallengeDefinition,
    plan: engine.Plan,
    card: Any,
    rows: list[tuple[int, CheckpointRow]],
) -> PairWrites:
    """One pair's rows in order, each exactly as if applied alone; the card written once."""
    writes = PairWrites()
    advanced = plainly_advanced(plan, card, [Decimal(row.checkpointAmount) for _, row in rows], now)
    if advanced is not None:
        # Every row is accepted and only adds to the count: no threshold, completion or expiry.
        writes.log = [
            _log_row(pair, "checkpoint", row.checkpointAmount, source.name, source.receipt_id, now)
            for _, row in rows
        ]
        writes.updated.append({"id": card.id, **advanced})
        return writes
    card_id, is_new = card.id, False
    state = state_of(card)
    changed = False
    for index, row in rows:
        outcome = engine.apply(plan, state, Decimal(row.checkpointAmount), now)
        if not outcome.accepted:
            writes.refused.append(index)
            continue
        changed = True
        writes.log.append(
            _log_row(pair, "checkpoint", row.checkpointAmount, source.name, source.receipt_id, now)
        )
        for crossing in outcome.crossings:
            writes.earned += _earned(definition, pair[0], crossing)
        if outcome.finished:
            # The card in hand takes the first completed cycle, new cards any further ones;
            # the state after them goes on a fresh card.
            for finished in outcome.finished:
                writes.card(card_id, is_new, pair, definition, finished, current=False)
                card_id, is_new = ids.new_id(), True
        state = outcome.state
    if changed:
        writes.card(card_id, is_new, pair, definition, state, current=True)
    return writes
