"""Every query for challenge definitions, challenges and the checkpoint log."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, delete, func, not_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.db.upsert import insert_for
from patron.models import Challenge, ChallengeCheckpoint, ChallengeDefinition

Pair = tuple[uuid.UUID, uuid.UUID]  # (contact id, definition id)
Def = ChallengeDefinition


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
_LOG_COLUMNS = ("contact_id", "definition_id", "kind", "amount", "source", "receipt_id", "recorded_on")
_ARRAY_TYPES = {
    "id": "uuid",
    "contact_id": "uuid",
    "definition_id": "uuid",
    "receipt_id": "uuid",
    "cycle": "integer",
    "completed_checkpoints": "integer",
    "required_checkpoints": "integer",
    "status": "integer",
    "amount": "integer",
    "is_current": "boolean",
    "kind": "text",
    "source": "text",
    "started_on": "timestamptz",
    "ends_on": "timestamptz",
    "completed_on": "timestamptz",
    "latest_checkpoint_on": "timestamptz",
    "recorded_on": "timestamptz",
    "origin": "uuid",
}


def _on_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _unnest(columns: Sequence[str], prefix: str = "") -> str:
    """A FROM item of one row per array position, numbered `n` in the arrays' order."""
    arrays = ", ".join(f"CAST(:{prefix}{name} AS {_ARRAY_TYPES[name]}[])" for name in columns)
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


_INSERT_FIRST_CARDS = text(
    _insert_unnest("challenges", _NEW_CARD_COLUMNS)
    + " ON CONFLICT DO NOTHING RETURNING contact_id, definition_id"
).columns(Challenge.__table__.c.contact_id, Challenge.__table__.c.definition_id)
_INSERT_LOG = text(_insert_unnest("challenge_checkpoints", _LOG_COLUMNS))
_INSERT_LOG_RETURNING = text(
    _insert_unnest("challenge_checkpoints", _LOG_COLUMNS) + " RETURNING id, contact_id, definition_id"
).columns(
    ChallengeCheckpoint.__table__.c.id,
    ChallengeCheckpoint.__table__.c.contact_id,
    ChallengeCheckpoint.__table__.c.definition_id,
)
# A batch's writes in one statement, so the cards stay locked for one round trip, not three.
# The parts touch different rows (updated cards, new cycles' cards, log rows), so running
# them on one snapshot is safe.
_WRITE_BATCH = text(
    "WITH updated AS (UPDATE challenges AS c SET "
    + ", ".join(f"{name} = t.{name}" for name in _STATE_COLUMNS)
    + f" FROM {_unnest(('id', *_STATE_COLUMNS), 'u_')} WHERE c.id = t.id RETURNING 1), "
    + f"inserted AS ({_insert_unnest('challenges', _NEW_CARD_COLUMNS, 'i_')} RETURNING 1), "
    + f"logged AS ({_insert_unnest('challenge_checkpoints', _LOG_COLUMNS, 'l_')} RETURNING 1) "
    + "SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted), (SELECT count(*) FROM logged)"
)
# A card as a result was worked out from it: any accepted checkpoint changes the count or
# the status, and sets the time of the latest checkpoint.
_VERSION_COLUMNS = ("completed_checkpoints", "status", "latest_checkpoint_on")
_WAS = tuple(f"was_{name}" for name in _VERSION_COLUMNS)
_ARRAY_TYPES.update({f"was_{name}": _ARRAY_TYPES[name] for name in _VERSION_COLUMNS})
# Early results written under the locks: each card only if it is still current and as it was
# read (the update itself checks), and a new cycle's card only if the card it follows
# (`origin`) was written. Returns the ids of the cards written.
# A card whose count alone moved on (and the time of its latest checkpoint): its other
# columns are as read, so only these are sent.
_COUNT_COLUMNS = ("id", "completed_checkpoints", "latest_checkpoint_on")
_UNCHANGED_BY_COUNT = ("cycle", "status", "started_on", "ends_on", "completed_on")
_WRITE_IF_UNCHANGED = text(
    "WITH updated AS (UPDATE challenges AS c SET "
    + ", ".join(f"{name} = t.{name}" for name in _STATE_COLUMNS)
    + f" FROM {_unnest(('id', *_STATE_COLUMNS, *_WAS), 'u_')} "
    "WHERE c.id = t.id AND c.is_current AND "
    + " AND ".join(f"c.{name} IS NOT DISTINCT FROM t.was_{name}" for name in _VERSION_COLUMNS)
    + " RETURNING c.id), "
    "counted AS (UPDATE challenges AS c SET "
    + ", ".join(f"{name} = t.{name}" for name in _COUNT_COLUMNS[1:])
    + f" FROM {_unnest((*_COUNT_COLUMNS, *_WAS), 'p_')} "
    "WHERE c.id = t.id AND c.is_current AND "
    + " AND ".join(f"c.{name} IS NOT DISTINCT FROM t.was_{name}" for name in _VERSION_COLUMNS)
    + " RETURNING c.id), "
    f"inserted AS (INSERT INTO challenges ({', '.join(_NEW_CARD_COLUMNS)}) "
    f"SELECT {', '.join(_NEW_CARD_COLUMNS)} FROM {_unnest((*_NEW_CARD_COLUMNS, 'origin'), 'i_')} "
    "WHERE t.origin IN (SELECT id FROM updated) ORDER BY n RETURNING 1) "
    "SELECT id FROM updated UNION ALL SELECT id FROM counted"
).columns(Challenge.__table__.c.id)


