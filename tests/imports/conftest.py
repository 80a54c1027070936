"""Fixtures of the import tests: an application whose real worker watches a drop folder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from patron.app import create_app
from patron.state import AppState
from patron.worker.runner import Worker
from tests.conftest import make_settings


@pytest.fixture
async def watched(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, Path]]:
    """An application whose worker watches a drop folder of the test's own."""
    drop = tmp_path / "drop"
    settings = make_settings(database_url, drop_dir=str(drop), drop_settle_seconds=0.5, embedded_worker=False)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        state: AppState = application.state.patron
        worker = Worker(state, CollectorRegistry())
        running = asyncio.create_task(worker.run())
        yield application, drop
        worker.stop()
        await running
