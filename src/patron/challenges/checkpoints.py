"""Applying checkpoint batches: set-based reads and writes, exact under concurrency.

Per batch: one query each for contacts and definitions, one insert-if-absent for challenges
that start on their first checkpoint, then the current challenge rows are locked in primary
key order and validated after the lock (a row completed by a concurrent batch is no longer
current, so the lock is taken again on its successor). Every accepted row goes through the
progress engine, is appended to the checkpoint log, and earns its rewards, all in the
request's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import repository
from patron.challenges.plans import checkpoint_rewards, plan_of, state_of, write_state
from patron.challenges.repository import Pair
from patron.challenges.schemas import CheckpointRow, CheckpointsResult
from patron.challenges.statuses import DefinitionStatus, definition_status
from patron.contacts import service as contacts
from patron.db.locking import lock_keys, lock_rows
from patron.kit import clock, ids
from patron.models import Challenge, ChallengeDefinition
from patron.progress import engine
from patron.rewards import service as rewards

# Rounds of "lock, find the row was superseded while waiting, lock its successor".
_LOCK_ROUNDS = 50


def _is_active(definition: ChallengeDefinition) -> bool:
    status = definition_status(
        definition.status,
        definition.is_scheduled,
        definition.scheduled_from,
        definition.scheduled_to,
        clock.now(),
    )
    return status is DefinitionStatus.ACTIVE


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


async def start_first_cycles(
    session: AsyncSession,
    pairs: Iterable[Pair],
    definitions: dict[uuid.UUID, ChallengeDefinition],
    source: str,
    receipt_id: uuid.UUID | None,
    now: datetime,
) -> None:
    """Start a contact's first challenge where there is none yet, and log the assignment."""
    rows = []
    starts: dict[uuid.UUID, engine.State] = {}
    for contact_id, definition_id in pairs:
        definition = definitions[definition_id]
        if definition_id not in starts:  # every first card of a definition starts alike
            starts[definition_id] = engine.start(plan_of(definition), now)
        state = starts[definition_id]
        rows.append(
            {
                "id": ids.new_id(),
                "contact_id": contact_id,
                "definition_id": definition_id,
                "cycle": 0,
                "is_current": True,
                "completed_checkpoints": 0,
                "required_checkpoints": definition.required_checkpoints,
                "status": 1,
                "started_on": now,
                "ends_on": state.window.end,
                "completed_on": None,
                "latest_checkpoint_on": None,
            }
        )
    started = await repository.insert_first_cycles(session, rows)
    await repository.add_log(
        session, [_log_row(pair, "assigned", 0, source, receipt_id, now) for pair in started]
    )


async def _lock_current(session: AsyncSession, pairs: set[Pair]) -> dict[Pair, Challenge]:
    locked: dict[Pair, Challenge] = {}
    wanted = set(pairs)
    for _ in range(_LOCK_ROUNDS):
        found = await repository.current_ids(session, list(wanted))
        wanted &= set(found)  # pairs with no challenge at all are not assigned
        if not wanted:
            break
        # Rows this session loaded before must be read afresh under the lock.
        stale = set(found.values())
        for loaded in list(session.sync_session.identity_map.values()):
            if isinstance(loaded, Challenge) and loaded.id in stale:
                session.expire(loaded)
        for row in await lock_rows(session, Challenge, found.values()):
            # Validated after the lock: a concurrent batch may have completed it meanwhile.
            if row.is_current:
                pair = (row.contact_id, row.definition_id)
                locked[pair] = row
                wanted.discard(pair)
    return locked


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


async def apply_checkpoints(
    session: AsyncSession, rows: list[CheckpointRow], *, source: str, receipt_id: uuid.UUID | None = None
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

    pairs = {(r.contactId, r.definitionId) for r in candidates}
    # One contact's card of one definition is changed by one transaction at a time.
    await lock_keys(session, "challenge", (f"{contact}:{definition}" for contact, definition in pairs))
    automatic = sorted((p for p in pairs if not definitions[p[1]].consent_required), key=str)
    await start_first_cycles(session, automatic, definitions, source, receipt_id, now)
    current = await _lock_current(session, pairs)
    # Read after the lock, so a card a concurrent batch just started never lies in the future.
    now = max(now, clock.now())

    plans = {d.id: plan_of(d) for d in definitions.values()}
    log: list[dict[str, object]] = []
    earned: list[rewards.Earned] = []
    for row in candidates:
        pair = (row.contactId, row.definitionId)
        challenge = current.get(pair)
        if challenge is None:
            not_accepted.append(row)
            continue
        outcome = engine.apply(
            plans[row.definitionId], state_of(challenge), Decimal(row.checkpointAmount), now
        )
        if not outcome.accepted:
            not_accepted.append(row)
            continue
        log.append(_log_row(pair, "checkpoint", row.checkpointAmount, source, receipt_id, now))
        definition = definitions[row.definitionId]
        for crossing in outcome.crossings:
            earned += _earned(definition, row.contactId, crossing)
        if not outcome.finished:
            write_state(challenge, outcome.state, current=True)
            continue
        for index, finished in enumerate(outcome.finished):
            target = challenge if index == 0 else _new_challenge(session, pair, definition)
            write_state(target, finished, current=False)
        successor = _new_challenge(session, pair, definition)
        write_state(successor, outcome.state, current=True)
        current[pair] = successor

    await session.flush()
    await repository.add_log(session, log)
    await rewards.issue(session, earned)
    return CheckpointsResult(
        missingContactIds=sorted({r.contactId for r in rows} - known_contacts, key=str),
        missingDefinitionIds=sorted({r.definitionId for r in rows} - set(definitions), key=str),
        notAccepted=not_accepted,
    )


def _new_challenge(session: AsyncSession, pair: Pair, definition: ChallengeDefinition) -> Challenge:
    challenge = Challenge(
        id=ids.new_id(),
        contact_id=pair[0],
        definition_id=pair[1],
        required_checkpoints=definition.required_checkpoints,
    )
    repository.add(session, challenge)
    return challenge
