"""A server killed with SIGKILL in the middle of a stream of writes (contacts, receipts): the till
retries with the same keys after the restart, and every acknowledged write exists exactly once,
as it was acknowledged.

The unique keys already make "stored twice" impossible; what the schema does not promise is
checked here: every write acknowledged is stored, with the id it was acknowledged with, and
reads back as the body of the answer that acknowledged it (an answer sent before its commit, or
replayed from some other request, would not). The kill strikes a stream in full flow; how many
requests it caught on their way is printed. The moment between a commit and its answer is hit
deterministically by test_exit_between_commit_and_answer.py.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from patron.auth.roles import Role
from patron.db.engine import Database
from tests.conftest import issue_token
from tests.reliability.server import ServerProcess
from tests.reliability.streams import (
    STREAMS,
    Outcome,
    WriteStream,
    seed,
    send_stream,
    stored,
    unique_keys,
    unlike_their_answers,
)

WRITES = 300
WRITERS = 4
STREAM_SECONDS = 40.0


async def _kill_and_restart_after(server: ServerProcess, outcome: Outcome) -> None:
    await outcome.milestone_reached.wait()
    outcome.strike()
    await asyncio.to_thread(server.kill)
    await asyncio.to_thread(server.start)


@pytest.mark.parametrize("stream", STREAMS, ids=lambda stream: stream.name)
async def test_acknowledged_writes_survive_a_sigkill_exactly_once(
    database: Database, database_url: str, tmp_path: Path, stream: WriteStream
) -> None:
    token = await issue_token(database, Role.INTEGRATION, "till")
    admin = await issue_token(database, Role.ADMIN, "back office")
    # A request cut off by the kill holds its key until this lease runs out.
    server = ServerProcess(database_url, tmp_path / "server.log", idempotency_lease_seconds="2")
    await asyncio.to_thread(server.start)
    prefix, keys = unique_keys(WRITES)
    started = time.monotonic()
    try:
        seeded = await seed(server.url, stream, {"apikey": admin}, prefix)
        outcome = Outcome(milestone=WRITES // 3)
        killer = asyncio.create_task(_kill_and_restart_after(server, outcome))
        await send_stream(
            server.url,
            stream,
            seeded,
            keys,
            {"apikey": token},
            writers=WRITERS,
            seconds=STREAM_SECONDS,
            outcome=outcome,
        )
        await killer
        unlike = await unlike_their_answers(server.url, stream, outcome, {"apikey": token})
    finally:
        await asyncio.to_thread(server.stop)
    rows = await stored(database, stream, prefix)

    print(
        f"{stream.name}: {len(keys)} writes, {outcome.retries} retries "
        f"({outcome.transport_errors} transport errors, {outcome.replayed} replayed), "
        f"statuses {outcome.statuses}, {outcome.in_flight_at_fault} requests in flight at the kill, "
        f"{time.monotonic() - started:.1f}s"
    )
    assert outcome.unexpected == []
    assert outcome.transport_errors > 0, "the kill happened outside the stream"
    assert outcome.in_flight_at_fault, "the kill caught no request on its way"
    assert set(outcome.acknowledged) == set(keys)
    lost = {key: row_id for key, row_id in outcome.acknowledged.items() if dict(rows).get(key) != row_id}
    assert lost == {}, f"{len(lost)} acknowledged writes not stored as acknowledged, e.g. {list(lost)[:3]}"
    # Every stored write was acknowledged: none went in behind the till's back.
    assert sorted(key for key, _ in rows) == sorted(keys)
    assert unlike == {}, (
        f"{len(unlike)} writes read back unlike their answers, e.g. {list(unlike.items())[:2]}"
    )
