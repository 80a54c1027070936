"""Every background loop of one process, started together and stopped together: on stop, no
new delivery is claimed, the ones being sent get `drain_seconds` to finish and be recorded,
and the other loops are cancelled (their work is transactional and picked up again)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from prometheus_client import CollectorRegistry

from patron.state import AppState
from patron.worker import campaign_windows, carts, expiry, housekeeping
from patron.worker import drop as drop_worker
from patron.worker import imports as import_worker
from patron.worker import receipt_batches as receipt_batch_worker
from patron.worker import segments as segment_worker
from patron.worker.metrics import WorkerMetrics
from patron.worker.webhooks import Deliveries

log = logging.getLogger("patron.worker")


class Worker:
    def __init__(self, state: AppState, registry: CollectorRegistry, concurrency: int = 10) -> None:
        self.state = state
        self.metrics = WorkerMetrics(registry)
        self.deliveries = Deliveries(state, self.metrics, concurrency)
        self.stopping = asyncio.Event()
        # The longest a delivery can take (its timeout) and the time to record it.
        self.drain_seconds = state.settings.webhook_timeout_seconds + 5

    async def run(self) -> None:
        """Run until `stop()`, then wind down within drain_seconds."""
        self.stopping = asyncio.Event()
        delivering = asyncio.create_task(self.deliveries.run(self.stopping), name="webhooks")
        others = [
            asyncio.create_task(import_worker.loop(self.state), name="imports"),
            asyncio.create_task(receipt_batch_worker.loop(self.state), name="receipt-batches"),
            asyncio.create_task(housekeeping.loop(self.state), name="housekeeping"),
            asyncio.create_task(expiry.loop(self.state), name="expiry"),
            asyncio.create_task(campaign_windows.loop(self.state), name="campaign-windows"),
            asyncio.create_task(carts.loop(self.state), name="abandoned-carts"),
            asyncio.create_task(self.deliveries.watch_backlog(), name="webhook-backlog"),
            asyncio.create_task(segment_worker.refresh_loop(self.state), name="segment-refresh"),
            asyncio.create_task(segment_worker.job_loop(self.state), name="assignment-jobs"),
        ]
        if self.state.settings.drop_dir:
            # The drop folder (docs/IMPORTS.md), when one is set.
            others.append(asyncio.create_task(drop_worker.loop(self.state), name="drop-folder"))
        try:
            await self.stopping.wait()
        finally:
            self.stopping.set()
            for task in others:
                task.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(delivering), self.drain_seconds)
            except TimeoutError:
                log.warning(
                    "deliveries still in flight after %.0f s; their leases will run out", self.drain_seconds
                )
                delivering.cancel()
            finally:
                # Cancelled loops end quietly; one that failed (a bug: each loop retries its
                # database errors itself) raises here, so the process does not exit 0 over it.
                for task in (*others, delivering):
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    def stop(self) -> None:
        self.stopping.set()
