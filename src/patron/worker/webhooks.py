"""Webhook delivery: outbox events fanned out to their endpoints, due deliveries claimed
(leased, `FOR UPDATE SKIP LOCKED` on PostgreSQL), sent concurrently, their outcomes recorded.

Fanning out, claiming, sending and recording overlap: fan-outs run in a loop of their own, up
to `concurrency` deliveries are in flight, a free slot is claimed again as soon as it frees
(one slow receiver holds up only its own slot), and the outcomes are recorded together, as
many as have come back since the last write, in one transaction."""

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
from patron.webhooks.service import Attempted, Claimed
from patron.worker.metrics import WorkerMetrics

log = logging.getLogger("patron.worker.webhooks")

BACKLOG_EVERY_SECONDS = 5.0
# While deliveries come and go, the loop looks for more this often (between polls when idle).
BUSY_POLL_SECONDS = 0.02
# The most outcomes written in one transaction.
RECORD_BATCH = 500


class Deliveries:
    def __init__(self, state: AppState, metrics: WorkerMetrics, concurrency: int) -> None:
        self.state = state
        self.metrics = metrics
        self.concurrency = concurrency

    async def run(self, stopping: asyncio.Event) -> None:
        """Deliver until `stopping` is set; the deliveries in flight then are finished and
        recorded first."""
        answered: asyncio.Queue[Attempted | None] = asyncio.Queue()
        in_flight: set[asyncio.Task[None]] = set()
        recorder = asyncio.create_task(self._record_answers(answered), name="webhook-outcomes")
        # Fanning out runs beside claiming: a fan-out may wait up to a second for older
        # transactions to settle, and a claim takes at most one delivery per contact, so
        # claims that waited for fan-outs would deliver a contact's events a second apart.
        fanned = asyncio.Event()  # set by a fan-out that made deliveries: claim at once
        fanning = asyncio.create_task(self._fan_out_until(stopping, fanned), name="webhook-fan-out")
        try:
            async with sender.client(self.state.settings, self.concurrency) as http:
                while not stopping.is_set():
                    room = self.concurrency - len(in_flight)
                    try:
                        claimed = await self._claim(room) if room > 0 else []
                    except DBAPIError as exc:
                        log.warning("webhook delivery: database error, retrying: %s", exc)
                        claimed = []
                    for one in claimed:
                        task = asyncio.create_task(self._send(http, one, answered))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                    await self._pause(stopping, in_flight, bool(claimed) or room <= 0, fanned)
                if in_flight:
                    await asyncio.wait(in_flight)
        finally:
            await answered.put(None)
            await recorder
            await fanning

    async def _fan_out_until(self, stopping: asyncio.Event, fanned: asyncio.Event) -> None:
        """Fan out new events until `stopping`, setting `fanned` after each that read some:
        again at once while there were some, after a poll interval when there were none."""
        while not stopping.is_set():
            try:
                busy = await self._fan_out()
            except DBAPIError as exc:
                log.warning("webhook fan-out: database error, retrying: %s", exc)
                busy = False
            if busy:
                fanned.set()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.state.settings.worker_poll_seconds)

    async def _pause(
        self, stopping: asyncio.Event, in_flight: set[asyncio.Task[None]], busy: bool, fanned: asyncio.Event
    ) -> None:
        """Until a slot frees, work may be waiting, or `stopping`: a short while when busy, a
        poll interval when idle, cut short by a fan-out that made deliveries (`fanned`)."""
        seconds = BUSY_POLL_SECONDS if busy else self.state.settings.worker_poll_seconds
        full = len(in_flight) >= self.concurrency
        if full:
            seconds = self.state.settings.worker_poll_seconds
        stopped = asyncio.ensure_future(stopping.wait())
        woken = asyncio.ensure_future(fanned.wait())
        try:
            await asyncio.wait(
                {stopped, *(in_flight if full else (woken,))},
                timeout=seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stopped.cancel()
            woken.cancel()
            fanned.clear()

    async def run_once(self, http: httpx.AsyncClient) -> bool:
        """One round, start to end: fan out new events, send one batch of due deliveries and
        record their outcomes; False when there was nothing to do."""
        read = await self._fan_out()
        claimed = await self._claim(self.concurrency)
        if claimed:
            sent = await asyncio.gather(*(self._attempt(http, one) for one in claimed))
            await self._record(sent)
        return bool(claimed) or read

    async def _fan_out(self) -> bool:
        async with self.state.write_turn(), transaction(self.state.database) as session:
            return await webhooks.fan_out(session) > 0

    async def _claim(self, limit: int) -> list[Claimed]:
        state = self.state
        async with state.write_turn(), transaction(state.database) as session:
            return await webhooks.claim(session, limit, state.settings.webhook_lease_seconds)

    async def _attempt(self, http: httpx.AsyncClient, claimed: Claimed) -> Attempted:
        attempted_on = clock.now()
        outcome = await sender.send(http, claimed, self.state.settings)
        self.metrics.attempt_seconds.observe(outcome.latency_ms / 1000)
        return Attempted(claimed, outcome, attempted_on)

    async def _send(
        self, http: httpx.AsyncClient, claimed: Claimed, answered: asyncio.Queue[Attempted | None]
    ) -> None:
        await answered.put(await self._attempt(http, claimed))

    async def _record_answers(self, answered: asyncio.Queue[Attempted | None]) -> None:
        """Record outcomes as they come back, all those waiting at once, until told to end."""
        ending = False
        while not ending:
            first = await answered.get()
            batch: list[Attempted] = [] if first is None else [first]
            ending = first is None
            while not ending and len(batch) < RECORD_BATCH and not answered.empty():
                more = answered.get_nowait()
                ending = more is None
                if more is not None:
                    batch.append(more)
            if batch:
                await self._record(batch)

    async def _record(self, batch: list[Attempted]) -> None:
        try:
            async with self.state.write_turn(), transaction(self.state.database) as session:
                recorded = await webhooks.record(session, batch, self.state.settings)
        except DBAPIError as exc:
            # Not recorded: the leases run out and the deliveries are sent again (at least once).
            log.warning("webhook delivery: %d outcomes not recorded: %s", len(batch), exc)
            return
        for delivery_id, outcome in recorded.items():
            self.metrics.deliveries.labels(outcome.result).inc()
            if outcome.endpoint_disabled:
                self.metrics.disabled.inc()
                log.warning("webhook endpoint disabled after delivery %s", delivery_id)

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
