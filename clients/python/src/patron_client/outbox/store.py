"""The till's outbox: calls waiting for Patron, in one SQLite file.

A call is committed here, with the Idempotency-Key it will be sent under, before anything
goes on the wire. Committed means in the WAL file, which a crash or kill of the till's
process cannot take back, nor a reboot (the system writes its caches out first). A power cut
could lose what the disk has not been told to keep yet: the sender fsyncs the WAL
(`sync_to_disk`) a quarter of a second after a call is queued at the latest, so `send_later`
itself never waits for the disk; `power_safe=True` makes every commit wait for it instead (an fsync: a
few milliseconds on a quiet disk, hundreds on a busy one). The sender
takes them in the order they were queued. A delivered call keeps its answer for a while, so
a till can see what became of it; a call Patron refused for good (a 4xx other than
IdempotencyKeyInFlight) is set aside, with that answer, and no longer holds up the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from patron_client.credentials import Dialect
from patron_client.request import Call

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    dialect TEXT NOT NULL,
    path TEXT NOT NULL,
    params TEXT NOT NULL,
    body BLOB,
    queued_on TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'refused', 'exported')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    answer_status INTEGER,
    answer_body BLOB,
    done_on TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
"""


class State(Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    REFUSED = "refused"
    # Written to an import file (`patron-client outbox export-xml --mark-exported`): the file
    # carries it to Patron now, and the sender leaves it alone.
    EXPORTED = "exported"


@dataclass(frozen=True)
class Queued:
    """A call safely on disk. `already_queued` when its key was queued before (a till
    replaying its own journal after a crash queues nothing twice)."""

    seq: int
    idempotency_key: str
    kind: str
    already_queued: bool = False


@dataclass(frozen=True)
class Entry:
    seq: int
    idempotency_key: str
    call: Call
    queued_on: dt.datetime
    state: State
    attempts: int
    last_error: str | None
    answer_status: int | None
    answer_body: bytes | None


@dataclass(frozen=True)
class Counts:
    pending: int
    delivered: int
    refused: int
    oldest_pending: dt.datetime | None
    exported: int = 0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _entry(row: sqlite3.Row) -> Entry:
    call = Call(
        method=row["method"],
        path=row["path"],
        dialect=Dialect(row["dialect"]),
        params=tuple((str(name), str(value)) for name, value in json.loads(row["params"])),
        body=row["body"],
        kind=row["kind"],
    )
    return Entry(
        seq=row["seq"],
        idempotency_key=row["idempotency_key"],
        call=call,
        queued_on=dt.datetime.fromisoformat(row["queued_on"]),
        state=State(row["state"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        answer_status=row["answer_status"],
        answer_body=row["answer_body"],
    )


class OutboxStore:
    """One connection to the outbox file; safe to share between threads (calls are
    serialised on a lock), and any number of stores, in any processes, may open one file.

    Stores of one process should share one `writers` lock: SQLite makes a writer that finds
    the file locked sleep and look again, in steps of up to 100 ms, while a thread waiting on
    this lock goes on the moment it is free. `checkpoints=False` leaves copying the WAL into
    the file to another store (the sender's), so a `put` never does that work itself.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        power_safe: bool = False,
        writers: threading.Lock | None = None,
        checkpoints: bool = True,
        busy_timeout_seconds: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._writers = writers or threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout_seconds, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if power_safe else 'NORMAL'}")
        if not checkpoints:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
        # Only a new file is written to here: opening one a till is using (`outbox status`)
        # must not take its write lock.
        if self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone() is None:
            self._db.executescript(_SCHEMA)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._writers, self._lock:
            # IMMEDIATE takes the write lock first: two writers wait on each other, never deadlock.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def put(self, call: Call, idempotency_key: str) -> Queued:
        with self._write() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, kind, method, dialect, path, params, body,"
                " queued_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    idempotency_key,
                    call.kind,
                    call.method,
                    call.dialect.value,
                    call.path,
                    json.dumps(call.params),
                    call.body,
                    _now(),
                ),
            ).rowcount
            row = db.execute(
                "SELECT seq, kind FROM outbox WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return Queued(row["seq"], idempotency_key, row["kind"], already_queued=not inserted)

    def head(self) -> Entry | None:
        """The oldest call still to be delivered."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1"
            ).fetchone()
        return None if row is None else _entry(row)

    def entries(self, state: State, limit: int | None = None) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM outbox WHERE state = ? ORDER BY seq LIMIT ?", (state.value, limit or -1)
            ).fetchall()
        return [_entry(row) for row in rows]

    def get(self, idempotency_key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM outbox WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return None if row is None else _entry(row)

    def counts(self) -> Counts:
        with self._lock:
            rows = self._db.execute("SELECT state, count(*) AS n FROM outbox GROUP BY state").fetchall()
            oldest = self._db.execute("SELECT min(queued_on) FROM outbox WHERE state = 'pending'").fetchone()[
                0
            ]
        by_state = {row["state"]: row["n"] for row in rows}
        return Counts(
            pending=by_state.get("pending", 0),
            delivered=by_state.get("delivered", 0),
            refused=by_state.get("refused", 0),
            exported=by_state.get("exported", 0),
            oldest_pending=dt.datetime.fromisoformat(oldest) if oldest else None,
        )

    def record_failed_attempt(self, seq: int, error: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND state = 'pending'",
                (error[:1000], seq),
            )

    def finish(self, seq: int, state: State, status: int, body: bytes) -> None:
        """Delivered (a 2xx) or refused (a 4xx that no retry can change)."""
        with self._write() as db:
            db.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, answer_status = ?, answer_body = ?,"
                " done_on = ? WHERE seq = ? AND state = 'pending'",
                (state.value, status, body, _now(), seq),
            )

    def mark_exported(self, seqs: list[int], file_name: str) -> None:
        with self._write() as db:
            db.executemany(
                "UPDATE outbox SET state = 'exported', answer_body = ?, done_on = ? WHERE seq = ? AND state = 'pending'",
                [(file_name.encode(), _now(), seq) for seq in seqs],
            )

    def requeue_refused(self) -> int:
        """Refused calls back in the queue, at their place, after the cause was fixed."""
        with self._write() as db:
            return db.execute(
                "UPDATE outbox SET state = 'pending', answer_status = NULL, answer_body = NULL, done_on = NULL"
                " WHERE state = 'refused'"
            ).rowcount

    def purge_delivered(self, older_than: dt.timedelta) -> int:
        cutoff = (dt.datetime.now(dt.UTC) - older_than).isoformat()
        with self._write() as db:
            return db.execute(
                "DELETE FROM outbox WHERE state = 'delivered' AND done_on < ?", (cutoff,)
            ).rowcount

    def sync_to_disk(self) -> None:
        """Everything committed so far, on the disk: the WAL file fsynced. It takes no lock of
        SQLite's, so a writer neither waits for it nor is waited for."""
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            descriptor = os.open(wal, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def checkpoint(self) -> None:
        """The WAL copied into the file and synced, so it starts again from its beginning: done
        when nothing is waiting, for the WAL not to grow without end. A passive checkpoint
        never waits for, nor holds up, a writer."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
