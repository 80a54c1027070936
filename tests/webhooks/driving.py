"""Driving a worker's delivery loop from a test, and recording events as a domain would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry

from patron.db.session import transaction
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.state import AppState
from patron.webhooks import sender
from patron.worker.metrics import WorkerMetrics
from patron.worker.webhooks import Deliveries


async def deliver_until(
    state: AppState,
    done: Callable[[], bool],
    seconds: float = 60,
    concurrency: int = 10,
    metrics: WorkerMetrics | None = None,
) -> Deliveries:
    """Run delivery rounds, at least one, until `done()` (an AssertionError after `seconds`),
    counting on `metrics` when given (a registry of the test's own otherwise)."""
    deliveries = Deliveries(state, metrics or WorkerMetrics(CollectorRegistry()), concurrency)
    deadline = asyncio.get_running_loop().time() + seconds
    async with sender.client(state.settings, concurrency) as http:
        while True:
            busy = await deliveries.run_once(http)
            if done():
                return deliveries
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not done after {seconds} s")
            if not busy:
                await asyncio.sleep(0.05)


async def record_events(
    state: AppState,
    events: Sequence[tuple[uuid.UUID | None, dict[str, Any]]],
    kind: EventType = EventType.CONTACT_UPDATED,
) -> list[str]:
    async with transaction(state.database) as session:
        return await outbox.record(session, [NewEvent(kind, data, contact_id) for contact_id, data in events])
