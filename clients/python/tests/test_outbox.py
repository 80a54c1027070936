"""The outbox: calls committed to a SQLite file first, delivered in order by the background
sender under their stored keys, set aside when Patron refuses them for good, never queued
twice under one key; and `patron-client outbox status|flush`."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from patron_client import ApiError, AsyncPatron, Patron, RetryPolicy, State, operations
from patron_client.outbox.store import OutboxStore
from sales import receipt
from scripted_server import Answer, ScriptedServer, error

from conftest import RunningPatron

TOKEN = "till01.s3cret-s3cret-s3cret"
QUICK_OUTBOX = RetryPolicy(attempts=1_000_000, first_wait=0.01, longest_wait=0.05, deadline=float("inf"))
STORED = {
    "id": "8d0c3f57-0000-4000-8000-000000000001",
    "uniqueReceiptId": "R-1",
    "receiptNumber": "1",
    "contactId": "8d0c3f57-0000-4000-8000-000000000002",
    "storeExternalId": "lund",
    "currency": "SEK",
    "totalGrossPrice": 249,
    "createdDate": "2026-12-07T14:05:00Z",
}


def _cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("patron-client")), *arguments]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120
    )


def test_queued_receipts_are_delivered_once_each(patron: RunningPatron, outbox_path: Path) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=f"q.{secrets.token_hex(4)}@example.com")
    ids = [f"Q-{secrets.token_hex(5)}" for _ in range(20)]
    with Patron(patron.url, patron.till_token, outbox=outbox_path) as till:
        queued = [till.later.send_receipt(receipt(unique, store, contact_id)) for unique in ids]
        assert [q.seq for q in queued] == sorted(q.seq for q in queued)
        assert till.outbox.wait_until_sent(timeout=60)
        counts = till.outbox.counts()
    assert (counts.pending, counts.delivered, counts.refused) == (0, 20, 0)
    stored = patron.backoffice.purchase_history(contact_id)
    assert sorted(item["uniqueReceiptId"] for item in stored) == sorted(ids)


def test_calls_queued_while_nothing_sends_go_out_when_a_sender_starts(
    patron: RunningPatron, outbox_path: Path
) -> None:
    contact_id = patron.backoffice.contact(email=f"r.{secrets.token_hex(4)}@example.com")
    offer = patron.backoffice.assign(contact_id, patron.backoffice.active_promotion())
    # The till closes (a reboot) with the redemption still queued.
    with Patron(patron.url, patron.till_token, outbox=outbox_path, send_in_background=False) as till:
        till.later.redeem(offer, "POS")
    assert OutboxStore(outbox_path).counts().pending == 1
    with Patron(patron.url, patron.till_token, outbox=outbox_path) as till:
        assert till.outbox.wait_until_sent(timeout=60)
    [shown] = patron.backoffice.offers(contact_id)
    assert shown["redeemed"] is True


def test_the_sender_keeps_order_retries_under_the_stored_key_and_sets_refusals_aside(
    scripted: ScriptedServer, outbox_path: Path
) -> None:
    scripted.will_answer(
        error(500, "InternalServerError"),
        error(429, "TooManyRequests", **{"Retry-After": "1"}),
        Answer(201, STORED),
        error(400, "BadRequest"),
        Answer(201, STORED),
    )
    with Patron(scripted.url, TOKEN, outbox=outbox_path, send_in_background=False) as till:
        first = till.later.send_receipt(receipt("R-1", "lund", STORED["contactId"]))
        second = till.later.send_receipt(receipt("R-2", "lund", STORED["contactId"]))
        third = till.later.send_receipt(receipt("R-3", "lund", STORED["contactId"]))
    with Patron(scripted.url, TOKEN, outbox=outbox_path, outbox_retries=QUICK_OUTBOX) as till:
        assert till.outbox.wait_until_sent(timeout=30)
    sent = scripted.received
    keys = [request.headers["idempotency-key"] for request in sent]
    assert keys == [first.idempotency_key] * 3 + [second.idempotency_key, third.idempotency_key]
    assert [json.loads(request.body)["uniqueReceiptId"] for request in sent] == ["R-1"] * 3 + ["R-2", "R-3"]
    assert sent[2].at - sent[1].at >= 0.95, "Retry-After was not honoured"
    store = OutboxStore(outbox_path)
    [refused] = store.entries(State.REFUSED)
    assert (refused.idempotency_key, refused.answer_status) == (second.idempotency_key, 400)
    assert [entry.seq for entry in store.entries(State.DELIVERED)] == [first.seq, third.seq]


def test_a_call_queued_twice_under_one_key_is_queued_once(outbox_path: Path) -> None:
    with Patron("http://127.0.0.1:9", TOKEN, outbox=outbox_path, send_in_background=False) as till:
        sale = receipt("R-9", "lund", STORED["contactId"])
        first = till.later.send_receipt(sale, idempotency_key="till7-sale-9")
        again = till.later.send_receipt(sale, idempotency_key="till7-sale-9")
        counts = till.outbox.counts()
    assert (first.already_queued, again.already_queued, again.seq) == (False, True, first.seq)
    assert counts.pending == 1


def test_the_cli_shows_and_flushes_the_outbox(patron: RunningPatron, outbox_path: Path) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=f"c.{secrets.token_hex(4)}@example.com")
    ids = [f"C-{secrets.token_hex(5)}" for _ in range(3)]
    with Patron(patron.url, patron.till_token, outbox=outbox_path, send_in_background=False) as till:
        for unique in ids:
            till.later.send_receipt(receipt(unique, store, contact_id))
    shown = _cli("outbox", "status", "--outbox", str(outbox_path), "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["pending"] == 3
    assert [call["kind"] for call in status["pendingCalls"]] == [f"receipt {unique}" for unique in ids]

    without_key = _cli(
        "outbox", "flush", "--outbox", str(outbox_path), "--url", patron.url, env={"PATRON_TOKEN": ""}
    )
    assert without_key.returncode == 2
    flushed = _cli(
        "outbox",
        "flush",
        "--outbox",
        str(outbox_path),
        "--url",
        patron.url,
        env={"PATRON_TOKEN": patron.till_token},
    )
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert flushed.stdout.startswith("3 delivered; 0 still pending")
    assert sorted(
        item["uniqueReceiptId"] for item in patron.backoffice.purchase_history(contact_id)
    ) == sorted(ids)
    human = _cli("outbox", "status", "--outbox", str(outbox_path))
    assert human.stdout.startswith("0 pending; 3 delivered; 0 refused")


def test_a_call_that_failed_now_is_queued_under_the_key_it_was_tried_with(
    scripted: ScriptedServer, outbox_path: Path
) -> None:
    """A redemption whose answer never came may have been applied: queued under a new key it
    could be applied twice, under the key it was tried with it is applied once."""
    scripted.will_answer(*[error(503, "ServiceUnavailable")] * 3, Answer(200, {}))
    operation = operations.redeem("5f0c7a4e-1d2b-4c3a-8e9f-0a1b2c3d4e5f", "POS")
    with Patron(
        scripted.url,
        TOKEN,
        outbox=outbox_path,
        retries=RetryPolicy(attempts=3, first_wait=0.01),
        outbox_retries=QUICK_OUTBOX,
    ) as till:
        with pytest.raises(ApiError) as failed:
            till.redeem("5f0c7a4e-1d2b-4c3a-8e9f-0a1b2c3d4e5f", "POS")
        assert failed.value.idempotency_key
        till.later.send(operation, idempotency_key=failed.value.idempotency_key)
        assert till.outbox.wait_until_sent(timeout=30)
    assert [request.headers["idempotency-key"] for request in scripted.received] == [
        failed.value.idempotency_key
    ] * 4


async def test_the_async_client_queues_to_the_same_outbox(patron: RunningPatron, outbox_path: Path) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=f"a.{secrets.token_hex(4)}@example.com")
    unique = f"A-{secrets.token_hex(5)}"
    async with AsyncPatron(patron.url, patron.till_token, outbox=outbox_path) as shop:
        queued = shop.later.send_receipt(receipt(unique, store, contact_id))
        assert shop.outbox.wait_until_sent(timeout=60)
    assert OutboxStore(outbox_path).get(queued.idempotency_key).state is State.DELIVERED  # type: ignore[union-attr]
    assert [item["uniqueReceiptId"] for item in patron.backoffice.purchase_history(contact_id)] == [unique]
