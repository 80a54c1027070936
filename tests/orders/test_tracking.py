"""Carts and product views tracked through the API on both databases, PascalCase keys taken,
and the abandoned-cart job: a cart no order follows within the minutes is told once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from patron.db.engine import Database
from patron.kit import clock
from patron.state import AppState
from patron.worker import carts
from tests.clock import frozen_at
from tests.factories import make_contact_id
from tests.orders.test_orders import order
from tests.outbox.test_events import events, of_type


def pascal_cart(contact: str, reference: str = "cart-1") -> dict[str, object]:
    return {
        "CartReference": reference,
        "ContactId": contact,
        "Time": "2026-12-01T10:00:00Z",
        "Language": "sv-SE",
        "Url": "https://shop.test/cart",
        "Items": [{"Sku": "SKU-1", "Quantity": 2}, {"Sku": "SKU-2", "Quantity": "1"}],
    }


async def test_a_pascal_case_cart_is_taken(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    contact = await make_contact_id(client, till)
    taken = await client.post("/api/v3/tracking/carts", json=pascal_cart(contact), headers=till)
    assert (taken.status_code, taken.json()) == (200, {"request": {}})
    batch = [pascal_cart(contact, "cart-2"), {"cartReference": "cart-3", "contactId": contact, "items": []}]
    assert (await client.post("/api/v2/tracking/carts/batch", json=batch, headers=till)).status_code == 200


async def test_tracking_of_an_unknown_contact_is_a_404_and_stores_nothing(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState, database: Database
) -> None:
    contact = await make_contact_id(client, till)
    batch = [pascal_cart(contact), pascal_cart(str(uuid.uuid4()))]
    refused = await client.post("/api/v3/tracking/carts/batch", json=batch, headers=till)
    assert (refused.status_code, refused.json()["key"]) == (404, "ContactNotFound")
    with frozen_at(clock.now() + timedelta(days=1)):
        assert await carts.run_once(state) == 0


async def test_product_views_are_taken(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    contact = await make_contact_id(client, till)
    view = {
        "ItemId": "SKU-1",
        "ContactId": contact,
        "Category": "Shoes",
        "NewSession": "true",
        "Utm": [{"Key": "utm_source", "Value": "mail"}],
    }
    assert (await client.post("/api/v3/tracking/productview", json=view, headers=till)).status_code == 200
    views = [{"itemId": f"SKU-{n}", "contactId": contact} for n in range(3)]
    assert (await client.post("/api/v2/tracking/productviews", json=views, headers=till)).status_code == 200
    bad = await client.post(
        "/api/v3/tracking/productview", json={"ItemId": "A", "ContactId": "x"}, headers=till
    )
    assert bad.status_code == 400


async def test_a_cart_no_order_follows_is_told_abandoned_once(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState, database: Database
) -> None:
    left, bought = await make_contact_id(client, till), await make_contact_id(client, till)
    for contact in (left, bought):
        assert (
            await client.post("/api/v3/tracking/carts", json=pascal_cart(contact), headers=till)
        ).status_code == 200
    await client.post("/api/v3/orders", json=order(bought), headers=till)
    wait = timedelta(minutes=state.settings.abandoned_cart_minutes)
    with frozen_at(clock.now() + wait - timedelta(minutes=1)):
        assert await carts.run_once(state) == 0
    with frozen_at(clock.now() + wait + timedelta(minutes=1)):
        assert await carts.run_once(state) == 1
        assert await carts.run_once(state) == 0
    [told] = of_type(await events(database), "cart.abandoned")
    assert (told.data["contactId"], told.data["cartReference"]) == (left, "cart-1")
    assert [i["sku"] for i in told.data["items"]] == ["SKU-1", "SKU-2"]


async def test_a_cart_posted_again_is_judged_again(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState, database: Database
) -> None:
    contact = await make_contact_id(client, till)
    await client.post("/api/v3/tracking/carts", json=pascal_cart(contact), headers=till)
    later = clock.now() + timedelta(minutes=state.settings.abandoned_cart_minutes + 1)
    with frozen_at(later):
        assert await carts.run_once(state) == 1
        await client.post("/api/v3/tracking/carts", json=pascal_cart(contact), headers=till)
    with frozen_at(later + timedelta(minutes=state.settings.abandoned_cart_minutes + 1)):
        assert await carts.run_once(state) == 1
    assert len(of_type(await events(database, contact), "cart.abandoned")) == 2
