"""A contact's challenges of one definition in a checkpoint batch: its rows through the progress
engine, and what that writes (challenges, log rows) and earns (rewards).

Shared by both ways a batch is applied (`checkpoints`), and by assigning a challenge.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import batch_store
from patron.challenges.limits import Budget, Cost, most_that_fits
from patron.challenges.log_rows import LogRows, Pair
from patron.challenges.plans import checkpoint_rewards, columns_of, plainly_counted, plan_of, state_of
from patron.challenges.rows import FirstChallenge, ReadChallenge
from patron.challenges.schemas import CheckpointRow
from patron.kit import ids
from patron.models import ChallengeDefinition
from patron.progress import engine
from patron.rewards import service as rewards


def _new_challenge(
    challenge_id: uuid.UUID,
    pair: Pair,
    definition: ChallengeDefinition,
    state: engine.State,
    *,
    current: bool,
) -> dict[str, Any]:
    return {
        "id": challenge_id,
        "contact_id": pair[0],
        "definition_id": pair[1],
        "required_checkpoints": definition.required_checkpoints,
        **columns_of(state, current=current),
    }


def first_challenge(pair: Pair, definition: ChallengeDefinition, start: engine.State) -> FirstChallenge:
    """A contact's first challenge of a definition before it is stored."""
    return FirstChallenge(
        id=ids.new_id(),
        contact_id=pair[0],
        definition_id=pair[1],
        required_checkpoints=definition.required_checkpoints,
        **columns_of(start, current=True),
    )


async def store_first_challenges(session: AsyncSession, challenges: list[FirstChallenge]) -> list[Pair]:
    """Store each challenge unless its pair already has one, and note where it was stored.
    Returns the pairs started now (not those that had a challenge already).

    A challenge a checkpoint starts needs no log row of its own: the log's first row of the
    pair (that checkpoint, at the instant the challenge starts) says when it started."""
    stored = await batch_store.insert_first_cycles(session, [challenge.columns() for challenge in challenges])
    for challenge in challenges:
        where = stored.get((challenge.contact_id, challenge.definition_id))
        if where is not None:
            challenge.row_version, challenge.row_address = where.row_version, where.row_address
    return list(stored)


async def start_first_cycles(
    session: AsyncSession,
    pairs: Iterable[Pair],
    definitions: dict[uuid.UUID, ChallengeDefinition],
    now: datetime,
) -> list[Pair]:
    """Start a contact's first challenge, at `now`, where there is none yet; returns the pairs
    started now."""
    starts: dict[uuid.UUID, engine.State] = {}
    for _, definition_id in pairs:
        if definition_id not in starts:  # every first challenge of a definition starts alike
            starts[definition_id] = engine.start(plan_of(definitions[definition_id]), now)
    challenges = [first_challenge(pair, definitions[pair[1]], starts[pair[1]]) for pair in pairs]
    return await store_first_challenges(session, challenges)


async def log_assignments(session: AsyncSession, pairs: list[Pair], source: str, at: datetime) -> None:
    """The log's record of challenges assigned (rather than started by a checkpoint)."""
    assigned = LogRows("assigned", source, None, at)
    for pair in pairs:
        assigned.add(pair, [0])
    await batch_store.add_log(session, assigned)


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
class BatchWrites:
    """What a batch's pairs change, worked out at `log.at`: challenges as read with their new
    states (`updated`) or, where only the count moved on, their new counts (`counted`, their
    latest checkpoint at `log.at`); the challenges of new cycles, each with the id of the challenge
    it follows; log rows, rewards earned, and the positions of the rows refused."""

    log: LogRows
    # What the request has left to complete and earn (`patron.challenges.limits`).
    budget: Budget = field(default_factory=Budget)
    updated: list[tuple[ReadChallenge, dict[str, Any]]] = field(default_factory=list)
    counted: list[tuple[ReadChallenge, int]] = field(default_factory=list)
    inserted: list[tuple[dict[str, Any], uuid.UUID]] = field(default_factory=list)
    earned: list[rewards.Earned] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    # What each pair's accepted rows completed and earned, and the receipt amounts cut to fit
    # the limits: (pair, the amount earned, the amount applied).
    spent: dict[Pair, Cost] = field(default_factory=dict)
    cut: list[tuple[Pair, int, int]] = field(default_factory=list)
    # The challenges the rows completed, as written (`updated` or `inserted`): told as events.
    completed: list[tuple[Pair, dict[str, Any]]] = field(default_factory=list)

    def spent_outside(self, pairs: set[Pair]) -> Cost:
        """What the pairs other than `pairs` completed and earned."""
        total = Cost()
        for pair, cost in self.spent.items():
            if pair not in pairs:
                total += cost
        return total

    def outcome_outside(
        self, pairs: set[Pair], rows_of_pairs: set[int]
    ) -> tuple[list[rewards.Earned], list[int]]:
        """The rewards earned and the rows refused, less those of `pairs` (whose rows are at
        the positions `rows_of_pairs`)."""
        if not pairs:
            return self.earned, self.refused
        named = {(contact_id, str(definition_id)) for contact_id, definition_id in pairs}
        return (
            [earned for earned in self.earned if (earned.contact_id, earned.source_id) not in named],
            [index for index in self.refused if index not in rows_of_pairs],
        )


