"""The campaigns' window job: AWT and IWT timers that have run out are closed (an IWT rule
whose trigger never came is rewarded once), a batch at a time."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DBAPIError

from patron.campaigns import windows
from patron.db.session import transaction
from patron.kit import clock
from patron.state import AppState

log = logging.getLogger("patron.worker.campaign_windows")

EVERY_SECONDS = 15.0


async def run_once(state: AppState) -> int:
    """Close every window that has ended by now; how many were closed."""
    closed = 0
    while True:
        async with state.write_turn(), transaction(state.database) as session:
            count = await windows.close_due(session, state.rewards, clock.now())
        closed += count
        if count < windows.BATCH:
            return closed


async def loop(state: AppState) -> None:
    while True:
        try:
            closed = await run_once(state)
            if closed:
                log.info("closed %d campaign rule windows", closed)
        except DBAPIError as exc:
            log.warning("campaign windows: database error: %s", exc)
        await asyncio.sleep(EVERY_SECONDS)
