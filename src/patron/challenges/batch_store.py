"""The reads and writes of checkpoint batches: PostgreSQL's set-based statements
(`statements`), each with its SQLite counterpart.

A batch reads the current challenge of each (contact, definition) pair, appends to the
checkpoint log and writes the pairs' new states, each in as few round trips as the database
allows; `checkpoints` decides what to write.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import statements
from patron.challenges.log_rows import LogRows, Pair
from patron.challenges.rows import ReadChallenge, StoredAt
from patron.challenges.statements import CHALLENGE_COLUMNS, NEW_CHALLENGE_COLUMNS, STATE_COLUMNS
from patron.db.arrays import arrays_of
from patron.db.locking import ensure_write_lock, lock_key_pairs
from patron.db.upsert import insert_for
from patron.models import Challenge, ChallengeCheckpoint

# The namespace of the locks a (contact, definition) pair's challenges are changed under.
CHALLENGE_LOCKS = "challenge"
# On SQLite, a challenge is as a result was worked out from it if these are: any accepted
# checkpoint changes the count or the status, and sets the time of the latest checkpoint.
_VERSION_COLUMNS = ("completed_checkpoints", "status", "latest_checkpoint_on")


def _on_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def lock_pairs(session: AsyncSession, pairs: Collection[Pair]) -> None:
    """One contact's challenge of one definition is changed by one transaction at a time."""
    await lock_key_pairs(session, CHALLENGE_LOCKS, list(pairs))


def _log_parameters(log: LogRows, prefix: str = "") -> dict[str, Any]:
    return {
        f"{prefix}contact_id": log.contact_ids,
        f"{prefix}definition_id": log.definition_ids,
        f"{prefix}amount": log.amounts,
        f"{prefix}kind": log.kind,
        f"{prefix}source": log.source,
        f"{prefix}receipt_id": log.receipt_id,
        f"{prefix}at": log.at,
    }


