"""Every query for challenge definitions, challenges and the checkpoint log."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, delete, func, not_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.challenges.log_rows import LogRows, Pair
from patron.db.locking import ensure_write_lock, lock_key_pairs, pair_locks
from patron.db.upsert import insert_for
from patron.models import Challenge, ChallengeCheckpoint, ChallengeDefinition

Def = ChallengeDefinition
# The namespace of the locks a (contact, definition) pair's cards are changed under.
CHALLENGE_LOCKS = "challenge"


async def definition(session: AsyncSession, definition_id: uuid.UUID) -> ChallengeDefinition | None:
    return await session.get(ChallengeDefinition, definition_id)


async def definitions(
    session: AsyncSession, ids: set[uuid.UUID] | None = None
) -> Sequence[ChallengeDefinition]:
    stmt = select(Def).order_by(Def.created_on, Def.id)
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(Def.id.in_(ids))
    return (await session.execute(stmt)).scalars().all()


async def receipt_driven_definitions(session: AsyncSession) -> Sequence[ChallengeDefinition]:
    stmt = select(Def).where(Def.assign_on != 0, Def.status != 0, Def.status != 3)
    return (await session.execute(stmt)).scalars().all()


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def remove_definition(session: AsyncSession, definition: ChallengeDefinition) -> None:
    await session.delete(definition)


async def has_challenges(session: AsyncSession, definition_id: uuid.UUID) -> bool:
    stmt = select(Challenge.id).where(Challenge.definition_id == definition_id).limit(1)
    return (await session.execute(stmt)).first() is not None


async def challenge(session: AsyncSession, challenge_id: uuid.UUID) -> Challenge | None:
    return await session.get(Challenge, challenge_id)


def _ended(now: datetime) -> ColumnElement[bool]:
    scheduled_end = and_(Def.is_scheduled.is_(True), Def.scheduled_to.is_not(None), Def.scheduled_to <= now)
    return or_(Def.status == 3, scheduled_end)


def _running(now: datetime) -> ColumnElement[bool]:
    not_expired = or_(Challenge.ends_on.is_(None), Challenge.ends_on > now)
    return and_(Challenge.status == 1, not_expired, not_(_ended(now)))


async def challenges_of(
    session: AsyncSession,
    contact_id: uuid.UUID,
    definition_id: uuid.UUID | None,
    which: str,
    now: datetime,
    offset: int,
    count: int,
) -> tuple[Sequence[tuple[Challenge, ChallengeDefinition]], int]:
    conditions: list[ColumnElement[bool]] = [Challenge.contact_id == contact_id]
    if definition_id is not None:
        conditions.append(Challenge.definition_id == definition_id)
    if which == "Active":
        conditions.append(_running(now))
    elif which == "Completed":
        conditions.append(Challenge.status == 2)
    elif which == "NotCompleted":
        conditions.append(and_(Challenge.status != 2, not_(_running(now))))
    joined = select(Challenge, Def).join(Def, Def.id == Challenge.definition_id).where(*conditions)
    counted = select(func.count()).select_from(Challenge).join(Def, Def.id == Challenge.definition_id)
    total = (await session.execute(counted.where(*conditions))).scalar_one()
    stmt = (
        joined.order_by(Challenge.started_on.desc(), Challenge.cycle.desc(), Challenge.id)
        .offset(offset)
        .limit(count)
    )
    return [(c, d) for c, d in (await session.execute(stmt)).all()], int(total)


# The columns a checkpoint batch reads from a current card.
_CARD_COLUMNS = (
    "id",
    "contact_id",
    "definition_id",
    "cycle",
    "completed_checkpoints",
    "status",
    "started_on",
    "ends_on",
    "completed_on",
    "latest_checkpoint_on",
)
_STATE_COLUMNS = (*_CARD_COLUMNS[3:], "is_current")
_NEW_CARD_COLUMNS = (*_CARD_COLUMNS, "is_current", "required_checkpoints")
_ARRAY_TYPES = {
    "id": "uuid",
    "contact_id": "uuid",
    "definition_id": "uuid",
    "cycle": "integer",
    "completed_checkpoints": "integer",
    "required_checkpoints": "integer",
    "status": "integer",
    "amount": "integer",
    "is_current": "boolean",
    "started_on": "timestamptz",
    "ends_on": "timestamptz",
    "completed_on": "timestamptz",
    "latest_checkpoint_on": "timestamptz",
    "origin": "uuid",
}
# Sent as another type and cast: the driver would take a tid's pair of numbers for a dimension.
_SENT_AS = {"row_address": "text"}


def _on_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _array(name: str, prefix: str) -> str:
    sent = f"CAST(:{prefix}{name} AS {_SENT_AS.get(name, _ARRAY_TYPES[name])}[])"
    return f"CAST({sent} AS {_ARRAY_TYPES[name]}[])" if name in _SENT_AS else sent


def _unnest(columns: Sequence[str], prefix: str = "") -> str:
    """A FROM item of one row per array position, numbered `n` in the arrays' order."""
    arrays = ", ".join(_array(name, prefix) for name in columns)
    return f"unnest({arrays}) WITH ORDINALITY AS t({', '.join(columns)}, n)"


