"""Outcomes recorded many to a transaction decide as they would one by one: a 410 disables
its endpoint even when another failure for it is recorded alongside, a disabling counts
once, and the lag gauge dates a waiting event from when it happened, not from its fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry

from patron.db.session import transaction
from patron.kit import clock
from patron.state import AppState
from patron.webhooks import service as webhooks
from patron.webhooks.service import Attempted, Outcome
from patron.worker import webhooks as delivery_loop
from patron.worker.metrics import WorkerMetrics
from patron.worker.webhooks import Deliveries
from tests.clock import frozen_at
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Receiver


async def _subscribe(client: httpx.AsyncClient, admin: dict[str, str], url: str) -> str:
    made = await client.post("/api/v3/webhooks", json={"url": url, "eventTypes": ["*"]}, headers=admin)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_a_410_stays_disabling_when_another_failure_of_its_endpoint_is_recorded_with_it(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    webhook_id = await _subscribe(client, admin, "http://127.0.0.1:9/hooks")
    await record_events(state, [(uuid.uuid4(), {"n": 1}), (uuid.uuid4(), {"n": 2})])
    async with transaction(state.database) as session:
        await webhooks.fan_out(session)
    async with transaction(state.database) as session:
        gone, failed = await webhooks.claim(session, 10, 60)
    now = clock.now()
    async with transaction(state.database) as session:
        await webhooks.record(
            session,
            [
                Attempted(gone, Outcome(410, 1, "gone", "answered 410"), now),
                Attempted(failed, Outcome(500, 1, "oops", "answered 500"), now),
            ],
            state.settings,
        )
    read = (await client.get(f"/api/v3/webhooks/{webhook_id}", headers=admin)).json()
    assert read["active"] is False and "410" in read["disabledReason"]


async def test_an_endpoint_disabled_once_is_counted_once(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    registry = CollectorRegistry()
    receiver = Receiver(lambda n: 410).start()
    try:
        await _subscribe(client, admin, receiver.url)
        await record_events(state, [(uuid.uuid4(), {"n": 1}), (uuid.uuid4(), {"n": 2})])
        await deliver_until(state, lambda: len(receiver.received()) == 2, metrics=WorkerMetrics(registry))
    finally:
        receiver.stop()
    assert registry.get_sample_value("patron_webhook_endpoints_disabled_total") == 1


async def test_the_lag_is_the_age_of_the_oldest_event_not_delivered(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_loop, "BACKLOG_EVERY_SECONDS", 0.01)
    registry = CollectorRegistry()
    receiver = Receiver().start()
    start = datetime.now(UTC)
    watching = asyncio.create_task(Deliveries(state, WorkerMetrics(registry), 10).watch_backlog())
    try:
        with frozen_at(start):
            webhook_id = await _subscribe(client, admin, receiver.url)
            await record_events(state, [(uuid.uuid4(), {"n": 1})])
        with frozen_at(start + timedelta(seconds=30)):
            async with transaction(state.database) as session:
                assert await webhooks.fan_out(session) == 1
            await client.patch(f"/api/v3/webhooks/{webhook_id}", json={"active": False}, headers=admin)
        with frozen_at(start + timedelta(seconds=45)):
            await asyncio.sleep(2)
            assert registry.get_sample_value("patron_outbox_lag_seconds") == 45
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
        receiver.stop()