def apply_pair(
    writes: BatchWrites,
    pair: Pair,
    definition: ChallengeDefinition,
    plan: engine.Plan,
    advance: engine.Advance,
    challenge: ReadChallenge,
    rows: list[tuple[int, CheckpointRow]],
) -> None:
    """One pair's rows in order, each exactly as if applied alone at `writes.log.at`; the challenge
    written once."""
    now = writes.log.at
    amounts = [row.checkpointAmount for _, row in rows]
    count = plainly_counted(advance, challenge, amounts, now)
    if count is not None:
        # Every row is accepted and only adds to the count: no threshold, completion or expiry.
        writes.counted.append((challenge, count))
        writes.log.add(pair, amounts)
        return
    in_hand, challenge_id, is_new = challenge, challenge.id, False
    state = state_of(challenge)
    accepted: list[int] = []

    def write(state: engine.State, *, current: bool) -> None:
        if is_new:
            columns = _new_challenge(challenge_id, pair, definition, state, current=current)
            writes.inserted.append((columns, in_hand.id))
        else:
            columns = {"id": challenge_id, **columns_of(state, current=current)}
            writes.updated.append((in_hand, columns))
        if state.status is engine.Status.COMPLETED:
            writes.completed.append((pair, columns))

    budget = writes.budget
    paid_on_completion = bool((definition.rewards or {}).get("onCompletion"))
    spent = Cost()

    def cost(amount: int) -> Cost:
        reach = engine.reach(plan, state, Decimal(amount), now)
        completion_rewards = reach.completions if paid_on_completion else 0
        return Cost(reach.completions, reach.threshold_crossings + completion_rewards)

    def fits(amount: int) -> bool:
        return budget.fits(cost(amount), spent.cards)

    for index, row in rows:
        amount = row.checkpointAmount
        if not fits(amount):
            # Past the request's limits: a receipt's checkpoints are cut to the most that fit,
            # a checkpoint row is not accepted.
            if budget.cuts:
                fitting = most_that_fits(amount, fits)
                writes.cut.append((pair, amount, fitting))
                amount = fitting
            if amount == 0 or not budget.cuts:
                writes.refused.append(index)
                continue
        costs = cost(amount)
        outcome = engine.apply(plan, state, Decimal(amount), now)
        if not outcome.accepted:
            writes.refused.append(index)
            continue
        budget.spend(costs)
        spent += costs
        accepted.append(amount)
        for crossing in outcome.crossings:
            writes.earned += _earned(definition, pair[0], crossing)
        if outcome.finished:
            # The challenge in hand takes the first completed cycle, new challenges any further ones;
            # the state after them goes on a fresh challenge.
            for finished in outcome.finished:
                write(finished, current=False)
                challenge_id, is_new = ids.new_id(), True
        state = outcome.state
    if accepted:
        write(state, current=True)
        writes.log.add(pair, accepted)
    if spent != Cost():
        writes.spent[pair] = spent