def _arrays(rows: Sequence[dict[str, Any]], columns: Sequence[str], prefix: str = "") -> dict[str, list[Any]]:
    return {prefix + name: [row[name] for row in rows] for name in columns}


def _insert_unnest(table: str, columns: Sequence[str], prefix: str = "") -> str:
    """PostgreSQL: many rows in one statement of one array per column, inserted in list order.

    The statement text is the same for every batch, so it is prepared once per connection;
    an executemany would bind every row's parameters in Python.
    """
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {_unnest(columns, prefix)} ORDER BY n"


def _insert_log(prefix: str = "") -> str:
    """PostgreSQL: `LogRows` appended in order, its varying columns as arrays and the rest as
    scalars."""
    return (
        "INSERT INTO challenge_checkpoints "
        "(contact_id, definition_id, amount, kind, source, receipt_id, recorded_on) "
        f"SELECT contact_id, definition_id, amount, CAST(:{prefix}kind AS text), "
        f"CAST(:{prefix}source AS text), CAST(:{prefix}receipt_id AS uuid), "
        f"CAST(:{prefix}at AS timestamptz) "
        f"FROM {_unnest(('contact_id', 'definition_id', 'amount'), prefix)} ORDER BY n"
    )


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


_INSERT_FIRST_CARDS = text(
    _insert_unnest("challenges", _NEW_CARD_COLUMNS)
    + " ON CONFLICT DO NOTHING RETURNING contact_id, definition_id, xmin, CAST(ctid AS text)"
)
_INSERT_LOG = text(_insert_log())
# The new ids as one array (one row to decode, not a thousand), then the locks of the rows'
# pairs and of the pairs `also`. The locks are taken once the rows are written: sorting their
# keys reads every row the insert returns.
_ALSO_LOCKED = "unnest(CAST(:also_contact_id AS uuid[]), CAST(:also_definition_id AS uuid[]))"
_INSERT_LOG_THEN_LOCK = text(
    f"WITH logged AS ({_insert_log()} RETURNING id, contact_id, definition_id) "
    "SELECT (SELECT array_agg(id ORDER BY id) FROM logged), "
    + pair_locks(
        f"(SELECT contact_id, definition_id FROM logged UNION ALL SELECT * FROM {_ALSO_LOCKED}) "
        "AS pair(first, second)"
    )
)
# A card whose count alone moved on (and the time of its latest checkpoint): its other
# columns are as read, so only these are sent.
_COUNT_SET = (
    "completed_checkpoints = t.completed_checkpoints, latest_checkpoint_on = CAST(:p_at AS timestamptz)"
)