def _only_counted(card: Any, state: dict[str, Any]) -> bool:
    """Whether the new state differs from the card as read in its count and latest time only."""
    return state["is_current"] and all(state[name] == getattr(card, name) for name in _UNCHANGED_BY_COUNT)


# Untyped: the driver's UUIDs and UTC datetimes are what the engine needs, and converting
# ten columns of a thousand rows would cost more than the query.
# One index probe per pair, whatever the statistics say: as a plain join the planner
# misjudges how many cards a pair has and sorts the whole table instead (57 ms per batch at
# 150 000 cards, and growing, while the batch holds its locks).
_CURRENT_CARDS = text(
    f"SELECT {', '.join('c.' + name for name in _CARD_COLUMNS)} "
    f"FROM {_unnest(('contact_id', 'definition_id'))} "
    "CROSS JOIN LATERAL (SELECT * FROM challenges AS card "
    "WHERE card.contact_id = t.contact_id AND card.definition_id = t.definition_id AND card.is_current "
    "ORDER BY card.cycle DESC LIMIT 1) AS c"
)


async def insert_first_cycles(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Pair]:
    """Start cycle 0 where the contact has none yet; returns the pairs that were started now."""
    if not rows:
        return []
    rows = sorted(rows, key=lambda r: (str(r["contact_id"]), str(r["definition_id"])))
    if _on_postgresql(session):
        result = await session.execute(_INSERT_FIRST_CARDS, _arrays(rows, _NEW_CARD_COLUMNS))
        return [(c, d) for c, d in result.all()]
    # Parameter lists rather than one huge VALUES: the statement compiles once and is cached.
    stmt = (
        insert_for(session, Challenge)
        .on_conflict_do_nothing()
        .returning(Challenge.contact_id, Challenge.definition_id)
    )
    return [(c, d) for c, d in (await session.execute(stmt, rows)).all()]


async def current_cards(session: AsyncSession, pairs: Collection[Pair]) -> dict[Pair, Row[Any]]:
    """The current card of each pair that has one, as plain rows (no ORM objects to track)."""
    if not pairs:
        return {}
    if _on_postgresql(session):
        arrays = {"contact_id": [c for c, _ in pairs], "definition_id": [d for _, d in pairs]}
        found = (await session.execute(_CURRENT_CARDS, arrays)).all()
        return {(row.contact_id, row.definition_id): row for row in found}
    # Two plain INs (then the exact pairs in Python): row-value IN does not bind GUIDs on SQLite.
    wanted = set(pairs)
    table = Challenge.__table__
    stmt = select(*(table.c[name] for name in _CARD_COLUMNS)).where(
        table.c.contact_id.in_({c for c, _ in wanted}),
        table.c.definition_id.in_({d for _, d in wanted}),
        table.c.is_current.is_(True),
    )
    found = (await session.execute(stmt)).all()
    return {pair: row for row in found if (pair := (row.contact_id, row.definition_id)) in wanted}


