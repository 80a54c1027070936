"""Applying checkpoint batches: set-based reads and writes, exact under concurrency.

Per batch: one query each for contacts and definitions, then every (contact, definition) of
the batch is locked by name in one sorted round and its current card is read after the lock,
as a plain row. Challenges that start on their first checkpoint are started where there is no
card yet. A pair's rows go through the progress engine one by one in the batch's order, so
acceptance, thresholds and completions are exactly those of applying them singly; the new
states are then written back in one statement for changed and new cards (and log rows), and
the rewards earned are issued, all in the request's transaction.

Locks are what concurrent batches wait for, so a big batch does its work before taking them:
it reads its cards, works its rows out and writes their log rows first; after the lock it
keeps every pair whose card is the same as it read, and redoes (taking back its early log
rows) only the pairs a concurrent batch changed meanwhile.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import repository
from patron.challenges.cards import (
    PairWrites,
    Source,
    apply_pair,
    first_card,
    start_first_cycles,
    store_first_cards,
)
from patron.challenges.plans import plan_of
from patron.challenges.repository import Pair
from patron.challenges.schemas import CheckpointRow, CheckpointsResult
from patron.challenges.statuses import DefinitionStatus, status_at
from patron.contacts import service as contacts
from patron.db.locking import lock_key_pairs
from patron.kit import clock
from patron.models import ChallengeDefinition
from patron.progress import engine
from patron.rewards import service as rewards


def _is_active(definition: ChallengeDefinition) -> bool:
    return status_at(definition, clock.now()) is DefinitionStatus.ACTIVE


# Pairs in a batch from which its outcome is worked out before its locks are waited for.
WORK_OUT_BEFORE_LOCKING = 50
YIELD_EVERY_PAIRS = 100

Rows = dict[Pair, list[tuple[int, CheckpointRow]]]


@dataclass(frozen=True, slots=True)
class _Batch:
    """What every step of applying a batch needs to know."""

    definitions: dict[uuid.UUID, ChallengeDefinition]
    plans: dict[uuid.UUID, engine.Plan]
    origin: Source


async def _work_out_after_lock(
    session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime, writes: PairWrites
) -> None:
    """Read the pairs' current cards (their locks are held), start first cards where there are
    none, and work the rows out; the caller writes `writes`."""
    definitions = batch.definitions
    current: dict[Pair, Any] = dict(await repository.current_cards(session, by_pair))
    unstarted = sorted(
        (p for p in by_pair if p not in current and not definitions[p[1]].consent_required), key=str
    )
    if unstarted:
        await start_first_cycles(
            session, unstarted, definitions, batch.origin.name, batch.origin.receipt_id, now
        )
        # Read back rather than assumed: a concurrent assignment may have started one first.
        current.update(await repository.current_cards(session, unstarted))
    # Read after the lock, so a card a concurrent batch just started never lies in the future.
    now = max(now, clock.now())
    for pair, pair_rows in by_pair.items():
        card = current.get(pair)
        if card is None:
            writes.refused += [index for index, _ in pair_rows]
            continue
        plan = batch.plans[pair[1]]
        writes.add(apply_pair(batch.origin, now, pair, definitions[pair[1]], plan, card, pair_rows))


async def _lock(session: AsyncSession, by_pair: Rows) -> None:
    # One contact's card of one definition is changed by one transaction at a time.
    await lock_key_pairs(session, "challenge", list(by_pair))


async def _apply_locked_first(
    session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime
) -> PairWrites:
    """A small batch: lock, read, work out, write."""
    await _lock(session, by_pair)
    writes = PairWrites()
    await _work_out_after_lock(session, batch, by_pair, now, writes)
    await repository.write_batch(session, writes.updated, writes.inserted, writes.log)
    return writes


async def _work_out_early(
    session: AsyncSession, batch: _Batch, by_pair: Rows
) -> dict[Pair, tuple[Any, PairWrites]]:
    """Each pair's outcome from its card as read now, without locks (a first card, not yet
    stored, for a pair that has none). Consent-required pairs without a card are left out."""
    seen = await repository.current_cards(session, by_pair)
    # Every card just read was written before this instant, so none lies in its future.
    seen_at = clock.now()
    starts = {definition_id: engine.start(plan, seen_at) for definition_id, plan in batch.plans.items()}
    early: dict[Pair, tuple[Any, PairWrites]] = {}
    for position, (pair, pair_rows) in enumerate(by_pair.items()):
        if position % YIELD_EVERY_PAIRS == YIELD_EVERY_PAIRS - 1:
            # Let this process's other requests run: one of them may hold locks that
            # batches (this one too) are waiting for.
            await asyncio.sleep(0)
        definition = batch.definitions[pair[1]]
        card: Any = seen.get(pair)
        if card is None:
            if definition.consent_required:
                continue
            card = first_card(pair, definition, starts[pair[1]])
        plan = batch.plans[pair[1]]
        early[pair] = (card, apply_pair(batch.origin, seen_at, pair, definition, plan, card, pair_rows))
    return early


async def _apply_worked_out_first(
    session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime
) -> PairWrites:
    """A big batch: its outcome is worked out and its log rows written before it waits for its
    locks; under them, one statement writes every early result whose card is as it was read
    (and says which those were). Only pairs a concurrent batch changed meanwhile are read
    again, worked out again and written, and their early log rows taken back."""
    early = await _work_out_early(session, batch, by_pair)
    # The foreign-key checks of a thousand log rows are most of that write.
    logged_early = await repository.add_log_by_pair(
        session, [row for _, worked in early.values() for row in worked.log]
    )

    await _lock(session, by_pair)
    redo = {pair for pair in by_pair if pair not in early}
    first_cards = [card for card, _ in early.values() if isinstance(card, SimpleNamespace)]
    if first_cards:
        started = set(
            await store_first_cards(session, first_cards, batch.origin.name, batch.origin.receipt_id)
        )
        # A pair started by someone else meanwhile is worked out again from their card.
        redo |= {
            pair for card in first_cards if (pair := (card.contact_id, card.definition_id)) not in started
        }
    kept = [(card, worked) for pair, (card, worked) in early.items() if pair not in redo]
    # A pair's changes always include its card in hand (`updated`, one row), so that card's
    # check covers the pair. A pair whose rows were all refused changes nothing and needs no
    # check: only a completed or expired card refuses, and those stay as they are.
    written = await repository.write_if_unchanged(
        session,
        updated=[(card, row) for card, worked in kept for row in worked.updated],
        inserted=[(row, card.id) for card, worked in kept for row in worked.inserted],
    )
    writes = PairWrites()
    taken_back: list[int] = []
    for pair in by_pair:
        worked_out = early.get(pair)
        if pair not in redo and worked_out is not None:
            card, outcome = worked_out
            if not outcome.updated or card.id in written:
                writes.earned += outcome.earned
                writes.refused += outcome.refused
                continue
        redo.add(pair)
        taken_back += logged_early.get(pair, [])
    if redo:
        await repository.remove_log(session, taken_back)
        again = PairWrites()
        await _work_out_after_lock(session, batch, {p: by_pair[p] for p in by_pair if p in redo}, now, again)
        await repository.write_batch(session, again.updated, again.inserted, again.log)
        writes.earned += again.earned
        writes.refused += again.refused
    return writes


async def apply_checkpoints(
    session: AsyncSession,
    rows: list[CheckpointRow],
    *,
    source: str,
    receipt_id: uuid.UUID | None = None,
) -> CheckpointsResult:
    now = clock.now()
    known_contacts = await contacts.existing_ids(session, {r.contactId for r in rows})
    definitions = {d.id: d for d in await repository.definitions(session, {r.definitionId for r in rows})}
    not_accepted: list[CheckpointRow] = []
    candidates: list[CheckpointRow] = []
    active = {definition_id for definition_id, d in definitions.items() if _is_active(d)}
    for row in rows:
        usable = row.contactId in known_contacts and row.definitionId in active
        (candidates if usable and row.checkpointAmount >= 1 else not_accepted).append(row)
    by_pair: Rows = {}
    for index, row in enumerate(candidates):
        by_pair.setdefault((row.contactId, row.definitionId), []).append((index, row))

    batch = _Batch(
        definitions=definitions,
        plans={d.id: plan_of(d) for d in definitions.values()},
        origin=Source(name=source, receipt_id=receipt_id),
    )
    if len(by_pair) >= WORK_OUT_BEFORE_LOCKING:
        writes = await _apply_worked_out_first(session, batch, by_pair, now)
    else:
        writes = await _apply_locked_first(session, batch, by_pair, now)
    repository.forget_loaded_cards(session)
    await rewards.issue(session, writes.earned)
    refused = set(writes.refused)
    not_accepted += [row for index, row in enumerate(candidates) if index in refused]
    return CheckpointsResult(
        missingContactIds=sorted({r.contactId for r in rows} - known_contacts, key=str),
        missingDefinitionIds=sorted({r.definitionId for r in rows} - set(definitions), key=str),
        notAccepted=not_accepted,
    )