async def insert_first_cycles(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[Pair, StoredAt]:
    """Start cycle 0 where the contact has none yet (each row's challenge columns are stored,
    any other key is not); returns the pairs that were started now, each with where its
    challenge was stored."""
    if not rows:
        return {}
    rows = sorted(rows, key=lambda r: (str(r["contact_id"]), str(r["definition_id"])))
    if _on_postgresql(session):
        result = await session.execute(
            statements.INSERT_FIRST_CHALLENGES, arrays_of(rows, NEW_CHALLENGE_COLUMNS)
        )
        return {(c, d): StoredAt(version, address) for c, d, version, address in result.all()}
    # Parameter lists rather than one huge VALUES: the statement compiles once and is cached.
    stmt = (
        insert_for(session, Challenge)
        .on_conflict_do_nothing()
        .returning(Challenge.contact_id, Challenge.definition_id)
    )
    columns = [{name: row[name] for name in NEW_CHALLENGE_COLUMNS} for row in rows]
    return {(c, d): StoredAt(None, None) for c, d in (await session.execute(stmt, columns)).all()}


async def current_challenges_in_order(
    session: AsyncSession, pairs: Sequence[Pair], *, taking_back: list[int] | None = None
) -> list[ReadChallenge | None]:
    """The current challenge of each pair, in the pairs' order (None where there is none), as
    plain rows: no ORM objects to track, and no map keyed by ids to build and probe. On
    PostgreSQL a row holds the challenge's id, state and where it is stored, not its pair.

    With `taking_back`, the log rows among those ids (written by this transaction) that are
    of these pairs are taken back first: they were worked out from challenges changed since."""
    if not pairs:
        return []
    found: list[ReadChallenge | None] = [None] * len(pairs)
    if _on_postgresql(session):
        arrays = {"contact_id": [c for c, _ in pairs], "definition_id": [d for _, d in pairs]}
        if taking_back:
            result = await session.execute(statements.TAKE_BACK_AND_READ, {"ids": taking_back, **arrays})
        else:
            result = await session.execute(statements.CURRENT_CHALLENGES, arrays)
        for row in result.all():
            found[row.n - 1] = row
        return found
    if taking_back:
        await _take_back_sqlite(session, taking_back, pairs)
    # Two plain INs (then the exact pairs in Python): row-value IN does not bind GUIDs on SQLite.
    position = {pair: index for index, pair in enumerate(pairs)}
    table = Challenge.__table__
    unstored = (null().label("row_version"), null().label("row_address"))
    stmt = select(*(table.c[name] for name in CHALLENGE_COLUMNS), *unstored).where(
        table.c.contact_id.in_({c for c, _ in pairs}),
        table.c.definition_id.in_({d for _, d in pairs}),
        table.c.is_current.is_(True),
    )
    for row in (await session.execute(stmt)).all():
        index = position.get((row.contact_id, row.definition_id))
        if index is not None:
            found[index] = row
    return found


async def current_challenges(session: AsyncSession, pairs: Collection[Pair]) -> dict[Pair, ReadChallenge]:
    """The current challenge of each pair that has one, by pair."""
    ordered = list(pairs)
    found = await current_challenges_in_order(session, ordered)
    return {pair: challenge for pair, challenge in zip(ordered, found, strict=True) if challenge is not None}


async def write_batch(
    session: AsyncSession,
    *,
    updated: list[dict[str, Any]],
    counted: list[tuple[uuid.UUID, int]],
    inserted: list[dict[str, Any]],
    log: LogRows,
) -> None:
    """Write a batch's outcome: new states onto existing challenges (`id` plus every state column),
    new counts onto challenges whose count alone moved on (their latest checkpoint at `log.at`),
    the challenges of new cycles, and the checkpoint log in list order (its ids order what was
    applied)."""
    if _on_postgresql(session):
        if updated or counted or inserted or log:
            arrays = {
                **arrays_of(updated, ("id", *STATE_COLUMNS), "u_"),
                "p_id": [challenge_id for challenge_id, _ in counted],
                "p_completed_checkpoints": [count for _, count in counted],
                "p_at": log.at,
                **arrays_of(inserted, NEW_CHALLENGE_COLUMNS, "i_"),
                **_log_parameters(log, "l_"),
            }
            await session.execute(statements.WRITE_BATCH, arrays)
        return
    table = cast(Table, Challenge.__table__)
    stmt = update(table).where(table.c.id == bindparam("challenge_id"))
    if updated:
        params = [
            {"challenge_id": row["id"], **{name: row[name] for name in STATE_COLUMNS}} for row in updated
        ]
        await session.execute(stmt, params)
    if counted:
        await session.execute(
            stmt,
            [
                {"challenge_id": challenge_id, "completed_checkpoints": count, "latest_checkpoint_on": log.at}
                for challenge_id, count in counted
            ],
        )
    if inserted:
        await session.execute(insert_for(session, Challenge), inserted)
    await add_log(session, log)


async def write_if_unchanged(
    session: AsyncSession,
    *,
    updated: list[tuple[ReadChallenge, dict[str, Any]]],
    counted: list[tuple[ReadChallenge, int]],
    at: datetime,
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
    log_ids: list[int],
) -> dict[Pair, ReadChallenge | None]:
    """Write results worked out from challenges as they were read: `updated` pairs each challenge as
    read (a row: id and version) with its new state, `counted` each with its new count (its
    latest checkpoint at `at`, the rest as read), `inserted` new challenges each with the id of
    the challenge it follows. A challenge that is no longer current or as read is left alone, with the
    challenges that follow it. Returns the pairs of the challenges left alone, each with its current
    challenge as it is now (None if it has none), and takes back their log rows among `log_ids`
    (written by this transaction, worked out from the challenges as they were).

    The caller holds the challenges' locks, so nothing changes between the check and the write.
    """
    if not updated and not counted:
        return {}
    if _on_postgresql(session):
        arrays = {**_conditional_write_parameters(updated, counted, at, inserted), "log_ids": log_ids}
        return {
            (row.pair_contact_id, row.pair_definition_id): row if row.id is not None else None
            for row in await session.execute(statements.WRITE_IF_UNCHANGED, arrays)
        }
    table = Challenge.__table__
    read = {challenge.id: challenge for challenge, _ in (*updated, *counted)}
    stored = (
        await session.execute(
            select(
                table.c.id,
                table.c.contact_id,
                table.c.definition_id,
                table.c.is_current,
                *(table.c[name] for name in _VERSION_COLUMNS),
            ).where(table.c.id.in_(read))
        )
    ).all()
    unchanged = {
        row.id
        for row in stored
        if row.is_current
        and all(getattr(row, name) == getattr(read[row.id], name) for name in _VERSION_COLUMNS)
    }
    await write_batch(
        session,
        updated=[state for challenge, state in updated if challenge.id in unchanged],
        counted=[(challenge.id, count) for challenge, count in counted if challenge.id in unchanged],
        inserted=[row for row, origin in inserted if origin in unchanged],
        log=LogRows("checkpoint", "", None, at),
    )
    pairs = list({(row.contact_id, row.definition_id) for row in stored if row.id not in unchanged})
    challenges = await current_challenges_in_order(session, pairs, taking_back=log_ids)
    return dict(zip(pairs, challenges, strict=True))


def _conditional_write_parameters(
    updated: list[tuple[ReadChallenge, dict[str, Any]]],
    counted: list[tuple[ReadChallenge, int]],
    at: datetime,
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
) -> dict[str, Any]:
    # Column by column, straight from the pairs (no merged row to build per challenge).
    return {
        **arrays_of([state for _, state in updated], ("id", *STATE_COLUMNS), "u_"),
        "u_was_version": [challenge.row_version for challenge, _ in updated],
        "u_row_address": [challenge.row_address for challenge, _ in updated],
        "p_id": [challenge.id for challenge, _ in counted],
        "p_completed_checkpoints": [count for _, count in counted],
        "p_was_version": [challenge.row_version for challenge, _ in counted],
        "p_row_address": [challenge.row_address for challenge, _ in counted],
        "p_at": at,
        **arrays_of([row for row, _ in inserted], NEW_CHALLENGE_COLUMNS, "i_"),
        "i_origin": [origin for _, origin in inserted],
    }


async def add_log_lock_and_write(
    session: AsyncSession,
    rows: LogRows,
    also: Collection[Pair],
    *,
    updated: list[tuple[ReadChallenge, dict[str, Any]]],
    counted: list[tuple[ReadChallenge, int]],
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
) -> tuple[list[int], set[Pair]]:
    """`add_log_then_lock`, then `write_if_unchanged` (at `rows.at`) under the locks, in one
    statement. Returns the new log rows' ids and the pairs of the challenges left alone, whose log
    rows are not taken back and whose challenges are not read: the caller does both, in one
    statement of its own (`current_challenges_in_order` with `taking_back`)."""
    if not _on_postgresql(session) or not (updated or counted):
        ids = await add_log_then_lock(session, rows, also)
        left_alone = await write_if_unchanged(
            session, updated=updated, counted=counted, at=rows.at, inserted=inserted, log_ids=[]
        )
        return ids, set(left_alone)
    await ensure_write_lock(session)
    found = await session.execute(
        statements.LOG_LOCK_AND_WRITE,
        {
            **_log_and_lock_parameters(rows, also),
            **_conditional_write_parameters(updated, counted, rows.at, inserted),
        },
    )
    ids, contact_ids, definition_ids = found.one()
    return list(ids or []), set(zip(contact_ids, definition_ids, strict=True))


def forget_loaded_challenges(session: AsyncSession) -> None:
    """Cards written by the set-based statements above are read afresh if the ORM holds them."""
    for loaded in list(session.sync_session.identity_map.values()):
        if isinstance(loaded, Challenge):
            session.expire(loaded)


async def add_log(session: AsyncSession, rows: LogRows) -> None:
    """Append to the checkpoint log in list order (its ids order what was applied)."""
    if not rows:
        return
    if _on_postgresql(session):
        await session.execute(statements.INSERT_LOG, _log_parameters(rows))
        return
    await session.execute(insert_for(session, ChallengeCheckpoint), rows.as_dicts())


def _log_and_lock_parameters(rows: LogRows, also: Collection[Pair]) -> dict[str, Any]:
    return {
        **_log_parameters(rows),
        "also_contact_id": [contact_id for contact_id, _ in also],
        "also_definition_id": [definition_id for _, definition_id in also],
        "lock_namespace": CHALLENGE_LOCKS,
    }


async def add_log_then_lock(session: AsyncSession, rows: LogRows, also: Collection[Pair]) -> list[int]:
    """Append to the checkpoint log in list order, then take the challenge locks
    (`lock_key_pairs`) of the rows' pairs and of `also`; returns the new rows' ids. One round
    trip, and the pairs are not sent twice."""
    if _on_postgresql(session):
        await ensure_write_lock(session)
        found = await session.execute(statements.INSERT_LOG_THEN_LOCK, _log_and_lock_parameters(rows, also))
        return list(found.one()[0] or [])
    await lock_key_pairs(session, CHALLENGE_LOCKS, also)  # SQLite: checks the write lock is held
    if not rows:
        return []
    stmt = insert_for(session, ChallengeCheckpoint).returning(ChallengeCheckpoint.__table__.c.id)
    return list((await session.execute(stmt, rows.as_dicts())).scalars().all())


async def _take_back_sqlite(session: AsyncSession, ids: list[int], pairs: Collection[Pair]) -> None:
    """SQLite: `statements.TAKE_BACK_AND_READ`'s first half."""
    table = ChallengeCheckpoint.__table__
    wanted = set(pairs)
    written = await session.execute(
        select(table.c.id, table.c.contact_id, table.c.definition_id).where(table.c.id.in_(ids))
    )
    taken_back = [
        log_id for log_id, contact_id, definition_id in written if (contact_id, definition_id) in wanted
    ]
    if taken_back:
        await session.execute(delete(ChallengeCheckpoint).where(ChallengeCheckpoint.id.in_(taken_back)))
