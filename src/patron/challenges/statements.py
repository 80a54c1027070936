"""The PostgreSQL statements of checkpoint batches, as text, for `batch_store` to run.

Every statement here is rendered to `tests/sql/challenges/` by a test, so a change to one shows
in a diff as the SQL the server runs. Their parameters are arrays, one per column (`db.arrays`),
so each text is the same for every batch and prepared once per connection.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from patron.db.arrays import element_types, insert_unnest, named, unnest
from patron.db.locking import pair_locks
from patron.models import Challenge, ChallengeCheckpoint

# The columns a checkpoint batch reads from a current challenge.
CHALLENGE_COLUMNS = (
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
STATE_COLUMNS = (*CHALLENGE_COLUMNS[3:], "is_current")
NEW_CHALLENGE_COLUMNS = (*CHALLENGE_COLUMNS, "is_current", "required_checkpoints")

# A challenge's arrays, and those that are not its columns: the challenge a new cycle's
# follows (`origin`), and where a challenge read was stored (`was_version`, its xmin;
# `row_address`, its ctid).
_CHALLENGE_TYPES = element_types(Challenge.__table__, origin="uuid", was_version="xid", row_address="tid")
_LOG_TYPES = element_types(ChallengeCheckpoint.__table__)


def _unnest(columns: Sequence[str], prefix: str = "") -> str:
    """The challenges' arrays `:prefix_column` as rows numbered `n`."""
    return unnest(_CHALLENGE_TYPES, columns, named(prefix))


def _insert_log(prefix: str = "") -> str:
    """`LogRows` appended in order, its varying columns as arrays and the rest as scalars."""
    return (
        "INSERT INTO challenge_checkpoints "
        "(contact_id, definition_id, amount, kind, source, receipt_id, recorded_on) "
        f"SELECT contact_id, definition_id, amount, CAST(:{prefix}kind AS text), "
        f"CAST(:{prefix}source AS text), CAST(:{prefix}receipt_id AS uuid), "
        f"CAST(:{prefix}at AS timestamptz) "
        f"FROM {unnest(_LOG_TYPES, ('contact_id', 'definition_id', 'amount'), named(prefix))} ORDER BY n"
    )


INSERT_FIRST_CHALLENGES = text(
    insert_unnest("challenges", _CHALLENGE_TYPES, NEW_CHALLENGE_COLUMNS)
    + " ON CONFLICT DO NOTHING RETURNING contact_id, definition_id, xmin, CAST(ctid AS text)"
)
INSERT_LOG = text(_insert_log())
# The new ids as one array (one row to decode, not a thousand), then the locks of the rows'
# pairs and of the pairs `also`. The locks are taken once the rows are written: sorting their
# keys reads every row the insert returns.
_ALSO_LOCKED = "unnest(CAST(:also_contact_id AS uuid[]), CAST(:also_definition_id AS uuid[]))"
_LOGGED_AND_ALSO = f"(SELECT contact_id, definition_id FROM logged UNION ALL SELECT * FROM {_ALSO_LOCKED}) AS pair(first, second)"
INSERT_LOG_THEN_LOCK = text(
    f"WITH logged AS ({_insert_log()} RETURNING id, contact_id, definition_id) "
    "SELECT (SELECT array_agg(id ORDER BY id) FROM logged), " + pair_locks(_LOGGED_AND_ALSO)
)
# A challenge whose count alone moved on (and the time of its latest checkpoint): its other
# columns are as read, so only these are sent.
_COUNT_SET = (
    "completed_checkpoints = t.completed_checkpoints, latest_checkpoint_on = CAST(:p_at AS timestamptz)"
)


