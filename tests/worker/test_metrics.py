"""The worker's Prometheus metrics (`WorkerMetrics`) say what its deliveries did: attempts by
outcome (succeeded, retrying, failed, lost), their durations, endpoints disabled, and the
backlog gauges (the oldest event waiting, each endpoint's queue). Read from the registry of a
loop the test drives, and over HTTP from `patron worker --metrics-port`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.state import AppState
from patron.webhooks import sender
from patron.webhooks import service as webhooks
from patron.webhooks.schemas import NewWebhook, WebhookChanges
from patron.worker import webhooks as delivery_loop
from patron.worker.metrics import WorkerMetrics
from patron.worker.webhooks import Deliveries
from tests.clock import frozen_at
from tests.conftest import make_settings, migrated_database
from tests.reliability.server import free_port
from tests.webhooks import conftest as webhook_tests
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Receiver
from tests.worker.process import WorkerProcess

# The webhook tests' application: no embedded worker (the test drives the loop), loopback allowed.
webhook_settings = webhook_tests.webhook_settings
app = webhook_tests.app

DELIVERIES = "patron_webhook_deliveries_total"
DURATION = "patron_webhook_attempt_duration_seconds"
DISABLED = "patron_webhook_endpoints_disabled_total"
LAG = "patron_outbox_lag_seconds"
DEPTH = "patron_webhook_queue_depth"
RESULTS = ("succeeded", "retrying", "failed", "lost")

# Four receivers and what they answer; with two retries each, one event to all of them makes
# 7 attempts: succeeded 2 (ok, flaky's second), retrying 3 (flaky's first, down's first two),
# failed 2 (down's third, gone's 410, which disables its endpoint).
ANSWERS: dict[str, Callable[[int], int]] = {
    "ok": lambda n: 200,
    "flaky": lambda n: 500 if n == 1 else 200,
    "down": lambda n: 503,
    "gone": lambda n: 410,
}
ATTEMPTS = {"ok": 1, "flaky": 2, "down": 3, "gone": 1}
BY_RESULT = {"succeeded": 2, "retrying": 3, "failed": 2, "lost": 0}
TWO_RETRIES = [0.1, 0.1]


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """A sample's value; 0 for one never set (a label a counter has not seen)."""
    return registry.get_sample_value(name, labels) or 0.0


async def _until(check: Callable[[], bool], what: str, seconds: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.01)


async def _subscribe(client: httpx.AsyncClient, admin: dict[str, str], url: str) -> str:
    made = await client.post("/api/v3/webhooks", json={"url": url, "eventTypes": ["*"]}, headers=admin)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def _attempts(
    client: httpx.AsyncClient, admin: dict[str, str], webhook_id: str
) -> list[dict[str, Any]]:
    answer = await client.get(f"/api/v3/webhooks/{webhook_id}/deliveries", headers=admin)
    assert answer.status_code == 200, answer.text
    return [attempt for delivery in answer.json()["items"] for attempt in delivery["attempts"]]


