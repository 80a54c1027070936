"""Links point where the client addressed Patron when no PATRON_BASE_URL is configured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from patron.app import create_app
from tests.conftest import make_settings
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import make_store, receipt


@pytest.fixture
async def unconfigured(database_url: str, client: httpx.AsyncClient) -> AsyncIterator[httpx.ASGITransport]:
    app = create_app(make_settings(database_url, base_url=""), background=False)
    async with app.router.lifespan_context(app):
        yield httpx.ASGITransport(app=app)


@pytest.mark.parametrize("address", ["http://till.example:8080", "https://loyalty.example.com"])
async def test_links_follow_the_address_the_client_used(
    unconfigured: httpx.ASGITransport,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    address: str,
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    async with httpx.AsyncClient(transport=unconfigured, base_url=address) as http:
        for version in ("v3", "v2"):
            created = await http.post(f"/api/{version}/receipts", json=receipt(contact, store), headers=till)
            assert created.status_code == 201, created.text
            receipt_id = created.json()["id"]
            assert created.json()["links"] == [
                {"href": f"{address}/api/{version}/receipts/{receipt_id}", "method": "GET", "rel": "self"}
            ]
        page = await http.get(f"/api/v3/contacts/{contact}/transactions", params={"count": 1}, headers=till)
        assert (
            page.json()["links"][1]["href"]
            == f"{address}/api/v3/contacts/{contact}/transactions?offset=1&count=1"
        )
