"""Every JSON body, on every route, before any route reads it (api/json_bodies.py): a key twice
in one object is refused, and so is nesting past 64 levels; the direct routes and the bulk
import (whose rows are checked later) included."""

from __future__ import annotations

import httpx
import pytest

from patron.api.json_bodies import MAX_DEPTH
from tests.factories import make_contact_id
from tests.receipts.factories import make_store, receipt

ROUTES = [
    "/api/v3/receipts",
    "/api/v3/challenges/checkpoints",
    "/api/v3/contacts",
    "/api/v3/contacts/bulk",
    "/api/v2/promotion-assignments",
]


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def _post(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: bytes) -> httpx.Response:
    return await client.post(path, content=body, headers={**headers, "content-type": "application/json"})


@pytest.mark.parametrize("path", ROUTES)
async def test_a_body_nested_past_the_limit_is_refused_on_every_kind_of_route(
    client: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    refused = await _post(client, admin, path, _nested(MAX_DEPTH + 1))
    assert refused.status_code == 400, refused.text
    assert refused.json()["key"] == "BadRequest"
    assert f"deeper than {MAX_DEPTH}" in refused.json()["message"]
    # At the limit the body reaches the route, which refuses it for its shape (or, the bulk
    # import, takes it and reports its rows in the batch status), not for its depth.
    at_limit = await _post(client, admin, path, _nested(MAX_DEPTH))
    assert at_limit.status_code in (202, 400, 422), at_limit.text
    assert "deeper than" not in at_limit.text


async def test_a_bulk_import_of_deep_rows_starts_no_batch(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    refused = await _post(client, admin, "/api/v3/contacts/bulk", b"[" + _nested(999) + b"]")
    assert refused.status_code == 400, refused.text
    assert "batchId" not in refused.text


async def test_a_key_sent_twice_is_refused_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    # The second totalGrossPrice would win in Python, the first in some tills' parsers.
    text = receipt(contact, store)
    body = httpx.Request("POST", "/", json=text).content.replace(
        b'"totalGrossPrice":', b'"totalGrossPrice": 1e9, "totalGrossPrice":', 1
    )
    refused = await _post(client, till, "/api/v3/receipts", body)
    assert refused.status_code == 400, refused.text
    assert "'totalGrossPrice' appears twice" in refused.json()["message"]
    assert (await client.get(f"/api/v3/contacts/{contact}/transactions", headers=till)).json()["items"] == []
    nested = b'{"email": "twice@example.com", "preferences": {"acceptsEmail": true, "acceptsEmail": false}}'
    refused = await _post(client, till, "/api/v3/contacts", nested)
    assert refused.status_code == 400, refused.text
    assert "'acceptsEmail' appears twice" in refused.json()["message"]
    # The same keys in different objects are no duplicates.
    stored = await _post(client, till, "/api/v3/receipts", httpx.Request("POST", "/", json=text).content)
    assert stored.status_code == 201, stored.text