def _probed(columns: Sequence[str], prefix: str, condition: str = "TRUE") -> str:
    """A FROM item for an UPDATE of challenges `AS c`: the arrays' rows, each with the
    physical address (`challenge_ctid`) of the challenge its `id` names, where `condition` holds
    for that challenge (`challenge`); join it with `c.ctid = t.challenge_ctid`.

    One index probe per challenge, whatever the plan: as a plain `c.id = t.id` join, the plan
    made for a thousand-element array hashes the whole challenges table, a cost that grows with
    it.
    """
    return (
        f"(SELECT t.*, probe.ctid AS challenge_ctid FROM {_unnest(columns, prefix)} "
        "CROSS JOIN LATERAL (SELECT challenge.ctid FROM challenges AS challenge "
        f"WHERE challenge.id = t.id AND {condition} OFFSET 0) AS probe) AS t"
    )


# A batch's writes in one statement, so the challenges stay locked for one round trip, not
# three. The parts touch different rows (updated challenges, new cycles' challenges, log
# rows), so running them on one snapshot is safe.
WRITE_BATCH = text(
    "WITH updated AS (UPDATE challenges AS c SET "
    + ", ".join(f"{name} = t.{name}" for name in STATE_COLUMNS)
    + f" FROM {_probed(('id', *STATE_COLUMNS), 'u_')} WHERE c.ctid = t.challenge_ctid RETURNING 1), "
    + f"counted AS (UPDATE challenges AS c SET {_COUNT_SET} "
    + f"FROM {_probed(('id', 'completed_checkpoints'), 'p_')} WHERE c.ctid = t.challenge_ctid RETURNING 1), "
    + f"inserted AS ({insert_unnest('challenges', _CHALLENGE_TYPES, NEW_CHALLENGE_COLUMNS, 'i_')} RETURNING 1), "
    + f"logged AS ({_insert_log('l_')} RETURNING 1) "
    + "SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM counted), "
    + "(SELECT count(*) FROM inserted), (SELECT count(*) FROM logged)"
)
# A challenge is as it was read if the row version read with it is still there: at the same
# place in the table (`row_address`, its ctid), written by the same transaction
# (`was_version`, its xmin). Any later update makes a new version elsewhere, so the old place
# holds nothing this statement sees. The place is also how the challenge is found: no index
# probe.
_UNCHANGED = "c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version"


def _conditional_writes(gate: str = "TRUE") -> str:
    """CTEs: early results written where `gate` holds, each challenge only if it is still
    current and as it was read (the update itself checks), and a new cycle's challenge only if
    the one it follows (`origin`) was written; `pairs`, those of the challenges left alone
    (usually a few: a concurrent batch changed them)."""
    return (
        "updated AS (UPDATE challenges AS c SET "
        + ", ".join(f"{name} = t.{name}" for name in STATE_COLUMNS)
        + f" FROM {_unnest(('id', *STATE_COLUMNS, 'was_version', 'row_address'), 'u_')} "
        f"WHERE {gate} AND {_UNCHANGED} RETURNING c.id), "
        f"counted AS (UPDATE challenges AS c SET {_COUNT_SET} "
        f"FROM {_unnest(('id', 'completed_checkpoints', 'was_version', 'row_address'), 'p_')} "
        f"WHERE {gate} AND {_UNCHANGED} RETURNING c.id), "
        f"inserted AS (INSERT INTO challenges ({', '.join(NEW_CHALLENGE_COLUMNS)}) "
        f"SELECT {', '.join(NEW_CHALLENGE_COLUMNS)} FROM {_unnest((*NEW_CHALLENGE_COLUMNS, 'origin'), 'i_')} "
        "WHERE t.origin IN (SELECT id FROM updated) ORDER BY n RETURNING 1), "
        "left_alone AS (SELECT id FROM unnest(CAST(:u_id AS uuid[])) AS id WHERE id NOT IN (SELECT id FROM updated) "
        "UNION ALL SELECT id FROM unnest(CAST(:p_id AS uuid[])) AS id WHERE id NOT IN (SELECT id FROM counted)), "
        "pairs AS (SELECT DISTINCT challenge.contact_id, challenge.definition_id FROM left_alone "
        "JOIN challenges AS challenge ON challenge.id = left_alone.id)"
    )


