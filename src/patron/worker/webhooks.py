"""Webhook delivery: outbox events fanned out to their endpoints, due deliveries claimed
(leased, `FOR UPDATE SKIP LOCKED` on PostgreSQL), sent concurrently, their outcome recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from sqlalchemy.exc import DBAPIError

from patron.db.session import transaction
from patron.kit import clock
from patron.state import AppState
from patron.webhooks import sender
from patron.webhooks import service as webhooks
from patron.webhooks.service import Claimed
from patron.worker.metrics import WorkerMetrics

log = logging.getLogger("patron.worker.webhooks")

BACKLOG_EVERY_SECONDS = 5.0


class Deliveries:
    def __init__(self, state: AppState, metrics: WorkerMetrics, concurrency: int) -> None:
        self.state = state
        self.metrics = metrics
        self.concurrency = concurrency

    async def run(self, stopping: asyncio.Event) -> None:
        """Deliver until `stopping` is set; a batch being sent then is finished first."""
        async with sender.client(self.state.settings) as http:
            while not stopping.is_set():
                try:
                    busy = await self.run_once(http)
                except DBAPIError as exc:
                    log.warning("webhook delivery: database error, retrying: %s", exc)
                    busy = False
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), self.state.settings.worker_poll_seconds)

    async def run_once(self, http: httpx.AsyncClient) -> bool:
        """Fan out new events and send one batch of due deliveries; False when idle."""
        state = self.state
        async with state.write_turn(), transaction(state.database) as session:
            read = await webhooks.fan_out(session)
        async with state.write_turn(), transaction(state.database) as session:
            claimed = await webhooks.claim(session, self.concurrency, state.settings.webhook_lease_seconds)
        if claimed:
            await asyncio.gather(*(self._deliver(http, one) for one in claimed))
        return bool(claimed) or read > 0

    async def _deliver(self, http: httpx.AsyncClient, claimed: Claimed) -> None:
        attempted_on = clock.now()
        outcome = await sender.send(http, claimed, self.state.settings)
        self.metrics.attempt_seconds.observe(outcome.latency_ms / 1000)
        try:
            async with self.state.write_turn(), transaction(self.state.database) as session:
                recorded = await webhooks.record(session, claimed, outcome, attempted_on, self.state.settings)
        except DBAPIError as exc:
            # Not recorded: the lease runs out and the delivery is sent again (at least once).
            log.warning("webhook delivery %s: outcome not recorded: %s", claimed.delivery_id, exc)
            return
        self.metrics.deliveries.labels(recorded.result).inc()
        if recorded.endpoint_disabled:
            self.metrics.disabled.inc()
            log.warning(
                "webhook endpoint %s disabled after delivery %s", claimed.endpoint_id, claimed.delivery_id
            )

    async def watch_backlog(self) -> None:
        """Keep the lag and queue-depth gauges current."""
        shown: set[str] = set()
        while True:
            try:
                async with transaction(self.state.database, write=False) as session:
                    backlog = await webhooks.backlog(session)
                self.metrics.outbox_lag.set(backlog.lag_seconds)
                depths = {str(endpoint): count for endpoint, count in backlog.pending_by_endpoint.items()}
                for gone in shown - depths.keys():
                    self.metrics.queue_depth.labels(gone).set(0)
                for endpoint, count in depths.items():
                    self.metrics.queue_depth.labels(endpoint).set(count)
                shown = set(depths)
            except DBAPIError as exc:
                log.warning("webhook backlog: database error: %s", exc)
            await asyncio.sleep(BACKLOG_EVERY_SECONDS)
