"""Applying checkpoint batches: set-based reads and writes, exact under concurrency.

Per batch: one query each for contacts and definitions, then every (contact, definition) of
the batch is locked by name in one sorted round. A pair's rows go through the progress engine
one by one in the batch's order, so acceptance, thresholds and completions are exactly those of
applying them singly; cards and log rows are written in one statement and the rewards earned
are issued, all in the request's transaction.

On PostgreSQL the database first counts, in one statement under the locks, every pair whose
rows only add to its card (or start its first one) and logs their rows (`plain_counts`): most
of a big batch, with no card read into Python. Only the pairs it leaves (a threshold or the
target reached, a window closed, a consent missing) are read and go through the engine.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import repository
from patron.challenges.cards import BatchWrites, apply_pair, start_first_cycles
from patron.challenges.log_rows import LogRows, Pair
from patron.challenges.plain_counts import PlainCounts
from patron.challenges.plans import plan_of
from patron.challenges.schemas import CheckpointRow, CheckpointsResult
from patron.challenges.statuses import DefinitionStatus, status_at
from patron.contacts import service as contacts
from patron.db.locking import lock_key_pairs
from patron.db.types import driver_uuid
from patron.kit import clock
from patron.models import ChallengeDefinition
from patron.progress import engine
from patron.rewards import service as rewards


def _is_active(definition: ChallengeDefinition) -> bool:
    return status_at(definition, clock.now()) is DefinitionStatus.ACTIVE


Rows = dict[Pair, list[tuple[int, CheckpointRow]]]


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every step of applying a batch needs to know."""

    definitions: dict[uuid.UUID, ChallengeDefinition]
    plans: dict[uuid.UUID, engine.Plan]
    advances: dict[uuid.UUID, engine.Advance]
    source: str
    receipt_id: uuid.UUID | None

    def writes(self, at: datetime) -> BatchWrites:
        return BatchWrites(LogRows("checkpoint", self.source, self.receipt_id, at))

    def apply(
        self, writes: BatchWrites, pair: Pair, card: Any, rows: list[tuple[int, CheckpointRow]]
    ) -> None:
        definition_id = pair[1]
        plan, advance = self.plans[definition_id], self.advances[definition_id]
        apply_pair(writes, pair, self.definitions[definition_id], plan, advance, card, rows)


Outcome = tuple[list[rewards.Earned], list[int]]  # rewards earned, positions of rows refused


async def _work_out_after_lock(
    session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime
) -> BatchWrites:
    """Read the pairs' current cards (their locks are held), start first cards where there are
    none, and work the rows out; the caller writes the result."""
    pairs = list(by_pair)
    cards = await repository.current_cards_in_order(session, pairs)
    unstarted = sorted(
        (
            pair
            for pair, card in zip(pairs, cards, strict=True)
            if card is None and not batch.definitions[pair[1]].consent_required
        ),
        key=str,
    )
    # Read after the lock, so a card a concurrent batch just started never lies in the future.
    now = max(now, clock.now())
    if unstarted:
        # Started at the instant their first checkpoints count, which is what the log says.
        await start_first_cycles(session, unstarted, batch.definitions, now)
        # Read back rather than assumed: a concurrent assignment may have started one first.
        started = await repository.current_cards(session, unstarted)
        cards = [
            card if card is not None else started.get(pair) for pair, card in zip(pairs, cards, strict=True)
        ]
    writes = batch.writes(now)
    for pair, card in zip(pairs, cards, strict=True):
        if card is None:
            writes.refused += [index for index, _ in by_pair[pair]]
        else:
            batch.apply(writes, pair, card, by_pair[pair])
    return writes


async def _write(session: AsyncSession, writes: BatchWrites) -> None:
    await repository.write_batch(
        session,
        updated=[state for _, state in writes.updated],
        counted=[(card.id, count) for card, count in writes.counted],
        inserted=[row for row, _ in writes.inserted],
        log=writes.log,
    )


