"""Rebuilding challenges from the checkpoint log, and finding where they disagree.

The log is the ledger; challenge rows are its materialised view. Replaying each contact's
log through the progress engine must give exactly the stored rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import batch_store, repository
from patron.challenges.plans import plan_of, write_state
from patron.db.locking import lock_keys
from patron.models import Challenge, ChallengeCheckpoint, ChallengeDefinition
from patron.progress import engine

_COMPARED = (
    "cycle",
    "completed_checkpoints",
    "status",
    "is_current",
    "started_on",
    "ends_on",
    "completed_on",
    "latest_checkpoint_on",
)


def _expected_rows(definition: ChallengeDefinition, log: list[ChallengeCheckpoint]) -> list[Challenge]:
    start: datetime | None = None
    activity: list[tuple[Decimal, datetime]] = []
    for entry in log:
        # An assignment starts the first challenge; so does a checkpoint where there was none.
        start = start or entry.recorded_on
        if entry.kind != "assigned":
            activity.append((Decimal(entry.amount), entry.recorded_on))
    if start is None:
        return []
    states = engine.replay(plan_of(definition), start, activity)
    rows = []
    for index, state in enumerate(states):
        row = Challenge(required_checkpoints=definition.required_checkpoints)
        write_state(row, state, current=index == len(states) - 1)
        rows.append(row)
    return rows


async def differences(session: AsyncSession, *, repair: bool = False) -> list[str]:
    """Every stored challenge that the log does not reproduce; with `repair`, rewrite them."""
    problems: list[str] = []
    for definition in await repository.definitions(session):
        logs: dict[tuple[uuid.UUID], list[ChallengeCheckpoint]] = defaultdict(list)
        for entry in await repository.log_of_definition(session, definition.id):
            logs[(entry.contact_id,)].append(entry)
        if repair:
            # Live checkpoint batches change a challenge only under its (contact, definition) lock.
            await lock_keys(
                session, batch_store.CHALLENGE_LOCKS, (f"{contact}:{definition.id}" for (contact,) in logs)
            )
        stored: dict[tuple[uuid.UUID, int], Challenge] = {
            (c.contact_id, c.cycle): c
            for c in await repository.challenges_of_definition(session, definition.id)
        }
        expected: dict[tuple[uuid.UUID, int], Challenge] = {}
        for (contact_id,), entries in logs.items():
            for row in _expected_rows(definition, entries):
                expected[(contact_id, row.cycle)] = row
        for key in sorted(set(stored) | set(expected), key=str):
            have, want = stored.get(key), expected.get(key)
            where = f"challenge of contact {key[0]} on definition {definition.id}, cycle {key[1]}"
            if want is None:
                problems.append(f"{where}: stored but not in the log")
                if repair and have is not None:
                    await repository.delete_challenges(session, [have.id])
                continue
            if have is None:
                problems.append(f"{where}: in the log but not stored")
                if repair:
                    want.id, want.contact_id, want.definition_id = uuid.uuid4(), key[0], definition.id
                    repository.add(session, want)
                continue
            for name in _COMPARED:
                if getattr(have, name) != getattr(want, name):
                    problems.append(
                        f"{where}: {name} is {getattr(have, name)}, the log says {getattr(want, name)}"
                    )
                    if repair:
                        setattr(have, name, getattr(want, name))
    await session.flush()
    return problems
