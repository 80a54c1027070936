"""What the request context keeps belongs to its application: two built in one process count
their requests apart and draw request ids of their own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from patron.app import create_app
from tests.conftest import make_settings

_DURATION = "patron_http_request_duration_seconds"


@pytest.fixture
async def two_clients(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        clients = []
        for name in ("one", "other"):
            app = create_app(make_settings(database_url), background=False)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test")
                )
            )
        yield clients[0], clients[1]


async def _answered(http: httpx.AsyncClient, route: str) -> float:
    """How many requests to `route` the application's /metrics has counted."""
    text = (await http.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == _DURATION
        for sample in family.samples
        if sample.name == f"{_DURATION}_count" and sample.labels["route"] == route
    )


async def test_two_applications_count_their_requests_apart(
    two_clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    one, other = two_clients
    for _ in range(3):
        assert (await one.get("/healthz")).status_code == 200
    assert (await other.get("/healthz")).status_code == 200
    assert (await one.get("/no/such/path")).status_code == 404
    assert (await _answered(one, "/healthz"), await _answered(other, "/healthz")) == (3, 1)
    assert (await _answered(one, "unmatched"), await _answered(other, "unmatched")) == (1, 0)
    assert await _answered(one, "/metrics") == 2  # the two questions above, once answered


async def test_metrics_show_what_the_default_registry_shows_and_the_request_durations(
    two_clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    one, _ = two_clients
    response = await one.get("/metrics")
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    shown = [family.name for family in text_string_to_metric_families(response.text)]
    default = [family.name for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())]
    assert shown == [*default, _DURATION]


async def test_request_ids_are_drawn_by_each_application(
    two_clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    one, other = two_clients
    ids = [[(await http.get("/healthz")).headers["x-request-id"] for _ in range(5)] for http in (one, other)]
    everything = [request_id for made in ids for request_id in made]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in everything)
    assert len(set(everything)) == len(everything)
    assert {request_id[:16] for request_id in ids[0]} != {request_id[:16] for request_id in ids[1]}
    assert len({request_id[:16] for request_id in ids[0]}) == 1
    # A sane id the client sent is kept.
    assert (await one.get("/healthz", headers={"x-request-id": "till-7:42"})).headers[
        "x-request-id"
    ] == "till-7:42"
