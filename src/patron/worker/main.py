"""`patron worker`: the background loops in a process of their own, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from prometheus_client import CollectorRegistry, start_http_server

from patron.config import Settings
from patron.kit import logs
from patron.state import assemble
from patron.worker.runner import Worker

log = logging.getLogger("patron.worker")


async def _serve(settings: Settings, concurrency: int, metrics_port: int | None) -> None:
    state = assemble(settings)
    registry = CollectorRegistry()
    worker = Worker(state, registry, concurrency)
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1", registry=registry)
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, worker.stop)
    log.info("worker started (concurrency %d)", concurrency)
    try:
        await worker.run()
    finally:
        await state.limiter.close()
        await state.database.dispose()
    log.info("worker stopped")


def run(concurrency: int = 10, metrics_port: int | None = None) -> None:
    settings = Settings()
    logs.configure(settings.log_level)
    asyncio.run(_serve(settings, concurrency, metrics_port))
