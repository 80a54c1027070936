"""The retry rules against a real HTTP server that answers what each test scripts: 500, 502,
503, 504 and 429 (with Retry-After), no answer, and a timeout are tried again under the first
attempt's Idempotency-Key; 400 and 409 are not (409 IdempotencyKeyInFlight is: the first
attempt has not finished)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest
from patron_client import (
    ApiError,
    AsyncPatron,
    Patron,
    PatronUnavailable,
    ReceiptAlreadyExists,
    RetryPolicy,
    operations,
)
from patron_client.models import ChallengeLog, CustomerEvent, StoredReceipt
from patron_client.request import Operation
from patron_servers import free_port
from sales import receipt
from scripted_server import Answer, ScriptedServer, error

Answered = TypeVar("Answered")
TOKEN = "till01.s3cret-s3cret-s3cret"
QUICK = RetryPolicy(attempts=4, first_wait=0.01, longest_wait=0.05)
CONTACT_ID = "8d0c3f57-0000-4000-8000-000000000002"
STORED = {
    "id": "8d0c3f57-0000-4000-8000-000000000001",
    "uniqueReceiptId": "R-1",
    "receiptNumber": "1",
    "contactId": CONTACT_ID,
    "storeExternalId": "lund",
    "currency": "SEK",
    "totalGrossPrice": 249,
    "createdDate": "2026-12-07T14:05:00Z",
}


def a_receipt() -> Operation[StoredReceipt]:
    return operations.send_receipt(receipt("R-1", "lund", CONTACT_ID))


Run = Callable[[str, Operation[Answered], RetryPolicy, httpx.Timeout], Answered]


def run_sync(
    url: str, operation: Operation[Answered], policy: RetryPolicy, timeout: httpx.Timeout
) -> Answered:
    with Patron(url, TOKEN, retries=policy, timeout=timeout) as patron:
        return patron.run(operation)


def run_async(
    url: str, operation: Operation[Answered], policy: RetryPolicy, timeout: httpx.Timeout
) -> Answered:
    async def go() -> Answered:
        async with AsyncPatron(url, TOKEN, retries=policy, timeout=timeout) as patron:
            return await patron.run(operation)

    # Its own event loop: the async client is exercised exactly as the sync one, test by test.
    return asyncio.run(go())


RUNNERS = pytest.mark.parametrize("run", [run_sync, run_async], ids=["sync", "async"])
TIMEOUT = httpx.Timeout(2.0)


def keys_sent(server: ScriptedServer) -> list[str | None]:
    return [request.headers.get("idempotency-key") for request in server.received]


@RUNNERS
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_tried_again_under_the_same_key(
    scripted: ScriptedServer, run: Run[StoredReceipt], status: int
) -> None:
    scripted.will_answer(error(status, "Scripted"), error(status, "Scripted"), Answer(201, STORED))
    stored = run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    assert stored.id == STORED["id"]
    keys = keys_sent(scripted)
    assert len(keys) == 3
    assert keys[0] and len(set(keys)) == 1
    # The body is sent byte for byte again, or Patron would refuse the key as reused.
    assert len({request.body for request in scripted.received}) == 1


@RUNNERS
def test_429_waits_as_long_as_retry_after_says(scripted: ScriptedServer, run: Run[StoredReceipt]) -> None:
    scripted.will_answer(error(429, "TooManyRequests", **{"Retry-After": "1"}), Answer(201, STORED))
    run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    first, second = scripted.received
    # QUICK alone would wait at most 0.05 s; Retry-After asked for a second.
    assert second.at - first.at >= 0.95
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


@RUNNERS
def test_400_is_not_tried_again(scripted: ScriptedServer, run: Run[StoredReceipt]) -> None:
    scripted.will_answer(error(400, "BadRequest"), Answer(201, STORED))
    with pytest.raises(ApiError) as refused:
        run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    assert (refused.value.status, refused.value.key) == (400, "BadRequest")
    assert len(scripted.received) == 1


@RUNNERS
def test_409_is_not_tried_again_and_raises_its_named_error(
    scripted: ScriptedServer, run: Run[StoredReceipt]
) -> None:
    scripted.will_answer(error(409, "ReceiptAlreadyExists"), Answer(201, STORED))
    with pytest.raises(ReceiptAlreadyExists):
        run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    assert len(scripted.received) == 1


@RUNNERS
def test_409_in_flight_is_tried_again_under_the_same_key(
    scripted: ScriptedServer, run: Run[StoredReceipt]
) -> None:
    scripted.will_answer(error(409, "IdempotencyKeyInFlight", **{"Retry-After": "0"}), Answer(201, STORED))
    run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    assert len(set(keys_sent(scripted))) == 1 and len(scripted.received) == 2


@RUNNERS
def test_no_answer_and_a_timeout_are_tried_again(scripted: ScriptedServer, run: Run[StoredReceipt]) -> None:
    scripted.will_answer(Answer(hang_up=True), Answer(201, STORED, delay=1.0), Answer(201, STORED))
    stored = run(scripted.url, a_receipt(), QUICK, httpx.Timeout(0.3))
    assert stored.id == STORED["id"]
    assert len(scripted.received) == 3 and len(set(keys_sent(scripted))) == 1


@RUNNERS
def test_after_the_last_attempt_the_last_error_is_raised(
    scripted: ScriptedServer, run: Run[StoredReceipt]
) -> None:
    scripted.will_answer(*[error(503, "ServiceUnavailable")] * 10)
    with pytest.raises(ApiError) as failed:
        run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    assert failed.value.status == 503
    assert len(scripted.received) == QUICK.attempts


@RUNNERS
def test_no_answer_at_all_is_patron_unavailable(run: Run[StoredReceipt]) -> None:
    nothing_listens = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PatronUnavailable) as failed:
        run(nothing_listens, a_receipt(), QUICK, TIMEOUT)
    assert failed.value.attempts == QUICK.attempts


@RUNNERS
def test_each_call_has_a_key_of_its_own_and_reads_have_none(
    scripted: ScriptedServer, run: Run[object]
) -> None:
    scripted.will_answer(Answer(201, STORED), Answer(201, STORED), Answer(200, CONTACT_ID))
    run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    run(scripted.url, a_receipt(), QUICK, TIMEOUT)
    found = run(scripted.url, operations.find_contact_id("email", "ann@example.com"), QUICK, TIMEOUT)
    assert found == CONTACT_ID
    first, second, lookup = keys_sent(scripted)
    assert first and second and first != second
    assert lookup is None


def test_the_backoff_grows_exponentially_within_its_ceiling() -> None:
    policy = RetryPolicy(first_wait=0.1, longest_wait=2.0)
    rng = random.Random(7)
    waits = {attempt: [policy.backoff(attempt, rng) for _ in range(400)] for attempt in (1, 3, 10)}
    assert max(waits[1]) <= 0.1 and max(waits[3]) <= 0.4 and max(waits[10]) <= 2.0
    # Full jitter: spread over the whole range, not clustered at the ceiling.
    assert min(waits[10]) < 0.5 and max(waits[10]) > 1.5
    assert sum(waits[3]) / 400 > sum(waits[1]) / 400


def test_each_dialect_gets_its_own_headers_and_shape(scripted: ScriptedServer) -> None:
    """The record and campaign calls as they go on the wire (checked here whatever the
    server has built of those dialects)."""
    scripted.will_answer(
        Answer(201, {"data": {"id": "log1", "ownedById": "ext-1", "uniqueIdentifier": "u1"}}),
        Answer(
            200,
            {
                "event_id": "even_1",
                "event_name": "app_opened",
                "source_id": "ext-1",
                "customer_id": "cust_1",
                "timestamp": 1765116300,
                "status": "received",
            },
        ),
    )
    with Patron(scripted.url, TOKEN, retries=QUICK) as patron:
        logged = patron.log_challenge_activity(
            ChallengeLog(challenge_id="c1", owned_by_id="ext-1", unique_identifier="u1", activity_value=12)
        )
        patron.send_event(
            CustomerEvent(event_name="app_opened", source_id="ext-1", metadata={"screen": "home"})
        )
    assert logged.id == "log1"
    log, event = scripted.received
    assert (log.method, log.path) == ("POST", "/schema/challenge_log/record")
    assert (log.headers["x-api-key"], log.headers["x-api-secret"]) == ("till01", "s3cret-s3cret-s3cret")
    assert json.loads(log.body) == {
        "challengeId": "c1",
        "ownedById": "ext-1",
        "uniqueIdentifier": "u1",
        "activityValue": "12",
    }
    assert (event.method, event.path) == ("POST", "/events/invoke")
    assert event.headers["authorization"] == "Basic dGlsbDAxOnMzY3JldC1zM2NyZXQtczNjcmV0"
    assert json.loads(event.body) == {
        "event_name": "app_opened",
        "source_id": "ext-1",
        "metadata": {"screen": "home"},
    }
    assert log.headers["idempotency-key"] != event.headers["idempotency-key"]