def _cards_probed(columns: Sequence[str], prefix: str, condition: str = "TRUE") -> str:
    """A FROM item for an UPDATE of challenges `AS c`: the arrays' rows, each with the
    physical address (`card_ctid`) of the card its `id` names, where `condition` holds for
    that card (`card`); join it with `c.ctid = t.card_ctid`.

    One index probe per card, whatever the plan: as a plain `c.id = t.id` join, the plan made
    for a thousand-element array hashes the whole challenges table, a cost that grows with it.
    """
    return (
        f"(SELECT t.*, probe.ctid AS card_ctid FROM {_unnest(columns, prefix)} "
        "CROSS JOIN LATERAL (SELECT card.ctid FROM challenges AS card "
        f"WHERE card.id = t.id AND {condition} OFFSET 0) AS probe) AS t"
    )


# A batch's writes in one statement, so the cards stay locked for one round trip, not three.
# The parts touch different rows (updated cards, new cycles' cards, log rows), so running
# them on one snapshot is safe.
_WRITE_BATCH = text(
    "WITH updated AS (UPDATE challenges AS c SET "
    + ", ".join(f"{name} = t.{name}" for name in _STATE_COLUMNS)
    + f" FROM {_cards_probed(('id', *_STATE_COLUMNS), 'u_')} WHERE c.ctid = t.card_ctid RETURNING 1), "
    + f"counted AS (UPDATE challenges AS c SET {_COUNT_SET} "
    + f"FROM {_cards_probed(('id', 'completed_checkpoints'), 'p_')} WHERE c.ctid = t.card_ctid RETURNING 1), "
    + f"inserted AS ({_insert_unnest('challenges', _NEW_CARD_COLUMNS, 'i_')} RETURNING 1), "
    + f"logged AS ({_insert_log('l_')} RETURNING 1) "
    + "SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM counted), "
    + "(SELECT count(*) FROM inserted), (SELECT count(*) FROM logged)"
)
# On SQLite, a card is as a result was worked out from it if these are: any accepted
# checkpoint changes the count or the status, and sets the time of the latest checkpoint.
_VERSION_COLUMNS = ("completed_checkpoints", "status", "latest_checkpoint_on")
# On PostgreSQL, a card is as it was read if the row version read with it is still there: at
# the same place in the table (`row_address`, its ctid), written by the same transaction
# (`was_version`, its xmin). Any later update makes a new version elsewhere, so the old place
# holds nothing this statement sees. The place is also how the card is found: no index probe.
_ARRAY_TYPES["was_version"] = "xid"
_ARRAY_TYPES["row_address"] = "tid"
_UNCHANGED = "c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version"


def _conditional_writes(gate: str = "TRUE") -> str:
    """CTEs: early results written where `gate` holds, each card only if it is still current
    and as it was read (the update itself checks), and a new cycle's card only if the card it
    follows (`origin`) was written; `pairs`, those of the cards left alone (usually a few: a
    concurrent batch changed them)."""
    return (
        "updated AS (UPDATE challenges AS c SET "
        + ", ".join(f"{name} = t.{name}" for name in _STATE_COLUMNS)
        + f" FROM {_unnest(('id', *_STATE_COLUMNS, 'was_version', 'row_address'), 'u_')} "
        f"WHERE {gate} AND {_UNCHANGED} RETURNING c.id), "
        f"counted AS (UPDATE challenges AS c SET {_COUNT_SET} "
        f"FROM {_unnest(('id', 'completed_checkpoints', 'was_version', 'row_address'), 'p_')} "
        f"WHERE {gate} AND {_UNCHANGED} RETURNING c.id), "
        f"inserted AS (INSERT INTO challenges ({', '.join(_NEW_CARD_COLUMNS)}) "
        f"SELECT {', '.join(_NEW_CARD_COLUMNS)} FROM {_unnest((*_NEW_CARD_COLUMNS, 'origin'), 'i_')} "
        "WHERE t.origin IN (SELECT id FROM updated) ORDER BY n RETURNING 1), "
        "left_alone AS (SELECT id FROM unnest(CAST(:u_id AS uuid[])) AS id WHERE id NOT IN (SELECT id FROM updated) "
        "UNION ALL SELECT id FROM unnest(CAST(:p_id AS uuid[])) AS id WHERE id NOT IN (SELECT id FROM counted)), "
        "pairs AS (SELECT DISTINCT card.contact_id, card.definition_id FROM left_alone "
        "JOIN challenges AS card ON card.id = left_alone.id)"
    )


