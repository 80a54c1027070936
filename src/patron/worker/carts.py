"""The abandoned-cart job: carts no order from their contact followed within
PATRON_ABANDONED_CART_MINUTES are told as cart.abandoned, once (the event shops build
abandoned-cart mails on)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.exc import DBAPIError

from patron.db.session import transaction
from patron.orders import service as orders
from patron.state import AppState

log = logging.getLogger("patron.worker.carts")

EVERY_SECONDS = 30.0
BATCH = 500


async def run_once(state: AppState) -> int:
    """Judge every cart that has waited long enough, a batch at a time; how many were abandoned."""
    wait = timedelta(minutes=state.settings.abandoned_cart_minutes)
    abandoned = 0
    while True:
        async with state.write_turn(), transaction(state.database) as session:
            judged, told = await orders.judge_carts(session, wait, BATCH)
        abandoned += told
        if judged < BATCH:
            return abandoned


async def loop(state: AppState) -> None:
    while True:
        try:
            told = await run_once(state)
            if told:
                log.info("told %d abandoned carts", told)
        except DBAPIError as exc:
            log.warning("abandoned carts: database error: %s", exc)
        await asyncio.sleep(EVERY_SECONDS)
