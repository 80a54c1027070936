"""The server dies between a write's commit and its answer, every time: a real `patron serve`
started with the test-only PATRON_TEST_EXIT_AFTER_COMMIT ends its process (os._exit) right
after the write commits, so the till gets no answer for a write that is done. Restarted
without it, the till's retry with the same keys gets the stored answer (`Idempotent-Replayed:
true`, the body the stored write reads back as) and stores nothing more: the write exists once.

This is the case a SIGKILL at a random moment (test_server_killed_mid_stream.py) seldom hits.
The schema alone would not keep it right: the unique key only refuses the second insert; the
till must get back the answer of the first, or it would record the receipt as failed, or as
another one.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from patron.api.boundary import TEST_EXIT_STATUS
from patron.auth.roles import Role
from patron.db.engine import Database
from tests.conftest import issue_token
from tests.reliability.server import ServerProcess
from tests.reliability.streams import REQUEST_TIMEOUT_SECONDS, STREAMS, WriteStream, seed, stored, unique_keys
from tests.stored_rows import stored_rows

EXIT_SETTING = "PATRON_TEST_EXIT_AFTER_COMMIT"


@pytest.mark.parametrize("stream", STREAMS, ids=lambda stream: stream.name)
async def test_a_write_committed_but_unanswered_is_replayed_to_the_retry(
    database: Database, database_url: str, tmp_path: Path, stream: WriteStream
) -> None:
    token = await issue_token(database, Role.INTEGRATION, "till")
    admin = await issue_token(database, Role.ADMIN, "back office")
    server = ServerProcess(database_url, tmp_path / "server.log", test_exit_after_commit=stream.path)
    prefix, [key] = unique_keys(1)
    headers = {"apikey": token, **({"Idempotency-Key": key} if stream.idempotency_key else {})}
    await asyncio.to_thread(server.start)
    try:
        seeded = await seed(server.url, stream, {"apikey": admin}, prefix)
        body = stream.body(key, seeded)
        async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
            with pytest.raises(httpx.TransportError):
                answer = await http.post(stream.path, json=body, headers=headers)
                pytest.fail(
                    f"answered {answer.status_code} {answer.text[:200]}: "
                    "the answer left before the commit, or the server did not exit after it"
                )
        assert server.process is not None
        assert await asyncio.to_thread(server.process.wait, 10) == TEST_EXIT_STATUS
        # Committed, unanswered.
        [(_, stored_id)] = await stored(database, stream, prefix)
        before_retry = await stored_rows(database)

        del server.environment[EXIT_SETTING]
        await asyncio.to_thread(server.start)
        async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
            retried = await http.post(stream.path, json=body, headers=headers)
            again = await http.post(stream.path, json=body, headers=headers)
            read = await http.get(stream.resource(stored_id), headers={"apikey": token})
    finally:
        await asyncio.to_thread(server.stop)

    # A receipt replayed by its uniqueReceiptId is 200; an Idempotency-Key replays the 201.
    assert retried.status_code == (201 if stream.idempotency_key else 200), retried.text
    assert retried.headers.get("idempotent-replayed") == "true"
    assert str(uuid.UUID(stream.id_of(retried.json()))) == stored_id
    assert read.status_code == 200, read.text
    assert retried.json() == read.json()
    assert (again.status_code, again.json()) == (retried.status_code, retried.json())
    # The write exists once, and the retries stored nothing at all.
    assert await stored(database, stream, prefix) == [(key, stored_id)]
    assert await stored_rows(database) == before_retry