async def write_batch(
    session: AsyncSession,
    updated: list[dict[str, Any]],
    inserted: list[dict[str, Any]],
    log: list[dict[str, Any]],
) -> None:
    """Write a batch's outcome: new states onto existing cards (`id` plus every state column),
    the cards of new cycles, and the checkpoint log in list order (its ids order what was
    applied)."""
    if _on_postgresql(session):
        if updated or inserted or log:
            arrays = {
                **_arrays(updated, ("id", *_STATE_COLUMNS), "u_"),
                **_arrays(inserted, _NEW_CARD_COLUMNS, "i_"),
                **_arrays(log, _LOG_COLUMNS, "l_"),
            }
            await session.execute(_WRITE_BATCH, arrays)
        return
    if updated:
        table = cast(Table, Challenge.__table__)
        stmt = update(table).where(table.c.id == bindparam("card_id"))
        params = [{"card_id": row["id"], **{name: row[name] for name in _STATE_COLUMNS}} for row in updated]
        await session.execute(stmt, params)
    if inserted:
        await session.execute(insert_for(session, Challenge), inserted)
    await add_log(session, log)


async def write_if_unchanged(
    session: AsyncSession,
    *,
    updated: list[tuple[Any, dict[str, Any]]],
    inserted: list[tuple[dict[str, Any], uuid.UUID]],
) -> set[uuid.UUID]:
    """Write results worked out from cards as they were read: `updated` pairs each card as
    read (a row: id and version) with its new state, `inserted` new cards each with the id of
    the card it follows. A card that is no longer current or as read is left alone, with the
    cards that follow it; returns the ids of the cards written.

    The caller holds the cards' locks, so nothing changes between the check and the write.
    """
    if not updated:
        return set()
    changes = [
        {**state, **{f"was_{name}": getattr(card, name) for name in _VERSION_COLUMNS}}
        for card, state in updated
    ]
    if _on_postgresql(session):
        counted = [_only_counted(card, state) for card, state in updated]
        arrays = {
            **_arrays(
                [c for c, only in zip(changes, counted, strict=True) if not only],
                ("id", *_STATE_COLUMNS, *_WAS),
                "u_",
            ),
            **_arrays(
                [c for c, only in zip(changes, counted, strict=True) if only], (*_COUNT_COLUMNS, *_WAS), "p_"
            ),
            **_arrays(
                [{**row, "origin": origin} for row, origin in inserted], (*_NEW_CARD_COLUMNS, "origin"), "i_"
            ),
        }
        return set((await session.execute(_WRITE_IF_UNCHANGED, arrays)).scalars().all())
    table = Challenge.__table__
    wanted = {change["id"]: change for change in changes}
    stored = await session.execute(
        select(table.c.id, table.c.is_current, *(table.c[name] for name in _VERSION_COLUMNS)).where(
            table.c.id.in_(wanted)
        )
    )
    unchanged = {
        row.id
        for row in stored
        if row.is_current
        and all(getattr(row, name) == wanted[row.id][f"was_{name}"] for name in _VERSION_COLUMNS)
    }
    await write_batch(
        session,
        [
            {name: change[name] for name in ("id", *_STATE_COLUMNS)}
            for change in changes
            if change["id"] in unchanged
        ],
        [row for row, origin in inserted if origin in unchanged],
        [],
    )
    return unchanged


def forget_loaded_cards(session: AsyncSession) -> None:
    """Cards written by the set-based statements above are read afresh if the ORM holds them."""
    for loaded in list(session.sync_session.identity_map.values()):
        if isinstance(loaded, Challenge):
            session.expire(loaded)


async def add_log(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Append to the checkpoint log in list order (its ids order what was applied)."""
    if not rows:
        return
    if _on_postgresql(session):
        await session.execute(_INSERT_LOG, _arrays(rows, _LOG_COLUMNS))
        return
    await session.execute(insert_for(session, ChallengeCheckpoint), rows)


async def add_log_by_pair(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[Pair, list[int]]:
    """Append to the checkpoint log in list order; returns the new rows' ids by pair."""
    if not rows:
        return {}
    if _on_postgresql(session):
        result = await session.execute(_INSERT_LOG_RETURNING, _arrays(rows, _LOG_COLUMNS))
    else:
        table = ChallengeCheckpoint.__table__
        stmt = insert_for(session, ChallengeCheckpoint).returning(
            table.c.id, table.c.contact_id, table.c.definition_id
        )
        result = await session.execute(stmt, rows)
    by_pair: dict[Pair, list[int]] = {}
    for log_id, contact_id, definition_id in result.all():
        by_pair.setdefault((contact_id, definition_id), []).append(log_id)
    return by_pair


async def remove_log(session: AsyncSession, ids: list[int]) -> None:
    """Take back log rows this transaction wrote (worked out from a card that has changed since)."""
    if ids:
        await session.execute(delete(ChallengeCheckpoint).where(ChallengeCheckpoint.id.in_(ids)))


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
