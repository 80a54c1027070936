"""Delivery to a real receiver on loopback: signed as Standard Webhooks defines (verified with
standardwebhooks), retried until a 2xx, in per-contact order, a 410 disabling the endpoint."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from patron.state import AppState
from tests.conftest import make_settings
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Hit, Receiver


async def _subscribe(
    client: httpx.AsyncClient, admin: dict[str, str], url: str, types: list[str] | None = None
) -> dict[str, Any]:
    answer = await client.post(
        "/api/v3/webhooks", json={"url": url, "eventTypes": types or ["*"]}, headers=admin
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def _deliveries(
    client: httpx.AsyncClient, admin: dict[str, str], webhook_id: str, **query: str
) -> list[dict[str, Any]]:
    answer = await client.get(
        f"/api/v3/webhooks/{webhook_id}/deliveries", params={"count": 1000, **query}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _verified(secret: str, hit: Hit) -> Any:
    return Webhook(secret).verify(hit.body, hit.headers)


async def test_a_contact_created_by_the_api_is_delivered_signed(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver().start()
    try:
        webhook = await _subscribe(client, admin, receiver.url, ["contact.created"])
        created = await client.post(
            "/api/v3/contacts", json={"email": "ada@example.com", "firstName": "Ada"}, headers=admin
        )
        assert created.status_code in (200, 201), created.text
        await deliver_until(state, lambda: len(receiver.received()) >= 1)
    finally:
        receiver.stop()
    (hit,) = receiver.received()
    payload = _verified(webhook["secret"], hit)
    assert payload["type"] == "contact.created"
    assert hit.headers["webhook-id"].startswith("evt_")
    assert hit.headers["webhook-signature"].startswith("v1,")
    (delivery,) = await _deliveries(client, admin, webhook["id"])
    assert delivery["status"] == "succeeded" and delivery["eventId"] == hit.headers["webhook-id"]
    assert delivery["attempts"][0]["statusCode"] == 200
    assert len(delivery["attempts"][0]["responseBody"]) == 1024


async def test_500_three_times_then_200_is_delivered_on_the_fourth_attempt(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver(lambda n: 500 if n <= 3 else 200).start()
    try:
        webhook = await _subscribe(client, admin, receiver.url)
        (event_id,) = await record_events(state, [(uuid.uuid4(), {"n": 1})])
        await deliver_until(state, lambda: any(hit.status == 200 for hit in receiver.received()))
        await asyncio.sleep(0.5)  # nothing more arrives after the success
    finally:
        receiver.stop()
    hits = receiver.received()
    assert [hit.status for hit in hits] == [500, 500, 500, 200]
    assert {hit.headers["webhook-id"] for hit in hits} == {event_id}
    for hit in hits:
        _verified(webhook["secret"], hit)
    (delivery,) = await _deliveries(client, admin, webhook["id"])
    assert delivery["status"] == "succeeded" and delivery["attemptCount"] == 4
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 500, 500, 200]
    assert [a["number"] for a in delivery["attempts"]] == [1, 2, 3, 4]
    assert delivery["attempts"][0]["error"] == "answered 500"
    failed_only = await _deliveries(client, admin, webhook["id"], status="failed")
    assert failed_only == []


async def test_a_receiver_down_for_a_while_gets_everything_in_per_contact_order(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    slow = dataclasses.replace(
        state,
        settings=state.settings.model_copy(update={"webhook_retry_schedule": [0.5, 0.5, 1, 1, 1, 2, 2, 2]}),
    )
    receiver = Receiver()  # not listening yet: every connection is refused
    webhook = await _subscribe(client, admin, receiver.url)
    contacts = [uuid.uuid4() for _ in range(4)]
    await record_events(
        state, [(contact, {"contact": str(contact), "n": n}) for n in range(6) for contact in contacts]
    )
    total = len(contacts) * 6
    # Down: a few rounds of refused connections.
    loop = asyncio.get_running_loop()
    started = loop.time()
    await deliver_until(slow, lambda: loop.time() - started > 1.5)
    receiver.start()
    try:
        await deliver_until(
            slow, lambda: len({h.headers["webhook-id"] for h in receiver.received()}) >= total
        )
    finally:
        receiver.stop()
    seen: dict[str, list[int]] = {}
    for hit in receiver.received():
        payload = _verified(webhook["secret"], hit)
        seen.setdefault(payload["data"]["contact"], []).append(payload["data"]["n"])
    assert seen == {str(contact): list(range(6)) for contact in contacts}
    deliveries = await _deliveries(client, admin, webhook["id"])
    assert {d["status"] for d in deliveries} == {"succeeded"}
    assert any(a["statusCode"] is None and a["error"] for d in deliveries for a in d["attempts"])


async def test_410_disables_the_endpoint_and_says_why(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver(lambda n: 410).start()
    try:
        webhook = await _subscribe(client, admin, receiver.url)
        await record_events(state, [(uuid.uuid4(), {"n": 1}), (uuid.uuid4(), {"n": 2})])
        await deliver_until(state, lambda: len(receiver.received()) >= 1)
        await deliver_until(state, lambda: True)
    finally:
        receiver.stop()
    read = (await client.get(f"/api/v3/webhooks/{webhook['id']}", headers=admin)).json()
    assert read["active"] is False
    assert "410" in read["disabledReason"]
    statuses = [d["status"] for d in await _deliveries(client, admin, webhook["id"])]
    assert "failed" in statuses
    # Re-enabled by hand, it says nothing of the past any more.
    again = await client.patch(f"/api/v3/webhooks/{webhook['id']}", json={"active": True}, headers=admin)
    assert again.json()["active"] is True and again.json()["disabledReason"] is None


async def test_a_private_address_is_refused_at_delivery_without_the_setting(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver().start()
    try:
        webhook = await _subscribe(client, admin, receiver.url)  # allowed when it was saved
        await record_events(state, [(uuid.uuid4(), {"n": 1})])
        strict = dataclasses.replace(
            state,
            settings=make_settings(
                state.settings.database_url, webhook_allow_insecure=True, webhook_retry_schedule=[0.1]
            ),
        )
        await deliver_until(strict, lambda: True)
        await asyncio.sleep(0.2)
        await deliver_until(strict, lambda: True)
    finally:
        receiver.stop()
    assert receiver.received() == []
    (delivery,) = await _deliveries(client, admin, webhook["id"])
    assert delivery["attempts"] and all(
        "loopback, private or link-local" in a["error"] for a in delivery["attempts"]
    )


async def test_test_event_retry_and_replay(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver().start()
    try:
        webhook = await _subscribe(client, admin, receiver.url, ["contact.updated"])
        tested = await client.post(f"/api/v3/webhooks/{webhook['id']}/test", headers=admin)
        assert tested.status_code == 202 and tested.json()["eventType"] == "webhook.test"
        await deliver_until(state, lambda: len(receiver.received()) >= 1)
        assert _verified(webhook["secret"], receiver.received()[0])["type"] == "webhook.test"

        before = (await client.get("/health", headers=admin)).status_code  # any request; the clock moves on
        assert before in (200, 404)
        ids = await record_events(state, [(uuid.uuid4(), {"n": n}) for n in range(3)])
        await deliver_until(state, lambda: len(receiver.received()) >= 4)

        (last,) = [d for d in await _deliveries(client, admin, webhook["id"]) if d["eventId"] == ids[0]]
        retried = await client.post(
            f"/api/v3/webhooks/{webhook['id']}/deliveries/{last['id']}/retry", headers=admin
        )
        assert retried.status_code == 202 and retried.json()["status"] == "pending"
        await deliver_until(state, lambda: len(receiver.received()) >= 5)
        assert receiver.received()[4].headers["webhook-id"] == ids[0]

        replayed = await client.post(
            f"/api/v3/webhooks/{webhook['id']}/replay",
            params={"since": "2000-01-01T00:00:00Z"},
            headers=admin,
        )
        assert replayed.status_code == 202 and replayed.json() == {"queued": 3}
        await deliver_until(state, lambda: len(receiver.received()) >= 8)
    finally:
        receiver.stop()
    assert sorted(h.headers["webhook-id"] for h in receiver.received()[5:]) == sorted(ids)
    only_tests = await _deliveries(client, admin, webhook["id"], eventType="webhook.test")
    assert len(only_tests) == 1


async def test_after_rotation_both_secrets_sign(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver().start()
    try:
        webhook = await _subscribe(client, admin, receiver.url)
        rotated = (await client.post(f"/api/v3/webhooks/{webhook['id']}/rotate-secret", headers=admin)).json()
        await record_events(state, [(None, {"n": 1})])
        await deliver_until(state, lambda: len(receiver.received()) >= 1)
    finally:
        receiver.stop()
    (hit,) = receiver.received()
    assert len(hit.headers["webhook-signature"].split(" ")) == 2
    _verified(webhook["secret"], hit)
    _verified(rotated["secret"], hit)
    assert json.loads(hit.body)["data"] == {"n": 1}
