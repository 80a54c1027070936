"""The clock-driven events: Engage challenges past their expirationMonths (`challenge.expired`),
point transactions past their validTo (`points.expired`) and record challenges whose window
closed below target (`challenge.failed`) and streak runs whose needed period ended unmet
(`streak.broken`), each told once."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DBAPIError

from patron.challenges import service as challenges
from patron.db.session import transaction
from patron.kit import clock
from patron.points import service as points
from patron.records import closing
from patron.state import AppState

log = logging.getLogger("patron.worker.expiry")

EVERY_SECONDS = 30.0


async def run_once(state: AppState) -> int:
    """Tell what has expired by now, a batch at a time; how many events were written."""
    told = 0
    for emit in (challenges.emit_expired, points.emit_expired, closing.emit_failed, closing.emit_broken):
        while True:
            async with state.write_turn(), transaction(state.database) as session:
                count = await emit(session, clock.now())
            told += count
            if count == 0:
                break
    return told


async def loop(state: AppState) -> None:
    while True:
        try:
            told = await run_once(state)
            if told:
                log.info("told %d expiries", told)
        except DBAPIError as exc:
            log.warning("expiry: database error: %s", exc)
        await asyncio.sleep(EVERY_SECONDS)