# The early results written under the locks. For the cards left alone, the pairs' early log
# rows (among `log_ids`) are taken back and their current cards returned as they are now, so
# a redo needs no statement of its own to start from.
_WRITE_IF_UNCHANGED = text(
    f"WITH {_conditional_writes()}, "
    # Gated: with no pair left alone (the usual case) the log rows are not even read.
    "removed AS (DELETE FROM challenge_checkpoints AS l USING pairs WHERE EXISTS (SELECT FROM pairs) "
    "AND l.id = ANY(CAST(:log_ids AS bigint[])) "
    "AND l.contact_id = pairs.contact_id AND l.definition_id = pairs.definition_id RETURNING 1) "
    "SELECT pairs.contact_id AS pair_contact_id, pairs.definition_id AS pair_definition_id, "
    f"{', '.join('c.' + name for name in _CARD_COLUMNS)} FROM pairs "
    "LEFT JOIN LATERAL (SELECT * FROM challenges AS card WHERE card.contact_id = pairs.contact_id "
    "AND card.definition_id = pairs.definition_id AND card.is_current ORDER BY card.cycle DESC LIMIT 1) AS c ON true"
)
# The early log rows appended, their pairs' locks taken, and the early results written under
# them, in one statement: everything it sends is encoded before it waits for the locks. The
# writes run on the snapshot taken before that wait, which is safe for them: an update finds
# a card changed meanwhile by a batch that has committed since, and leaves it alone. What it
# cannot do is read those cards as they are now, nor see the log rows it appends itself, so
# the cards left alone are only named; their redo takes back and reads in a statement of its
# own.
_LOG_LOCK_AND_WRITE = text(
    f"WITH logged AS ({_insert_log()} RETURNING id, contact_id, definition_id), "
    "locked AS MATERIALIZED (SELECT "
    + pair_locks(
        f"(SELECT contact_id, definition_id FROM logged UNION ALL SELECT * FROM {_ALSO_LOCKED}) "
        "AS pair(first, second)"
    )
    + " AS locks), "
    + _conditional_writes("(SELECT locks FROM locked) IS NOT NULL")
    + " SELECT (SELECT array_agg(id ORDER BY id) FROM logged), "
    "ARRAY(SELECT contact_id FROM pairs), ARRAY(SELECT definition_id FROM pairs)"
)
_REMOVE_LOG_TEXT = (
    "DELETE FROM challenge_checkpoints AS l USING "
    + _unnest(("contact_id", "definition_id"))
    + " WHERE l.id = ANY(CAST(:ids AS bigint[])) "
    "AND l.contact_id = t.contact_id AND l.definition_id = t.definition_id"
)


# Untyped: the driver's UUIDs and UTC datetimes are what the engine needs, and converting
# ten columns of a thousand rows would cost more than the query.
# One index probe per pair, whatever the statistics say: as a plain join the planner
# misjudges how many cards a pair has and sorts the whole table instead (57 ms per batch at
# 150 000 cards, and growing, while the batch holds its locks).
# The pair's ids are not read back: the caller has them, and a thousand of each cost the
# driver more to decode than the rest of the card.
_READ_COLUMNS = tuple(name for name in _CARD_COLUMNS if name not in ("contact_id", "definition_id"))
_CURRENT_CARDS_TEXT = (
    f"SELECT t.n, {', '.join('c.' + name for name in _READ_COLUMNS)}, c.row_version, c.row_address "
    f"FROM {_unnest(('contact_id', 'definition_id'))} "
    "CROSS JOIN LATERAL (SELECT card.*, card.xmin AS row_version, CAST(card.ctid AS text) AS row_address "
    "FROM challenges AS card "
    "WHERE card.contact_id = t.contact_id AND card.definition_id = t.definition_id AND card.is_current "
    "ORDER BY card.cycle DESC LIMIT 1) AS c"
)
_CURRENT_CARDS = text(_CURRENT_CARDS_TEXT)
# The same pairs' log rows among `ids` taken back, then their cards read, in one round trip
# (the two touch different tables).
_TAKE_BACK_AND_READ = text(f"WITH removed AS ({_REMOVE_LOG_TEXT} RETURNING 1) {_CURRENT_CARDS_TEXT}")


