"""A commit that fails: the answer is 503 ServiceUnavailable in the envelope, nothing is stored
in any table, and the Idempotency-Key is free again, so the retry runs the write (once).

The fault is put on this test's own application, on the engine its composition root built: as
the transaction that holds the write commits, PostgreSQL's connection is cut (the driver's
socket closed under it, so the real COMMIT fails as on a lost connection), and SQLite's commit
fails as it does on a full disk. Nothing else is changed, and only that one commit fails.

The schema alone promises none of this: a boundary that answered before its commit (or
ignored a failed one) would acknowledge a write the database never kept, and one that kept
the key's claim would answer every retry 409 until the lease ran out.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from patron.db.engine import Database
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows

# The tables a statement writes to (as SQLAlchemy and the receipts statement spell them).
_WRITES = re.compile(r"\b(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)


@contextmanager
def commit_fails_after_writing(database: Database, table: str) -> Iterator[list[str]]:
    """While open, the commit of a transaction that wrote to `table` fails, once; yields the
    list of commits failed (so the test can tell the fault struck)."""
    engine = database.write_engine.sync_engine
    doomed: set[Connection] = set()
    failed: list[str] = []

    def note(connection: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if not failed and table in _WRITES.findall(statement):
            doomed.add(connection)

    def fail(connection: Connection) -> None:
        if connection not in doomed:
            return
        doomed.discard(connection)
        failed.append(table)
        driver = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            # Cut, not closed politely: the COMMIT that follows meets a dead connection.
            driver.terminate()  # type: ignore[union-attr]
            return
        raise OperationalError("COMMIT", None, sqlite3.OperationalError("database or disk is full"))

    def forget(connection: Connection) -> None:
        doomed.discard(connection)

    event.listen(engine, "after_cursor_execute", note)
    event.listen(engine, "commit", fail)
    event.listen(engine, "rollback", forget)
    try:
        yield failed
    finally:
        event.remove(engine, "after_cursor_execute", note)
        event.remove(engine, "commit", fail)
        event.remove(engine, "rollback", forget)


Seed = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[dict[str, Any]]]


async def _seed_receipt(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    store = await make_store(client, admin)
    return receipt(await make_contact(client, admin), store, uniqueReceiptId="R-commit-fails")


async def _seed_contact(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return {"externalId": "X-commit-fails", "firstName": "Ann"}


@dataclass(frozen=True)
class Write:
    name: str
    path: str
    table: str
    seed: Seed


WRITES = [
    Write("receipt", "/api/v3/receipts", "receipts", _seed_receipt),
    Write("contact create", "/api/v3/contacts", "contacts", _seed_contact),
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
async def test_a_failed_commit_is_503_stores_nothing_and_frees_the_key(
    client: httpx.AsyncClient, till: dict[str, str], admin: dict[str, str], database: Database, write: Write
) -> None:
    body = await write.seed(client, admin)
    headers = {**till, "Idempotency-Key": f"commit-fails-{write.name}"}
    before = await stored_rows(database)

    with commit_fails_after_writing(database, write.table) as failed:
        answer = await client.post(write.path, json=body, headers=headers)

    assert failed == [write.table], "the commit of the write did not fail: the fault missed it"
    assert answer.status_code == 503, answer.text
    envelope = answer.json()
    assert (envelope["code"], envelope["key"]) == (503, "ServiceUnavailable")
    assert envelope["request_id"]
    assert answer.headers["retry-after"] == "1"
    # Nothing in any table: not the write, not its lines, not the key's claim or answer.
    assert await stored_rows(database) == before

    # The key is free: the retry runs (not a replay, not 409 in flight) and stores it once.
    retried = await client.post(write.path, json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    after = await stored_rows(database)
    assert after[write.table] == before[write.table] + 1
    assert after["idempotency_records"] == before["idempotency_records"] + 1
    replayed = await client.post(write.path, json=body, headers=headers)
    assert (replayed.status_code, replayed.headers.get("idempotent-replayed")) == (201, "true")
    assert replayed.json() == retried.json()
    assert await stored_rows(database) == after
