"""Oversized, malformed and abusive requests: each gets a 4xx in the error envelope and
stores nothing.

OVERSIZED_BATCHES lists the batch endpoints with their row caps; a new batch endpoint is one
more entry there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from patron.db.engine import Database

STORED_TABLES = ["contacts", "contact_imports", "stores", "idempotency_records"]


async def _stored_rows(database: Database) -> dict[str, int]:
    async with database.read_engine.connect() as connection:
        return {
            table: int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
            for table in STORED_TABLES
        }


def _assert_envelope(response: httpx.Response, status: int, key: str) -> None:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["code"] == status
    assert body["key"] == key
    assert body["message"]
    assert "request_id" in body


@dataclass(frozen=True)
class OversizedBatch:
    path: str
    rows: int
    row: dict[str, Any]
    status: int
    key: str


OVERSIZED_BATCHES = [
    OversizedBatch("/api/v3/contacts/bulk", 4001, {"externalId": "E-{n}"}, 413, "PayloadTooLarge"),
]


@pytest.mark.parametrize("batch", OVERSIZED_BATCHES, ids=lambda batch: f"{batch.path}-{batch.rows}")
async def test_a_batch_over_its_cap_is_refused_whole(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database, batch: OversizedBatch
) -> None:
    rows = [{key: value.format(n=n) for key, value in batch.row.items()} for n in range(batch.rows)]
    before = await _stored_rows(database)
    response = await client.post(batch.path, json=rows, headers=admin)
    _assert_envelope(response, batch.status, batch.key)
    assert await _stored_rows(database) == before


async def test_a_ten_megabyte_body_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    body = b'{"firstName": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/api/v3/contacts", content=body, headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 413, "PayloadTooLarge")
    assert (await _stored_rows(database))["contacts"] == 0


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
    assert (await _stored_rows(database))["contacts"] == 0


async def test_a_hundred_thousand_character_field_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    response = await client.post("/api/v3/contacts", json={"firstName": "x" * 100_000}, headers=admin)
    _assert_envelope(response, 400, "BadRequest")
    assert (await _stored_rows(database))["contacts"] == 0


async def test_a_body_that_is_not_utf8_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    body = b'{"firstName": "\xff\xfe\xc3("}'
    response = await client.post(
        "/api/v3/contacts", content=body, headers={**admin, "content-type": "application/json"}
    )
    _assert_envelope(response, 400, "BadRequest")
    assert (await _stored_rows(database))["contacts"] == 0


async def test_a_body_that_is_not_json_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    response = await client.post(
        "/api/v3/contacts", content=b"firstName=Ann", headers={**admin, "content-type": "text/plain"}
    )
    _assert_envelope(response, 415, "UnsupportedMediaType")
    assert (await _stored_rows(database))["contacts"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v3/contacts/bulk", [{"externalId": "E-\u0000"}]),
        ("POST", "/api/v3/contacts", {"externalId": "E-\u0000"}),
        ("GET", "/api/v3/contacts/id?externalId=E-%00", None),
    ],
    ids=["bulk", "create", "lookup"],
)
async def test_a_nul_character_is_never_a_server_error(
    client: httpx.AsyncClient, admin: dict[str, str], method: str, path: str, body: Any
) -> None:
    # PostgreSQL cannot store NUL in text; SQLite can. Either way the answer is not a 5xx.
    response = await client.request(method, path, json=body, headers=admin)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert response.json()["key"] in {"BadRequest", "ContactNotFound"}
