"""Applies queued bulk imports, one batch at a time, in its own transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import DBAPIError

from patron.contacts.errors import ImportNotFound
from patron.contacts.service import ContactRules
from patron.db.session import transaction
from patron.imports import service as imports
from patron.state import AppState

log = logging.getLogger("patron.worker.imports")

POLL_SECONDS = 2.0


async def run_once(state: AppState) -> bool:
    """Apply one queued batch; False when there was none."""
    rules = ContactRules.from_settings(state.settings)
    async with state.write_turn(), transaction(state.database) as session:
        batch = await imports.claim_next(session)
        if batch is None:
            return False
    # The claim is committed first, so another worker never picks the same batch.
    batch_id = batch.id
    try:
        async with state.write_turn(), transaction(state.database) as session:
            await imports.apply_rows(session, await imports.running(session, batch_id), rules)
    except DBAPIError:
        raise  # the batch stays Running and is picked up again once abandoned
    except ImportNotFound:
        # Deleted between its claim and its run: nothing left to apply or to mark.
        log.warning("bulk import %s vanished before it ran", batch_id)
        return True
    except Exception as exc:
        log.exception("bulk import %s failed", batch_id, exc_info=exc)
        async with state.write_turn(), transaction(state.database) as session:
            await imports.mark_failed(session, batch_id, str(exc))
        return True
    log.info("bulk import %s applied", batch_id)
    return True


async def loop(state: AppState) -> None:
    while True:
        try:
            while await run_once(state):
                pass
        except DBAPIError as exc:
            log.warning("bulk import loop: database error, retrying: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.imports_queued.wait(), timeout=POLL_SECONDS)
        state.imports_queued.clear()
