"""Periodic clean-up: stored idempotent responses past their retention."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.exc import DBAPIError

from patron.db.session import transaction
from patron.idempotency import service as idempotency
from patron.state import AppState

log = logging.getLogger("patron.worker.housekeeping")

EVERY_SECONDS = 600.0


async def loop(state: AppState) -> None:
    ttl = timedelta(hours=state.settings.idempotency_ttl_hours)
    while True:
        try:
            async with transaction(state.database) as session:
                purged = await idempotency.purge_expired(session, ttl)
            if purged:
                log.info("purged %d idempotency records", purged)
        except DBAPIError as exc:
            log.warning("housekeeping: database error: %s", exc)
        await asyncio.sleep(EVERY_SECONDS)