async def test_attempts_are_counted_by_outcome_and_timed(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    registry = CollectorRegistry()
    quick = dataclasses.replace(
        state, settings=state.settings.model_copy(update={"webhook_retry_schedule": TWO_RETRIES})
    )
    receivers = {name: Receiver(answer).start() for name, answer in ANSWERS.items()}
    try:
        ids = {name: await _subscribe(client, admin, receiver.url) for name, receiver in receivers.items()}
        await record_events(state, [(uuid.uuid4(), {"n": 1})])
        await deliver_until(
            quick,
            lambda: all(len(receivers[name].received()) == count for name, count in ATTEMPTS.items()),
            metrics=WorkerMetrics(registry),
        )
    finally:
        for receiver in receivers.values():
            receiver.stop()
    assert {result: _value(registry, DELIVERIES, result=result) for result in RESULTS} == BY_RESULT
    assert _value(registry, DISABLED) == 1
    attempts = [
        attempt for webhook_id in ids.values() for attempt in await _attempts(client, admin, webhook_id)
    ]
    assert len(attempts) == sum(ATTEMPTS.values()) == 7
    assert _value(registry, f"{DURATION}_count") == 7
    assert _value(registry, f"{DURATION}_bucket", le="+Inf") == 7
    # Each attempt observed as the latency it was recorded with (whole milliseconds).
    assert _value(registry, f"{DURATION}_sum") == pytest.approx(sum(a["latencyMs"] for a in attempts) / 1000)
    assert _value(registry, f"{DURATION}_bucket", le="15.0") == 7  # all answered within the timeout


async def test_an_attempt_whose_lease_passed_to_another_worker_counts_as_lost(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    short_lease = dataclasses.replace(
        state, settings=state.settings.model_copy(update={"webhook_lease_seconds": 0.3})
    )
    first, second = CollectorRegistry(), CollectorRegistry()
    receiver = Receiver().start()
    receiver.hold.clear()  # both attempts wait in the receiver
    try:
        webhook_id = await _subscribe(client, admin, receiver.url)
        await record_events(state, [(uuid.uuid4(), {"n": 1})])
        async with sender.client(state.settings) as http:
            slow = asyncio.create_task(Deliveries(short_lease, WorkerMetrics(first), 10).run_once(http))
            await _until(lambda: len(receiver.arrivals) == 1, "the first attempt")
            await asyncio.sleep(0.4)  # its lease runs out: the second worker claims the delivery
            taking_over = asyncio.create_task(
                Deliveries(short_lease, WorkerMetrics(second), 10).run_once(http)
            )
            await _until(lambda: len(receiver.arrivals) == 2, "the second attempt")
            receiver.hold.set()
            await asyncio.gather(slow, taking_over)
    finally:
        receiver.hold.set()
        receiver.stop()
    assert {result: _value(first, DELIVERIES, result=result) for result in RESULTS} == {
        "succeeded": 0,
        "retrying": 0,
        "failed": 0,
        "lost": 1,
    }
    assert {result: _value(second, DELIVERIES, result=result) for result in RESULTS} == {
        "succeeded": 1,
        "retrying": 0,
        "failed": 0,
        "lost": 0,
    }
    # Both were sent and both timed.
    assert _value(first, f"{DURATION}_count") == _value(second, f"{DURATION}_count") == 1
    assert len(await _attempts(client, admin, webhook_id)) == 2


async def test_the_backlog_gauges_follow_the_oldest_waiting_event_and_each_queue(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery_loop, "BACKLOG_EVERY_SECONDS", 0.01)
    registry = CollectorRegistry()
    deliveries = Deliveries(state, WorkerMetrics(registry), 10)
    open_receiver, paused_receiver = Receiver().start(), Receiver().start()
    start = datetime.now(UTC)
    watching = asyncio.create_task(deliveries.watch_backlog())
    try:
        with frozen_at(start):
            served = await _subscribe(client, admin, open_receiver.url)
            paused = await _subscribe(client, admin, paused_receiver.url)
            await record_events(state, [(uuid.uuid4(), {"n": n}) for n in range(3)])
        with frozen_at(start + timedelta(seconds=30)):
            # Not fanned out yet: the events themselves are 30 s old.
            await _until(lambda: registry.get_sample_value(LAG) == 30, "a lag of 30 s")
            assert registry.get_sample_value(DEPTH, {"endpoint": served}) is None
            async with transaction(state.database) as session:
                assert await webhooks.fan_out(session) == 3
            changed = await client.patch(f"/api/v3/webhooks/{paused}", json={"active": False}, headers=admin)
            assert changed.status_code == 200, changed.text
        with frozen_at(start + timedelta(seconds=45)):
            # Waiting for 45 s since written, 15 s since fanned out: at least the latter (and a
            # pass made between two moves of the clock, at the real time, shows none).
            await _until(
                lambda: (
                    registry.get_sample_value(DEPTH, {"endpoint": served}) == 3
                    and registry.get_sample_value(DEPTH, {"endpoint": paused}) == 3
                    and (registry.get_sample_value(LAG) or 0) >= 15
                ),
                "three waiting for each endpoint, for at least 15 s",
            )
            await deliver_until(state, lambda: len(open_receiver.received()) == 3)
            # The emptied queue shows 0, not its last count; the paused one still waits.
            await _until(
                lambda: registry.get_sample_value(DEPTH, {"endpoint": served}) == 0,
                "the served queue emptied",
            )
            assert registry.get_sample_value(DEPTH, {"endpoint": paused}) == 3
            assert (registry.get_sample_value(LAG) or 0) >= 15
        with frozen_at(start + timedelta(seconds=60)):
            resumed = await client.patch(f"/api/v3/webhooks/{paused}", json={"active": True}, headers=admin)
            assert resumed.status_code == 200, resumed.text
            await deliver_until(state, lambda: len(paused_receiver.received()) == 3)
            await _until(
                lambda: (
                    registry.get_sample_value(LAG) == 0
                    and registry.get_sample_value(DEPTH, {"endpoint": paused}) == 0
                ),
                "nothing waits",
            )
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching  # its session closed before the database goes
        open_receiver.stop()
        paused_receiver.stop()


# A real `patron worker --metrics-port`.


@pytest.fixture
async def worker_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    async with migrated_database(backend, tmp_path) as url:
        database = create_database(make_settings(url))
        try:
            yield url, database
        finally:
            await database.dispose()


def _scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scraped(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_patron_worker_serves_its_metrics_on_the_metrics_port(
    worker_database: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = worker_database
    settings = make_settings(url, webhook_allow_private=True, webhook_allow_insecure=True)
    receivers = {
        name: Receiver(answer).start() for name, answer in {**ANSWERS, "paused": ANSWERS["ok"]}.items()
    }
    written = datetime.now(UTC) - timedelta(seconds=600)
    with frozen_at(written):
        async with transaction(database) as session:
            ids = {
                name: str(
                    (await webhooks.create(session, NewWebhook(url=r.url, eventTypes=["*"]), settings)).id
                )
                for name, r in receivers.items()
            }
        async with transaction(database) as session:
            await outbox.record(session, [NewEvent(EventType.CONTACT_UPDATED, {"n": 1}, uuid.uuid4())])
        async with transaction(database) as session:
            assert await webhooks.fan_out(session) == 1
        # Its delivery was queued ten minutes ago and waits: the lag and its queue show it.
        async with transaction(database) as session:
            await webhooks.change(session, uuid.UUID(ids["paused"]), WebhookChanges(active=False), settings)
    worker = WorkerProcess(
        url, tmp_path / "worker.log", metrics_port=free_port(), webhook_retry_schedule="0.2,0.2"
    )
    try:
        worker.start()
        await _until(
            lambda: all(len(receivers[name].received()) == count for name, count in ATTEMPTS.items()),
            "every attempt",
            seconds=60,
        )

        def recorded() -> bool:
            try:
                samples = _scrape(worker.metrics_url)
            except httpx.TransportError:
                return False
            return sum(_scraped(samples, DELIVERIES, result=result) for result in RESULTS) == 7

        await _until(recorded, "seven outcomes counted", seconds=30)
        samples = _scrape(worker.metrics_url)
        read_at = datetime.now(UTC)
        assert worker.terminate() == 0
    finally:
        worker.stop()
        for receiver in receivers.values():
            receiver.stop()
    log = (tmp_path / "worker.log").read_text()
    assert {result: _scraped(samples, DELIVERIES, result=result) for result in RESULTS} == BY_RESULT, log
    assert _scraped(samples, DISABLED) == 1
    assert _scraped(samples, f"{DURATION}_count") == 7
    assert _scraped(samples, f"{DURATION}_bucket", le="+Inf") == 7
    assert _scraped(samples, DEPTH, endpoint=ids["paused"]) == 1
    assert 600 <= _scraped(samples, LAG) <= (read_at - written).total_seconds()
    assert receivers["paused"].received() == []
    assert "Traceback" not in log
