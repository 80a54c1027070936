"""Webhook tests: an application whose worker the test drives itself (no embedded worker),
allowed to deliver to the loopback receivers the tests start, with retries seconds apart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from patron.app import create_app
from patron.config import Settings
from tests.conftest import make_settings

QUICK_RETRIES = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]


@pytest.fixture
def webhook_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        embedded_worker=False,
        webhook_allow_private=True,
        webhook_allow_insecure=True,
        webhook_retry_schedule=QUICK_RETRIES,
    )


@pytest.fixture
async def app(webhook_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(webhook_settings)
    async with application.router.lifespan_context(application):
        yield application