# Where a card was stored, as a batch reads it (`row_version`, `row_address`); None on SQLite.
Stored = tuple[Any, str | None]


async def insert_first_cycles(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[Pair, Stored]:
    """Start cycle 0 where the contact has none yet (each row's card columns are stored, any
    other key is not); returns the pairs that were started now, each with where its card
    was stored."""
    if not rows:
        return {}
    rows = sorted(rows, key=lambda r: (str(r["contact_id"]), str(r["definition_id"])))
    if _on_postgresql(session):
        result = await session.execute(_INSERT_FIRST_CARDS, _arrays(rows, _NEW_CARD_COLUMNS))
        return {(c, d): (version, address) for c, d, version, address in result.all()}
    # Parameter lists rather than one huge VALUES: the statement compiles once and is cached.
    stmt = (
        insert_for(session, Challenge)
        .on_conflict_do_nothing()
        .returning(Challenge.contact_id, Challenge.definition_id)
    )
    columns = [{name: row[name] for name in _NEW_CARD_COLUMNS} for row in rows]
    return {(c, d): (None, None) for c, d in (await session.execute(stmt, columns)).all()}


async def current_cards_in_order(
    session: AsyncSession, pairs: Sequence[Pair], *, taking_back: list[int] | None = None
) -> list[Row[Any] | None]:
    """The current card of each pair, in the pairs' order (None where there is none), as plain
    rows: no ORM objects to track, and no map keyed by ids to build and probe. On PostgreSQL a
    row holds the card's id, state and where it is stored, not its pair.

    With `taking_back`, the log rows among those ids (written by this transaction) that are
    of these pairs are taken back first: they were worked out from cards changed since."""
    if not pairs:
        return []
    found: list[Row[Any] | None] = [None] * len(pairs)
    if _on_postgresql(session):
        arrays = {"contact_id": [c for c, _ in pairs], "definition_id": [d for _, d in pairs]}
        if taking_back:
            result = await session.execute(_TAKE_BACK_AND_READ, {"ids": taking_back, **arrays})
        else:
            result = await session.execute(_CURRENT_CARDS, arrays)
        for row in result.all():
            found[row.n - 1] = row
        return found
    if taking_back:
        await _take_back_sqlite(session, taking_back, pairs)
    # Two plain INs (then the exact pairs in Python): row-value IN does not bind GUIDs on SQLite.
    position = {pair: index for index, pair in enumerate(pairs)}
    table = Challenge.__table__
    stmt = select(*(table.c[name] for name in _CARD_COLUMNS)).where(
        table.c.contact_id.in_({c for c, _ in pairs}),
        table.c.definition_id.in_({d for _, d in pairs}),
        table.c.is_current.is_(True),
    )
    for row in (await session.execute(stmt)).all():
        index = position.get((row.contact_id, row.definition_id))
        if index is not None:
            found[index] = row
    return found


async def current_cards(session: AsyncSession, pairs: Collection[Pair]) -> dict[Pair, Row[Any]]:
    """The current card of each pair that has one, by pair."""
    ordered = list(pairs)
    found = await current_cards_in_order(session, ordered)
    return {pair: card for pair, card in zip(ordered, found, strict=True) if card is not None}


async def write_batch(
    session: AsyncSession,
    *,
    updated: list[dict[str, Any]],
    counted: list[tuple[uuid.UUID, int]],
    inserted: list[dict[str, Any]],
    log: LogRows,
) -> None:
    """Write a batch's outcome: new states onto existing cards (`id` plus every state column),
    new counts onto cards whose count alone moved on (their latest checkpoint at `log.at`),
    the cards of new cycles, and the checkpoint log in list order (its ids order what was
    applied)."""
    if _on_postgresql(session):
        if updated or counted or inserted or log:
            arrays = {
                **_arrays(updated, ("id", *_STATE_COLUMNS), "u_"),
                "p_id": [card_id for card_id, _ in counted],
                "p_completed_checkpoints": [count for _, count in counted],
                "p_at": log.at,
                **_arrays(inserted, _NEW_CARD_COLUMNS, "i_"),
                **_log_parameters(log, "l_"),
            }
            await session.execute(_WRITE_BATCH, arrays)
        return
    table = cast(Table, Challenge.__table__)
    stmt = update(table).where(table.c.id == bindparam("card_id"))
    if updated:
        params = [{"card_id": row["id"], **{name: row[name] for name in _STATE_COLUMNS}} for row in updated]
        await session.execute(stmt, params)
    if counted:
        await session.execute(
            stmt,
            [
                {"card_id": card_id, "completed_checkpoints": count, "latest_checkpoint_on": log.at}
                for card_id, count in counted
            ],
        )
    if inserted:
        await session.execute(insert_for(session, Challenge), inserted)
    await add_log(session, log)


async def write_if_unchanged(
    session: AsyncSession,
    *,
    updated: list[tuple[Any, dict[str, Any]]],
    counted: list[tuple[Any, int]],
    at: datetime,
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
    log_ids: list[int],
) -> dict[Pair, Row[Any] | None]:
    """Write results worked out from cards as they were read: `updated` pairs each card as
    read (a row: id and version) with its new state, `counted` each with its new count (its
    latest checkpoint at `at`, the rest as read), `inserted` new cards each with the id of
    the card it follows. A card that is no longer current or as read is left alone, with the
    cards that follow it. Returns the pairs of the cards left alone, each with its current
    card as it is now (None if it has none), and takes back their log rows among `log_ids`
    (written by this transaction, worked out from the cards as they were).

    The caller holds the cards' locks, so nothing changes between the check and the write.
    """
    if not updated and not counted:
        return {}
    if _on_postgresql(session):
        arrays = {**_conditional_write_parameters(updated, counted, at, inserted), "log_ids": log_ids}
        return {
            (row.pair_contact_id, row.pair_definition_id): row if row.id is not None else None
            for row in await session.execute(_WRITE_IF_UNCHANGED, arrays)
        }
    table = Challenge.__table__
    read = {card.id: card for card, _ in (*updated, *counted)}
    stored = await session.execute(
        select(table.c.id, table.c.is_current, *(table.c[name] for name in _VERSION_COLUMNS)).where(
            table.c.id.in_(read)
        )
    )
    unchanged = {
        row.id
        for row in stored
        if row.is_current
        and all(getattr(row, name) == getattr(read[row.id], name) for name in _VERSION_COLUMNS)
    }
    await write_batch(
        session,
        updated=[state for card, state in updated if card.id in unchanged],
        counted=[(card.id, count) for card, count in counted if card.id in unchanged],
        inserted=[row for row, origin in inserted if origin in unchanged],
        log=LogRows("checkpoint", "", None, at),
    )
    pairs = list(
        {(card.contact_id, card.definition_id) for card_id, card in read.items() if card_id not in unchanged}
    )
    cards = await current_cards_in_order(session, pairs, taking_back=log_ids)
    return dict(zip(pairs, cards, strict=True))


def _conditional_write_parameters(
    updated: list[tuple[Any, dict[str, Any]]],
    counted: list[tuple[Any, int]],
    at: datetime,
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
) -> dict[str, Any]:
    # Column by column, straight from the pairs (no merged row to build per card).
    return {
        **_arrays([state for _, state in updated], ("id", *_STATE_COLUMNS), "u_"),
        "u_was_version": [card.row_version for card, _ in updated],
        "u_row_address": [card.row_address for card, _ in updated],
        "p_id": [card.id for card, _ in counted],
        "p_completed_checkpoints": [count for _, count in counted],
        "p_was_version": [card.row_version for card, _ in counted],
        "p_row_address": [card.row_address for card, _ in counted],
        "p_at": at,
        **_arrays([row for row, _ in inserted], _NEW_CARD_COLUMNS, "i_"),
        "i_origin": [origin for _, origin in inserted],
    }


async def add_log_lock_and_write(
    session: AsyncSession,
    rows: LogRows,
    also: Collection[Pair],
    *,
    updated: list[tuple[Any, dict[str, Any]]],
    counted: list[tuple[Any, int]],
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
) -> tuple[list[int], set[Pair]]:
    """`add_log_then_lock`, then `write_if_unchanged` (at `rows.at`) under the locks, in one
    statement. Returns the new log rows' ids and the pairs of the cards left alone, whose log
    rows are not taken back and whose cards are not read: the caller does both, in one
    statement of its own (`current_cards_in_order` with `taking_back`)."""
    if not _on_postgresql(session) or not (updated or counted):
        ids = await add_log_then_lock(session, rows, also)
        left_alone = await write_if_unchanged(
            session, updated=updated, counted=counted, at=rows.at, inserted=inserted, log_ids=[]
        )
        return ids, set(left_alone)
    await ensure_write_lock(session)
    found = await session.execute(
        _LOG_LOCK_AND_WRITE,
        {
            **_log_and_lock_parameters(rows, also),
            **_conditional_write_parameters(updated, counted, rows.at, inserted),
        },
    )
    ids, contact_ids, definition_ids = found.one()
    return list(ids or []), set(zip(contact_ids, definition_ids, strict=True))


def forget_loaded_cards(session: AsyncSession) -> None:
    """Cards written by the set-based statements above are read afresh if the ORM holds them."""
    for loaded in list(session.sync_session.identity_map.values()):
        if isinstance(loaded, Challenge):
            session.expire(loaded)


async def add_log(session: AsyncSession, rows: LogRows) -> None:
    """Append to the checkpoint log in list order (its ids order what was applied)."""
    if not rows:
        return
    if _on_postgresql(session):
        await session.execute(_INSERT_LOG, _log_parameters(rows))
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
        found = await session.execute(_INSERT_LOG_THEN_LOCK, _log_and_lock_parameters(rows, also))
        return list(found.one()[0] or [])
    await lock_key_pairs(session, CHALLENGE_LOCKS, also)  # SQLite: checks the write lock is held
    if not rows:
        return []
    stmt = insert_for(session, ChallengeCheckpoint).returning(ChallengeCheckpoint.__table__.c.id)
    return list((await session.execute(stmt, rows.as_dicts())).scalars().all())


async def _take_back_sqlite(session: AsyncSession, ids: list[int], pairs: Collection[Pair]) -> None:
    """SQLite: `_TAKE_BACK_AND_READ`'s first half."""
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


async def log_of_definition(session: AsyncSession, definition_id: uuid.UUID) -> Sequence[ChallengeCheckpoint]:
    stmt = (
        select(ChallengeCheckpoint)
        .where(ChallengeCheckpoint.definition_id == definition_id)
        .order_by(ChallengeCheckpoint.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def challenges_of_definition(session: AsyncSession, definition_id: uuid.UUID) -> Sequence[Challenge]:
    stmt = select(Challenge).where(Challenge.definition_id == definition_id)
    return (await session.execute(stmt)).scalars().all()


async def delete_challenges(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    if ids:
        await session.execute(delete(Challenge).where(Challenge.id.in_(ids)))
