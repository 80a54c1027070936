"""Applying checkpoint batches: set-based reads and writes, exact under concurrency.

Per batch: one query each for contacts and definitions, then every (contact, definition) of
the batch is locked by name in one sorted round and its current challenge is read after the lock,
as a plain row. Challenges that start on their first checkpoint are started where there is no
challenge yet. A pair's rows go through the progress engine one by one in the batch's order, so
acceptance, thresholds and completions are exactly those of applying them singly; the new
states are then written back in one statement for changed and new challenges (and log rows), and
the rewards earned are issued, all in the request's transaction.

Locks are what concurrent batches wait for, so a big batch does its work before taking them:
it reads its challenges, works its rows out and writes their log rows first; after the lock it
keeps every pair whose challenge is the same as it read, and redoes (taking back its early log
rows) only the pairs a concurrent batch changed meanwhile. While a batch of this process holds
its locks, the early work of the others gives way to it at each step (`HoldersFirst`, one per
application, held by its `CheckpointBatches`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import batch_store, repository
from patron.challenges.limits import Budget
from patron.challenges.log_rows import LogRows, Pair
from patron.challenges.pairs import (
    BatchWrites,
    apply_pair,
    first_challenge,
    start_first_cycles,
    store_first_challenges,
)
from patron.challenges.plans import plan_of
from patron.challenges.render import challenge_out, checkpoint_added_out
from patron.challenges.rows import FirstChallenge, ReadChallenge
from patron.challenges.schemas import CheckpointRow, CheckpointsResult
from patron.challenges.statuses import DefinitionStatus, status_at
from patron.contacts import service as contacts
from patron.db.types import driver_uuid
from patron.kit import clock
from patron.kit.holders_first import HoldersFirst
from patron.kit.timefmt import local_iso
from patron.models import Challenge, ChallengeDefinition
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ROOT, EVENT_ZONE, EventType, NewEvent, rendered
from patron.progress import engine
from patron.rewards import service as rewards

log = logging.getLogger("patron.challenges")


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
    advances: dict[uuid.UUID, engine.Advance]
    source: str
    receipt_id: uuid.UUID | None
    # A big batch's early work gives way to this process's batches that hold their locks.
    holders: HoldersFirst

    def budget(self) -> Budget:
        """What the whole request may complete and earn: a receipt's checkpoints are cut to
        fit it, a checkpoint row that does not fit is refused."""
        return Budget(cuts=self.source == "receipt")

    def writes(self, at: datetime, budget: Budget | None = None) -> BatchWrites:
        log_rows = LogRows("checkpoint", self.source, self.receipt_id, at)
        return BatchWrites(log_rows, budget=budget if budget is not None else self.budget())

    def apply(
        self, writes: BatchWrites, pair: Pair, challenge: ReadChallenge, rows: list[tuple[int, CheckpointRow]]
    ) -> None:
        definition_id = pair[1]
        plan, advance = self.plans[definition_id], self.advances[definition_id]
        apply_pair(writes, pair, self.definitions[definition_id], plan, advance, challenge, rows)


# Rewards earned, positions of rows refused, receipt amounts cut to the limits, and what is
# told of the batch (its accepted rows and the challenges they completed).
Outcome = tuple[list[rewards.Earned], list[int], list[tuple[Pair, int, int]], list[NewEvent]]


def _told(batch: _Batch, writes: BatchWrites, leaving_out: set[Pair] | None = None) -> list[NewEvent]:
    """The events of what `writes` wrote, but for the pairs of `leaving_out` (worked out again):
    one challenge.checkpoint_added per log row, in the log's order, then a challenge.completed
    per challenge completed."""
    log_rows = writes.log
    added_on = local_iso(log_rows.at, EVENT_ZONE)
    told = [
        NewEvent(
            EventType.CHALLENGE_CHECKPOINT_ADDED,
            checkpoint_added_out(
                contact_id, definition_id, amount, log_rows.source, log_rows.receipt_id, added_on
            ),
            contact_id,
            log_rows.at,
        )
        for contact_id, definition_id, amount in zip(
            log_rows.contact_ids, log_rows.definition_ids, log_rows.amounts, strict=True
        )
        if not leaving_out or (contact_id, definition_id) not in leaving_out
    ]
    for pair, columns in writes.completed:
        if leaving_out and pair in leaving_out:
            continue
        definition = batch.definitions[pair[1]]
        challenge = Challenge(
            **{
                "contact_id": pair[0],
                "definition_id": pair[1],
                "required_checkpoints": definition.required_checkpoints,
                **columns,
            }
        )
        data = rendered(challenge_out(challenge, definition, EVENT_ROOT, EVENT_ZONE))
        told.append(NewEvent(EventType.CHALLENGE_COMPLETED, data, pair[0], challenge.completed_on))
    return told


async def _work_out_after_lock(
    session: AsyncSession,
    batch: _Batch,
    by_pair: Rows,
    now: datetime,
    *,
    taking_back: list[int] | None = None,
    read: dict[Pair, ReadChallenge | None] | None = None,
    budget: Budget | None = None,
) -> BatchWrites:
    """Read the pairs' current challenges (their locks are held), start first challenges where there are
    none, and work the rows out; the caller writes the result. The pairs' log rows among
    `taking_back` are taken back first. Pairs in `read` have had that done: their challenges are
    given. `budget` is what the rows may complete and earn (the whole request's by default)."""
    read = read or {}
    pairs = [pair for pair in by_pair if pair not in read]
    challenges = await batch_store.current_challenges_in_order(session, pairs, taking_back=taking_back)
    pairs += list(read)
    challenges += list(read.values())
    unstarted = sorted(
        (
            pair
            for pair, challenge in zip(pairs, challenges, strict=True)
            if challenge is None and not batch.definitions[pair[1]].consent_required
        ),
        key=str,
    )
    # Read after the lock, so a challenge a concurrent batch just started never lies in the future.
    now = max(now, clock.now())
    if unstarted:
        unstarted = _taking_rows(batch, by_pair, pairs, challenges, unstarted, now, budget)
    if unstarted:
        # Started at the instant their first checkpoints count, which is what the log says.
        await start_first_cycles(session, unstarted, batch.definitions, now)
        # Read back rather than assumed: a concurrent assignment may have started one first.
        started = await batch_store.current_challenges(session, unstarted)
        challenges = [
            challenge if challenge is not None else started.get(pair)
            for pair, challenge in zip(pairs, challenges, strict=True)
        ]
    writes = batch.writes(now, budget)
    for pair, challenge in zip(pairs, challenges, strict=True):
        if challenge is None:
            writes.refused += [index for index, _ in by_pair[pair]]
        else:
            batch.apply(writes, pair, challenge, by_pair[pair])
    return writes


def _taking_rows(
    batch: _Batch,
    by_pair: Rows,
    pairs: list[Pair],
    challenges: list[ReadChallenge | None],
    unstarted: list[Pair],
    now: datetime,
    budget: Budget | None,
) -> list[Pair]:
    """The pairs of `unstarted` that some row of theirs would start: the rows worked out, in
    the batch's order, on a first challenge not stored. A row past the limits is not accepted,
    and a pair that none of its rows would go to is not started either: a row not accepted
    changes nothing."""
    trial = batch.writes(now, budget.copy() if budget is not None else None)
    waiting = set(unstarted)
    starts = {pair[1]: engine.start(batch.plans[pair[1]], now) for pair in unstarted}
    starting: list[Pair] = []
    for pair, challenge in zip(pairs, challenges, strict=True):
        if challenge is not None:
            batch.apply(trial, pair, challenge, by_pair[pair])
        elif pair in waiting:
            refused_before = len(trial.refused)
            first = first_challenge(pair, batch.definitions[pair[1]], starts[pair[1]])
            batch.apply(trial, pair, first, by_pair[pair])
            if len(trial.refused) - refused_before < len(by_pair[pair]):
                starting.append(pair)
    if len(starting) == len(unstarted):
        return unstarted
    return sorted(starting, key=str)


async def _write(session: AsyncSession, writes: BatchWrites) -> None:
    await batch_store.write_batch(
        session,
        updated=[state for _, state in writes.updated],
        counted=[(challenge.id, count) for challenge, count in writes.counted],
        inserted=[row for row, _ in writes.inserted],
        log=writes.log,
    )


async def _apply_locked_first(session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime) -> Outcome:
    """A small batch: lock, read, work out, write."""
    await batch_store.lock_pairs(session, by_pair)
    writes = await _work_out_after_lock(session, batch, by_pair, now)
    await _write(session, writes)
    return writes.earned, writes.refused, writes.cut, _told(batch, writes)


async def _work_out_early(
    session: AsyncSession, batch: _Batch, by_pair: Rows
) -> tuple[BatchWrites, list[FirstChallenge], set[Pair]]:
    """The batch's outcome from its challenges as read now, without locks, a first challenge (not yet
    stored) standing in for a pair that has none. Returns it, those first challenges, and the
    pairs left out: consent-required ones without a challenge."""
    pairs = list(by_pair)
    seen = await batch_store.current_challenges_in_order(session, pairs)
    # Every challenge just read was written before this instant, so none lies in its future.
    seen_at = clock.now()
    writes = batch.writes(seen_at)
    starts = {definition_id: engine.start(plan, seen_at) for definition_id, plan in batch.plans.items()}
    first_challenges: list[FirstChallenge] = []
    left_out: set[Pair] = set()
    for position, (pair, challenge) in enumerate(zip(pairs, seen, strict=True)):
        if position % YIELD_EVERY_PAIRS == YIELD_EVERY_PAIRS - 1:
            # Let this process's other requests run: one of them may hold locks that
            # batches (this one too) are waiting for.
            await batch.holders.give_way()
        if challenge is None:
            definition = batch.definitions[pair[1]]
            if definition.consent_required:
                left_out.add(pair)
                continue
            first = first_challenge(pair, definition, starts[pair[1]])
            refused_before = len(writes.refused)
            batch.apply(writes, pair, first, by_pair[pair])
            if len(writes.refused) - refused_before == len(by_pair[pair]):
                # Every row past the limits: the pair is not started, nor locked, nor written.
                continue
            first_challenges.append(first)
            if writes.counted and writes.counted[-1][0] is first:
                # A first challenge its rows only count on is stored as it ends up: one insert,
                # not an insert and then an update (most of a batch's pairs, early on).
                _, first.completed_checkpoints = writes.counted.pop()
                first.latest_checkpoint_on = seen_at
            continue
        batch.apply(writes, pair, challenge, by_pair[pair])
    return writes, first_challenges, left_out


async def _apply_worked_out_first(
    session: AsyncSession, batch: _Batch, by_pair: Rows, now: datetime
) -> Outcome:
    """A big batch: its outcome is worked out and its log rows written before it waits for its
    locks; under them, every early result whose challenge is as it was read is written. Only the
    pairs whose challenges were left alone (a concurrent batch changed them meanwhile) have their
    early log rows taken back and are worked out again and written.

    The log rows, the locks and the conditional write are one statement when no first challenge is
    to be stored; otherwise the first challenges are stored under the locks before the write."""
    await batch.holders.give_way()
    early, first_challenges, redo = await _work_out_early(session, batch, by_pair)
    await batch.holders.give_way()
    # The foreign-key checks of a thousand log rows are most of that write. The pairs locked
    # are those with rows in the log and those left out (whose rows are worked out again). A
    # pair's changes always include its challenge in hand (`updated` or `counted`, once), so that
    # challenge's check covers the pair. A pair whose rows were all refused changes nothing and
    # needs neither a lock nor a check: only a completed or expired challenge refuses, and those
    # stay as they are.
    if not first_challenges:
        logged_early, left_alone = await batch_store.add_log_lock_and_write(
            session, early.log, redo, updated=early.updated, counted=early.counted, inserted=early.inserted
        )
        with batch.holders.holding():
            return await _redo(session, batch, by_pair, now, early, redo | left_alone, logged_early)
    logged_early = await batch_store.add_log_then_lock(session, early.log, also=redo)
    with batch.holders.holding():
        started = set(await store_first_challenges(session, first_challenges))
        # A pair started by someone else meanwhile is worked out again from their challenge (the
        # first challenge it was worked out from was not stored, so nothing below writes it).
        redo |= {
            pair
            for challenge in first_challenges
            if (pair := (challenge.contact_id, challenge.definition_id)) not in started
        }
        read = await batch_store.write_if_unchanged(
            session,
            updated=early.updated,
            counted=early.counted,
            at=early.log.at,
            inserted=early.inserted,
            log_ids=logged_early,
        )
        return await _redo(session, batch, by_pair, now, early, redo | read.keys(), logged_early, read)


async def _redo(
    session: AsyncSession,
    batch: _Batch,
    by_pair: Rows,
    now: datetime,
    early: BatchWrites,
    redo: set[Pair],
    logged_early: list[int],
    read: dict[Pair, ReadChallenge | None] | None = None,
) -> Outcome:
    """The batch's outcome, with the pairs of `redo` worked out again under the locks (their
    early log rows taken back, unless they are among `read`, whose challenges are given)."""
    if not redo:
        return early.earned, early.refused, early.cut, _told(batch, early)
    earned, refused = early.outcome_outside(redo, {index for pair in redo for index, _ in by_pair[pair]})
    again = await _work_out_after_lock(
        session,
        batch,
        {pair: by_pair[pair] for pair in by_pair if pair in redo},
        now,
        taking_back=logged_early,
        read=read,
        # The limits less what the pairs that stand took.
        budget=batch.budget().less(early.spent_outside(redo)),
    )
    await _write(session, again)
    cut = [item for item in early.cut if item[0] not in redo] + again.cut
    told = _told(batch, early, leaving_out=redo) + _told(batch, again)
    return earned + again.earned, refused + again.refused, cut, told


@dataclass(frozen=True)
class CheckpointBatches:
    """Applies checkpoint batches for one application: its process's lock holders (whom the
    early work of big batches gives way to) and its reward issuer."""

    rewards: rewards.RewardIssuer
    holders: HoldersFirst = field(default_factory=HoldersFirst)

    async def apply(
        self,
        session: AsyncSession,
        rows: list[CheckpointRow],
        *,
        source: str,
        receipt_id: uuid.UUID | None = None,
    ) -> CheckpointsResult:
        if len(rows) >= WORK_OUT_BEFORE_LOCKING:
            await self.holders.give_way()
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
            holders=self.holders,
        )
        apply = _apply_worked_out_first if len(by_pair) >= WORK_OUT_BEFORE_LOCKING else _apply_locked_first
        earned, refused_rows, cut, told = await apply(session, batch, by_pair, now)
        for (contact_id, definition_id), asked, applied in cut:
            log.warning(
                "receipt %s: %s checkpoints of definition %s for contact %s cut to %s (challenge limits)",
                receipt_id,
                asked,
                definition_id,
                contact_id,
                applied,
            )
        batch_store.forget_loaded_challenges(session)
        # Every accepted row and completion of the request, in one statement.
        await outbox.record(session, told)
        await self.rewards.issue(session, earned)
        refused = set(refused_rows)
        not_accepted += [row for index, row in enumerate(candidates) if index in refused]
        return CheckpointsResult(
            missingContactIds=sorted(contact_ids - known_contacts, key=str),
            missingDefinitionIds=sorted(definition_ids - set(definitions), key=str),
            notAccepted=not_accepted,
        )