# The early results written under the locks. For the challenges left alone, the pairs' early
# log rows (among `log_ids`) are taken back and their current challenges returned as they are
# now, so a redo needs no statement of its own to start from.
WRITE_IF_UNCHANGED = text(
    f"WITH {_conditional_writes()}, "
    # Gated: with no pair left alone (the usual case) the log rows are not even read.
    "removed AS (DELETE FROM challenge_checkpoints AS l USING pairs WHERE EXISTS (SELECT FROM pairs) "
    "AND l.id = ANY(CAST(:log_ids AS bigint[])) "
    "AND l.contact_id = pairs.contact_id AND l.definition_id = pairs.definition_id RETURNING 1) "
    "SELECT pairs.contact_id AS pair_contact_id, pairs.definition_id AS pair_definition_id, "
    f"{', '.join('c.' + name for name in CHALLENGE_COLUMNS)} FROM pairs "
    "LEFT JOIN LATERAL (SELECT * FROM challenges AS challenge WHERE challenge.contact_id = pairs.contact_id "
    "AND challenge.definition_id = pairs.definition_id AND challenge.is_current ORDER BY challenge.cycle DESC LIMIT 1) AS c ON true"
)
# The early log rows appended, their pairs' locks taken, and the early results written under
# them, in one statement: everything it sends is encoded before it waits for the locks. The
# writes run on the snapshot taken before that wait, which is safe for them: an update finds
# a challenge changed meanwhile by a batch that has committed since, and leaves it alone. What
# it cannot do is read those challenges as they are now, nor see the log rows it appends
# itself, so the challenges left alone are only named; their redo takes back and reads in a
# statement of its own.
LOG_LOCK_AND_WRITE = text(
    f"WITH logged AS ({_insert_log()} RETURNING id, contact_id, definition_id), "
    "locked AS MATERIALIZED (SELECT "
    + pair_locks(_LOGGED_AND_ALSO)
    + " AS locks), "
    + _conditional_writes("(SELECT locks FROM locked) IS NOT NULL")
    + " SELECT (SELECT array_agg(id ORDER BY id) FROM logged), "
    "ARRAY(SELECT contact_id FROM pairs), ARRAY(SELECT definition_id FROM pairs)"
)
_REMOVE_LOG = (
    "DELETE FROM challenge_checkpoints AS l USING "
    + _unnest(("contact_id", "definition_id"))
    + " WHERE l.id = ANY(CAST(:ids AS bigint[])) "
    "AND l.contact_id = t.contact_id AND l.definition_id = t.definition_id"
)
# Untyped: the driver's UUIDs and UTC datetimes are what the engine needs, and converting
# ten columns of a thousand rows would cost more than the query.
# One index probe per pair, whatever the statistics say: as a plain join the planner
# misjudges how many challenges a pair has and sorts the whole table instead (57 ms per batch
# at 150 000 challenges, and growing, while the batch holds its locks).
# The pair's ids are not read back: the caller has them, and a thousand of each cost the
# driver more to decode than the rest of the challenge.
READ_COLUMNS = tuple(name for name in CHALLENGE_COLUMNS if name not in ("contact_id", "definition_id"))
_CURRENT_CHALLENGES = (
    f"SELECT t.n, {', '.join('c.' + name for name in READ_COLUMNS)}, c.row_version, c.row_address "
    f"FROM {_unnest(('contact_id', 'definition_id'))} "
    "CROSS JOIN LATERAL (SELECT challenge.*, challenge.xmin AS row_version, CAST(challenge.ctid AS text) AS row_address "
    "FROM challenges AS challenge "
    "WHERE challenge.contact_id = t.contact_id AND challenge.definition_id = t.definition_id AND challenge.is_current "
    "ORDER BY challenge.cycle DESC LIMIT 1) AS c"
)
CURRENT_CHALLENGES = text(_CURRENT_CHALLENGES)
# The same pairs' log rows among `ids` taken back, then their challenges read, in one round
# trip (the two touch different tables).
TAKE_BACK_AND_READ = text(f"WITH removed AS ({_REMOVE_LOG} RETURNING 1) {_CURRENT_CHALLENGES}")
