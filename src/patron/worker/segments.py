"""Keeps segments' members fresh and runs assignment jobs, each in transactions of its own.

Members are recomputed when a segment is due (created, changed, asked for, or its interval
passed). Assignment jobs go batch by batch at their own pace; a job whose worker died is taken
over once its lease runs out, from its cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import DBAPIError

from patron.db.session import transaction
from patron.errors import PatronError
from patron.kit import clock
from patron.segments import jobs
from patron.segments import service as segments
from patron.state import AppState

log = logging.getLogger("patron.worker.segments")


async def refresh_one(state: AppState) -> bool:
    """Refresh the segment due longest; False when none is due."""
    custom = frozenset(state.settings.contact_custom_attributes)
    # Looked for in a read first: the embedded worker must not take SQLite's one write lock
    # every few seconds for nothing.
    async with transaction(state.database, write=False) as session:
        if not await segments.any_due(session, clock.now()):
            return False
    async with state.write_turn(), transaction(state.database) as session:
        refreshed = await segments.refresh_due(session, custom, state.settings.zone, clock.now())
    if refreshed is not None:
        log.info("segment %s refreshed: %s members", refreshed.id, refreshed.member_count)
    return refreshed is not None


async def run_one_job(state: AppState) -> bool:
    """Take one job and run it to its end (or until it is no longer this worker's); False when
    there was none."""
    custom = frozenset(state.settings.contact_custom_attributes)
    async with transaction(state.database, write=False) as session:
        if not await jobs.any_to_take(session):
            return False
    async with state.write_turn(), transaction(state.database) as session:
        ticket = await jobs.take_next(session, custom, state.settings.zone)
    if ticket is None:
        return False
    while ticket is not None:
        started = clock.monotonic()
        before = ticket
        try:
            async with state.write_turn(), transaction(state.database) as session:
                ticket = await jobs.assign_batch(session, ticket)
        except PatronError as refused:
            # The promotion was ended or deleted while the job ran: it stops, saying why.
            log.warning("assignment job %s stopped: %s", before.job_id, refused.message)
            async with state.write_turn(), transaction(state.database) as session:
                await jobs.fail(session, before.job_id, refused.message)
            return True
        if ticket is not None:
            await asyncio.sleep(jobs.pause_after(ticket, ticket.batch_size, clock.monotonic() - started))
    return True


async def _waited(state: AppState) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(state.segment_work.wait(), timeout=state.settings.segment_poll_seconds)
    state.segment_work.clear()


async def refresh_loop(state: AppState) -> None:
    while True:
        try:
            busy = True
            while busy:  # until nothing is left to do, then wait
                busy = await refresh_one(state)
        except DBAPIError as exc:
            log.warning("segment refresh loop: database error, retrying: %s", exc)
        await _waited(state)


async def job_loop(state: AppState) -> None:
    while True:
        try:
            busy = True
            while busy:  # until nothing is left to do, then wait
                busy = await run_one_job(state)
        except DBAPIError as exc:
            log.warning("assignment job loop: database error, retrying: %s", exc)
        await _waited(state)