async def _lock(session: AsyncSession, by_pair: Rows) -> None:
    # One contact's card of one definition is changed by one transaction at a time.
    await lock_key_pairs(session, "challenge", list(by_pair))


async def _apply_locked_first(session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime) -> Outcome:
    """Lock, read, work out, write (SQLite, where the transaction holds the write lock)."""
    await _lock(session, by_pair)
    writes = await _work_out_after_lock(session, batch, by_pair, now)
    await _write(session, writes)
    return writes.earned, writes.refused


async def _apply_counted_first(session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime) -> Outcome:
    """PostgreSQL: lock, let the database count the plain pairs (logging their rows), then
    read, work out and write the pairs it left."""
    counts = PlainCounts()
    countable = {
        definition_id
        for definition_id in batch.definitions
        if counts.add_marks(definition_id, batch.advances[definition_id])
    }
    left: list[Pair] = []
    for pair, rows in by_pair.items():
        if pair[1] in countable:
            counts.add_pair(pair, rows, batch.advances[pair[1]].counts)
        else:
            left.append(pair)
    await _lock(session, by_pair)
    # Taken after the lock: every card a concurrent batch wrote is older than this instant.
    at = max(now, clock.now())
    for definition_id in countable:
        counts.add_start(batch.definitions[definition_id], batch.plans[definition_id], at)
    log = LogRows("checkpoint", batch.source, batch.receipt_id, at)
    left_by_database = await repository.count_plainly(session, counts, log)
    left += [counts.pairs[position - 1] for position in sorted(left_by_database)]
    if not left:
        return [], []
    writes = await _work_out_after_lock(session, batch, {pair: by_pair[pair] for pair in left}, at)
    await _write(session, writes)
    return writes.earned, writes.refused


async def apply_checkpoints(
    session: AsyncSession,
    rows: list[CheckpointRow],
    *,
    source: str,
    receipt_id: uuid.UUID | None = None,
) -> CheckpointsResult:
    now = clock.now()
    # Each id is hashed and sent to the database several times over: as the driver's own
    # UUIDs, that costs the batch a conversion per id instead of Python-level hashing.
    pairs = [(driver_uuid(row.contactId), driver_uuid(row.definitionId)) for row in rows]
    contact_ids = {contact_id for contact_id, _ in pairs}
    definition_ids = {definition_id for _, definition_id in pairs}
    known_contacts = await contacts.existing_ids(session, contact_ids)
    definitions = {d.id: d for d in await repository.definitions(session, definition_ids)}
    not_accepted: list[CheckpointRow] = []
    candidates: list[CheckpointRow] = []
    active = {definition_id for definition_id, d in definitions.items() if _is_active(d)}
    by_pair: Rows = {}
    for pair, row in zip(pairs, rows, strict=True):
        if pair[0] in known_contacts and pair[1] in active and row.checkpointAmount >= 1:
            by_pair.setdefault(pair, []).append((len(candidates), row))
            candidates.append(row)
        else:
            not_accepted.append(row)

    plans = {d.id: plan_of(d) for d in definitions.values()}
    batch = _Batch(
        definitions=definitions,
        plans=plans,
        advances={definition_id: engine.advance_of(plan) for definition_id, plan in plans.items()},
        source=source,
        receipt_id=receipt_id,
    )
    apply = _apply_counted_first if repository.counts_plainly(session) else _apply_locked_first
    earned, refused_rows = await apply(session, batch, by_pair, now)
    repository.forget_loaded_cards(session)
    await rewards.issue(session, earned)
    refused = set(refused_rows)
    not_accepted += [row for index, row in enumerate(candidates) if index in refused]
    return CheckpointsResult(
        missingContactIds=sorted(contact_ids - known_contacts, key=str),
        missingDefinitionIds=sorted(definition_ids - set(definitions), key=str),
        notAccepted=not_accepted,
    )
