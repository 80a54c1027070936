"""Oversized, malformed and abusive requests: each gets a 4xx in the error envelope and
stores nothing.

OVERSIZED_BATCHES lists the batch endpoints with their row caps; a new batch endpoint is one
more entry there. "Nothing stored" is checked over every table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import patron.models  # noqa: F401  (registers every table in the metadata)
from patron.db.engine import Database
from tests.challenges.factories import make_definition
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import promotion_body
from tests.stored_rows import stored_rows


def _assert_envelope(response: httpx.Response, status: int, key: str) -> None:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["code"] == status
    assert body["key"] == key
    assert body["message"]
    assert "request_id" in body


# What a batch's rows refer to, made before the batch is sent (a contact, a definition...).
Seeded = dict[str, Any]


async def _seed_nothing(client: httpx.AsyncClient, admin: dict[str, str]) -> Seeded:
    return {}


async def _seed_contact_and_challenge(client: httpx.AsyncClient, admin: dict[str, str]) -> Seeded:
    contact = await make_contact(client, admin)
    definition = await make_definition(client, admin, requiredNumberOfCheckpoints=5000)
    return {"contact": contact, "definition": definition["id"]}


async def _seed_contact_and_point_definition(client: httpx.AsyncClient, admin: dict[str, str]) -> Seeded:
    contact = await make_contact(client, admin)
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    assert made.status_code == 200, made.text
    return {"contact": contact, "definition": made.json()["id"]}


@dataclass(frozen=True)
class OversizedBatch:
    path: str
    rows: int
    # Row n of the batch, valid on its own, so only its size can refuse it.
    row: Callable[[int, Seeded], dict[str, Any]]
    status: int
    key: str
    seed: Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[Seeded]] = _seed_nothing


OVERSIZED_BATCHES = [
    OversizedBatch(
        "/api/v3/contacts/bulk", 4001, lambda n, seeded: {"externalId": f"E-{n}"}, 413, "PayloadTooLarge"
    ),
    OversizedBatch(
        "/api/v3/challenges/checkpoints",
        1001,
        lambda n, seeded: {
            "definitionId": seeded["definition"],
            "contactId": seeded["contact"],
            "checkpointAmount": 1,
        },
        413,
        "PayloadTooLarge",
        _seed_contact_and_challenge,
    ),
    OversizedBatch(
        "/api/v3/point-accounts/transactions",
        1001,
        lambda n, seeded: {"contactId": seeded["contact"], "definitionId": seeded["definition"], "amount": 1},
        413,
        "PayloadTooLarge",
        _seed_contact_and_point_definition,
    ),
    # The article upload states its cap in the request schema, so it is a validation failure.
    OversizedBatch(
        "/api/v3/articles",
        1001,
        lambda n, seeded: {"articleNumber": f"A-{n}", "name": "Trail shoe"},
        400,
        "BadRequest",
    ),
]


@pytest.mark.parametrize("batch", OVERSIZED_BATCHES, ids=lambda batch: f"{batch.path}-{batch.rows}")
async def test_a_batch_over_its_cap_is_refused_whole(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database, batch: OversizedBatch
) -> None:
    seeded = await batch.seed(client, admin)
    rows = [batch.row(n, seeded) for n in range(batch.rows)]
    before = await stored_rows(database)
    response = await client.post(batch.path, json=rows, headers=admin)
    _assert_envelope(response, batch.status, batch.key)
    assert await stored_rows(database) == before


@pytest.mark.parametrize("batch", OVERSIZED_BATCHES, ids=lambda batch: f"{batch.path}-{batch.rows - 1}")
async def test_a_batch_at_its_cap_is_accepted(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database, batch: OversizedBatch
) -> None:
    # The same rows one fewer: what the refusal above refused was the size alone.
    seeded = await batch.seed(client, admin)
    rows = [batch.row(n, seeded) for n in range(batch.rows - 1)]
    response = await client.post(batch.path, json=rows, headers=admin)
    assert response.status_code < 300, response.text[:300]


async def test_a_ten_megabyte_body_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    body = b'{"firstName": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v3/contacts", content=body, headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 413, "PayloadTooLarge")
    assert (await stored_rows(database))["contacts"] == 0


async def test_a_page_of_a_million_is_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.get("/api/v3/stores", params={"count": 10**6}, headers=admin)
    _assert_envelope(response, 400, "BadRequest")


async def test_json_nested_ten_thousand_deep_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    depth = 10_000
    body = '{"firstName": ' + "[" * depth + "]" * depth + "}"
    response = await client.post(
        "/api/v3/contacts", content=body.encode(), headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 400, "BadRequest")
    assert (await stored_rows(database))["contacts"] == 0


@pytest.mark.parametrize("path", ["/api/v3/receipts", "/api/v3/challenges/checkpoints", "/api/v3/contacts"])
@pytest.mark.parametrize("nested", ["[" * 999 + "]" * 999, '{"a": ' * 999 + "1" + "}" * 999])
async def test_a_small_body_nested_a_thousand_deep_is_refused_on_every_kind_of_route(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database, path: str, nested: str
) -> None:
    """2 KB of brackets: the direct routes (receipts, checkpoints) answer as FastAPI's do."""
    response = await client.post(
        path, content=nested.encode(), headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 400, "BadRequest")
    stored = await stored_rows(database)
    # The admin key alone, and the deployment's sealing key its secret was sealed with.
    assert {table: count for table, count in stored.items() if count} == {"api_keys": 1, "sealing_keys": 1}


async def test_a_hundred_thousand_character_field_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    response = await client.post("/api/v3/contacts", json={"firstName": "x" * 100_000}, headers=admin)
    _assert_envelope(response, 400, "BadRequest")
    assert (await stored_rows(database))["contacts"] == 0


async def test_a_body_that_is_not_utf8_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    body = b'{"firstName": "\xff\xfe\xc3("}'
    response = await client.post(
        "/api/v3/contacts", content=body, headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 400, "BadRequest")
    assert (await stored_rows(database))["contacts"] == 0


async def test_a_body_that_is_not_json_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    response = await client.post(
        "/api/v3/contacts", content=b"firstName=Ann", headers={**admin, "content-type": "text/plain"}
    )
    _assert_envelope(response, 415, "UnsupportedMediaType")
    assert (await stored_rows(database))["contacts"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v3/contacts/bulk", [{"externalId": "E-\u0000"}]),
        ("POST", "/api/v3/contacts", {"externalId": "E-\u0000"}),
        ("GET", "/api/v3/contacts/id?externalId=E-%00", None),
        ("POST", "/api/v3/articles", [{"articleNumber": "A-\u0000", "name": "Trail shoe"}]),
        ("POST", "/api/v3/point-accounts/definitions", {"name": "Bonus \u0000"}),
        (
            "POST",
            "/api/v3/challenges/definitions",
            {"name": "Dog \u0000 food", "requiredNumberOfCheckpoints": 5},
        ),
        ("POST", "/api/v3/promotions/multichannels", promotion_body(name="20% \u0000 off")),
    ],
    ids=["bulk", "create", "lookup", "article", "point definition", "challenge definition", "promotion"],
)
async def test_a_nul_character_is_never_a_server_error(
    client: httpx.AsyncClient, admin: dict[str, str], method: str, path: str, body: Any
) -> None:
    # PostgreSQL cannot store NUL in text; SQLite can. Either way the answer is not a 5xx.
    response = await client.request(method, path, json=body, headers=admin)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert response.json()["key"] in {"BadRequest", "ContactNotFound"}
