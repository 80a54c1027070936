"""Records queued bulk receipt batches, a chunk per transaction, so a worker that dies
mid-batch leaves the rest to the next one and no receipt is recorded twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import DBAPIError

from patron.contacts.errors import ImportNotFound
from patron.db.session import transaction
from patron.imports import receipt_batches
from patron.imports.runs import tools_for
from patron.state import AppState

log = logging.getLogger("patron.worker.receipt_batches")

POLL_SECONDS = 1.0


async def run_once(state: AppState) -> bool:
    """Record one queued batch; False when there was none."""
    services = tools_for(state.settings, state.database, state.bus, state.write_turn).services
    async with state.write_turn(), transaction(state.database) as session:
        batch_id = await receipt_batches.claim_next(session)
    if batch_id is None:
        return False
    done = False
    while not done:
        try:
            async with state.write_turn(), transaction(state.database) as session:
                done = await receipt_batches.apply_chunk(session, batch_id, services)
        except ImportNotFound:
            log.warning("bulk receipt batch %s vanished before it ran", batch_id)
            return True
    log.info("bulk receipt batch %s recorded", batch_id)
    return True


async def loop(state: AppState) -> None:
    while True:
        try:
            while await run_once(state):
                continue
        except DBAPIError as exc:
            # The batch stays Running and is resumed once abandoned, after its last chunk.
            log.warning("bulk receipts loop: database error, retrying: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.imports_queued.wait(), timeout=POLL_SECONDS)
