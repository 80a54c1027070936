"""create_app(settings): the ASGI application with its routers, middleware and background loops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from patron import __version__
from patron.api import handlers, openapi
from patron.api.boundary import Boundary
from patron.api.campaigns import campaigns as campaign_definitions
from patron.api.campaigns import coupons as campaign_coupons
from patron.api.campaigns import customers as campaign_customers
from patron.api.campaigns import events as campaign_events
from patron.api.campaigns import wallets as campaign_wallets
from patron.api.direct import DirectRoutes, Endpoint
from patron.api.metrics import Metrics
from patron.api.rate_limits import RateLimits
from patron.api.records import activity as record_activity
from patron.api.records import definitions as record_definitions
from patron.api.records import icons as record_icons
from patron.api.records import members as record_members
from patron.api.request_context import RequestContext
from patron.api.system import router as system_router
from patron.api.v3 import (
    articles,
    assignment_jobs,
    challenges,
    contact_lookups,
    contacts,
    end_user_tokens,
    interactions,
    orders,
    point_accounts,
    point_rules,
    point_transactions,
    promotions,
    receipt_bulk,
    receipts,
    rewards,
    segments,
    stores,
    tracking,
    webhooks,
)
from patron.config import Settings
from patron.console import mount as console
from patron.console.policy import PageHeaders
from patron.kit import collector, logs
from patron.state import assemble
from patron.widget import offers as widget_offers
from patron.widget import route as widget
from patron.widget.origins import KeyOrigins, WidgetOrigins
from patron.worker.runner import Worker

# FastAPI routes answered directly (api.direct), each with its direct counterpart.
DIRECT_ENDPOINTS: Mapping[Callable[..., Any], Endpoint] = MappingProxyType(
    {
        receipts.create_receipt: receipts.create_receipt_directly,
        challenges.award_checkpoints: challenges.award_checkpoints_directly,
        **record_activity.DIRECT_ENDPOINTS,
    }
)

# receipts comes before contacts: its /contacts/transactions must win over /contacts/{contactId}.
ENGAGE_ROUTERS: tuple[APIRouter, ...] = (
    receipts.router,
    receipt_bulk.router,
    contact_lookups.router,
    contacts.router,
    stores.router,
    articles.router,
    promotions.router,
    challenges.router,
    point_accounts.router,
    point_transactions.router,
    interactions.router,
    orders.router,
    tracking.router,
    point_rules.router,
    segments.router,
    assignment_jobs.router,
    rewards.router,
    webhooks.router,
    end_user_tokens.router,
)


RECORD_ROUTERS: tuple[APIRouter, ...] = (
    record_definitions.router,
    record_icons.router,
    record_activity.router,
    record_members.router,
)

# The campaigns dialect at /customers, /events, /campaigns, /wallets and /coupons (API.md §3).
CAMPAIGN_ROUTERS: tuple[APIRouter, ...] = (
    campaign_customers.router,
    campaign_events.router,
    campaign_definitions.router,
    campaign_wallets.router,
    campaign_coupons.router,
)


def _operation_id(prefix: str):  # type: ignore[no-untyped-def]
    def generate(route: APIRoute) -> str:
        return f"{prefix}_{route.name}"

    return generate


@dataclass(frozen=True)
class Routes:
    """Every route Patron answers. FastAPI builds a route's validation on its application's
    first request (about half a second for all of them here), once per inclusion: applications
    given one Routes share what it built. A process serves one application, so this matters
    where one process makes many (the test suite, one per test); the routes hold no state of
    their own, each request reaching its application's through `request.app`."""

    routes: tuple[BaseRoute, ...]


def build_routes() -> Routes:
    surface = APIRouter()
    surface.include_router(system_router)
    # The marketers' console at /console and the offline API docs at /docs (console/).
    for router in console.ROUTERS:
        surface.include_router(router)
    surface.include_router(widget.router)
    surface.include_router(widget_offers.router)
    for version in ("v3", "v2"):
        for router in ENGAGE_ROUTERS:
            surface.include_router(
                router, prefix=f"/api/{version}", generate_unique_id_function=_operation_id(version)
            )
    # The record dialect at /schema/{type}/record (API.md §2).
    for router in RECORD_ROUTERS:
        surface.include_router(router, generate_unique_id_function=_operation_id("records"))
    for router in CAMPAIGN_ROUTERS:
        surface.include_router(router, generate_unique_id_function=_operation_id("campaigns"))
    return Routes(tuple(surface.routes))


def create_app(
    settings: Settings | None = None, *, background: bool = True, routes: Routes | None = None
) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level)
    state = assemble(settings)
    metrics = Metrics()  # this application's own, shown by /metrics

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        collector.settle_for_serving()
        # The embedded worker: every background loop in this process too, unless the
        # deployment runs `patron worker` processes for them (PATRON_EMBEDDED_WORKER=false).
        worker = Worker(state, metrics.registry) if background and settings.embedded_worker else None
        running = asyncio.create_task(worker.run(), name="embedded-worker") if worker else None
        try:
            yield
        finally:
            if worker is not None and running is not None:
                worker.stop()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            await state.limiter.close()
            await state.database.dispose()

    app = FastAPI(
        title="Patron",
        version=__version__,
        description="Self-hosted customer engagement and loyalty engine.",
        lifespan=lifespan,
        # Patron's metrics are its own (/metrics); FastAPI's OpenTelemetry hooks would only
        # look for providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # /docs is served from the copy of Swagger UI in the package (console.docs), not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.patron = state
    app.state.metrics = metrics
    handlers.install(app)
    openapi.install(app)
    app.router.routes.extend((routes or build_routes()).routes)
    console.install(app, state)
    # Outermost last: RequestContext wraps RateLimits wraps Boundary wraps the direct routes
    # and FastAPI's. A request over its limit is refused before the boundary opens anything.
    if settings.direct_routes:
        app.add_middleware(DirectRoutes, state=state, routes=app.routes, endpoints=DIRECT_ENDPOINTS)
    app.add_middleware(Boundary, state=state)
    if settings.rate_limits:
        app.add_middleware(RateLimits, state=state)
    # Pages of other origins: only the widget's, with a token of a key that names the origin.
    app.add_middleware(
        WidgetOrigins,
        origins=KeyOrigins(settings.auth_cache_seconds),
        sessions=state.database.read_sessions,
        base_url=settings.base_url,
    )
    app.add_middleware(
        RequestContext,
        max_body_bytes=settings.max_body_bytes,
        access_log_enabled=settings.access_log,
        metrics=metrics,
        form_paths=console.FORM_PATHS,
    )
    # Outside everything, so a refusal from any layer below still carries the page policy.
    app.add_middleware(PageHeaders)
    return app
