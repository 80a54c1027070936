"""Bad input gets a 400 in the one envelope, and nothing is stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

GUID = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"

# (method, path, query, JSON body or raw bytes)
MALFORMED: list[tuple[str, str, dict[str, Any], Any]] = [
    ("POST", "/api/v3/contacts", {}, {"email": "not-an-email"}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@b"}),
    ("POST", "/api/v3/contacts", {}, {"mobilePhone": "12"}),
    ("POST", "/api/v3/contacts", {}, {"mobilePhone": "+46 70 12"}),
    ("POST", "/api/v3/contacts", {}, {"firstName": "No key at all"}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "birthDay": "1990-13-45"}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "birthDay": 19900101}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "countryCode": "SWE"}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "firstName": 42}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "firstName": "x" * 201}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "preferences": {"acceptsEmail": "maybe"}}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "consents": [{"id": "x"}]}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "consents": "yes"}),
    ("POST", "/api/v3/contacts", {}, {"email": "a@example.com", "contactType": "Not a type!"}),
    ("POST", "/api/v3/contacts", {}, [{"email": "a@example.com"}]),
    ("POST", "/api/v3/contacts", {}, "just a string"),
    ("POST", "/api/v3/contacts", {}, b'{"email": "a@example.com"'),
    ("POST", "/api/v3/contacts", {}, b""),
    ("POST", "/api/v3/contacts/bulk", {}, {"not": "a list"}),
    ("POST", "/api/v3/contacts/bulk", {}, []),
    ("GET", "/api/v3/contacts/bulk/status", {"batchId": "nope"}, None),
    ("GET", "/api/v3/contacts/not-a-guid", {}, None),
    ("PATCH", f"/api/v3/contacts/{GUID}x", {}, {"firstName": "A"}),
    ("POST", "/api/v3/stores", {}, {"externalId": "S1"}),
    ("POST", "/api/v3/stores", {}, {"externalId": "S1", "name": "S", "type": "Floating"}),
    ("POST", "/api/v3/stores", {}, {"externalId": "", "name": "S"}),
    ("GET", "/api/v3/stores", {"count": 0}, None),
    ("GET", "/api/v3/stores", {"count": 1001}, None),
    ("GET", "/api/v3/stores", {"offset": -1}, None),
    ("GET", "/api/v3/stores", {"count": "ten"}, None),
]


@pytest.mark.parametrize(("method", "path", "query", "body"), MALFORMED)
async def test_malformed_request_is_400_in_the_envelope_and_stores_nothing(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    method: str,
    path: str,
    query: dict[str, Any],
    body: Any,
) -> None:
    headers = {**admin, "content-type": "application/json", "x-request-id": "req-1"}
    content = body if isinstance(body, bytes) else None
    json_body = None if isinstance(body, bytes) or body is None else body
    response = await client.request(
        method, path, params=query, json=json_body, content=content, headers=headers
    )
    assert response.status_code == 400, response.text
    error = response.json()
    assert set(error) == {"code", "key", "message", "details", "request_id"}
    assert error["code"] == 400
    assert error["key"] == "BadRequest"
    assert error["message"]
    assert error["request_id"] == "req-1"
    assert response.headers["x-request-id"] == "req-1"
    stores = (await client.get("/api/v3/stores", headers=admin)).json()
    assert stores["totalCount"] == 0
    lookup = await client.get("/api/v3/contacts/id", params={"email": "a@example.com"}, headers=admin)
    assert lookup.status_code == 404


async def test_validation_details_name_the_field(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    response = await client.post(
        "/api/v3/contacts", json={"email": "a@example.com", "birthDay": "soon"}, headers=till
    )
    details = response.json()["details"]
    assert [detail["field"] for detail in details] == ["birthDay"]
