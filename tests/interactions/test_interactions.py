"""Interaction schemas and interactions through the API, on both databases: payloads checked
against the schema (a 400 naming the failing path, nothing stored), newest first with
continuation paging, the interaction.created event, deletes and erasure."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from patron.db.engine import Database
from tests.factories import make_contact_id
from tests.outbox.test_events import events, of_type

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}},
    },
    "required": ["sku"],
}


async def _schema(client: httpx.AsyncClient, admin: dict[str, str], schema_id: str = "return") -> None:
    made = await client.post(
        "/api/v3/interactionschemas",
        json={"id": schema_id, "displayName": "Return", "jsonSchema": SCHEMA, "showInContactCard": "true"},
        headers=admin,
    )
    assert made.status_code == 201, made.text


async def _interaction(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, payload: Any, created: str | None = None
) -> httpx.Response:
    body = {"contactId": contact, "schemaId": "return", "payload": payload}
    if created:
        body["createdDate"] = created
    return await client.post("/api/v3/interactions", json=body, headers=till)


async def test_a_schema_is_read_back_as_each_version_shows_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _schema(client, admin)
    v3 = (await client.get("/api/v3/interactionschemas/return", headers=till)).json()
    v2 = (await client.get("/api/v2/interactionschemas/return", headers=till)).json()
    assert v3 == {
        "id": "return",
        "displayName": "Return",
        "jsonSchema": SCHEMA,
        "showInContactCard": True,
        "addToSegmentation": False,
    }
    assert v2 == {"id": "return", "displayName": "Return", "jsonSchema": SCHEMA}
    listed = (await client.get("/api/v2/interactionschemas", headers=till)).json()
    assert listed == [{"id": "return", "displayName": "Return"}]


async def test_a_schema_that_is_no_json_schema_or_taken_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    bad = await client.post(
        "/api/v3/interactionschemas",
        json={"id": "x", "displayName": "X", "jsonSchema": {"type": 12}},
        headers=admin,
    )
    assert (bad.status_code, bad.json()["key"]) == (400, "InvalidInteractionSchema")
    await _schema(client, admin)
    again = await client.post(
        "/api/v3/interactionschemas",
        json={"id": "return", "displayName": "R", "jsonSchema": {}},
        headers=admin,
    )
    assert (again.status_code, again.json()["key"]) == (409, "InteractionSchemaAlreadyExists")


async def test_a_payload_its_schema_refuses_is_a_400_naming_the_path_and_stores_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    await _schema(client, admin)
    contact = await make_contact_id(client, till)
    refused = await _interaction(client, till, contact, {"sku": "A", "lines": [{"qty": 1}, {"qty": "two"}]})
    assert refused.status_code == 400
    assert refused.json()["key"] == "InvalidInteractionPayload"
    assert refused.json()["details"] == [
        {"field": "payload.lines[1].qty", "message": "'two' is not of type 'integer'"}
    ]
    missing = await _interaction(client, till, contact, {})
    assert missing.json()["details"][0]["field"] == "payload"
    listed = await client.get(
        "/api/v3/interactions", params={"contactId": contact, "schemaId": "return"}, headers=till
    )
    assert listed.json()["data"] == []
    assert of_type(await events(database, contact), "interaction.created") == []


async def test_interactions_read_newest_first_a_page_at_a_time(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _schema(client, admin)
    contact = await make_contact_id(client, till)
    for day in ("03", "01", "05", "02", "04"):
        stored = await _interaction(client, till, contact, {"sku": day}, f"2026-12-{day}T08:00:00+01:00")
        assert stored.status_code == 201, stored.text
    seen: list[str] = []
    url: str | None = "/api/v3/interactions"
    params: dict[str, Any] | None = {"contactId": contact, "schemaId": "return", "count": 2}
    while url is not None:
        page = (await client.get(url, params=params, headers=till)).json()
        seen += [item["payload"]["sku"] for item in page["data"]]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url, params = (following[0], None) if following else (None, None)
    assert seen == ["05", "04", "03", "02", "01"]
    v2 = (
        await client.get(
            "/api/v2/interactions", params={"contactId": contact, "schemaId": "return"}, headers=till
        )
    ).json()
    assert set(v2) == {"links", "items"}
    assert [item["payload"]["sku"] for item in v2["items"]] == seen


async def test_a_continuation_not_given_by_the_list_is_a_400(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _schema(client, admin)
    contact = await make_contact_id(client, till)
    bad = await client.get(
        "/api/v3/interactions",
        params={"contactId": contact, "schemaId": "return", "continuation": "not-a-token"},
        headers=till,
    )
    assert bad.status_code == 400


async def test_an_interaction_is_told_read_and_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    await _schema(client, admin)
    contact = await make_contact_id(client, till)
    created = (await _interaction(client, till, contact, {"sku": "A-1"})).json()
    assert created["self"]["href"] == f"http://patron.test/api/v3/interactions/{created['id']}"
    [told] = of_type(await events(database, contact), "interaction.created")
    assert (told.data["id"], told.data["payload"]) == (created["id"], {"sku": "A-1"})
    read = (await client.get(f"/api/v3/interactions/{created['id']}", headers=till)).json()
    assert (read["contactId"], read["schemaId"]) == (contact, "return")
    in_use = await client.delete("/api/v3/interactionschemas/return", headers=admin)
    assert (in_use.status_code, in_use.json()["key"]) == (409, "InteractionSchemaInUse")
    assert (await client.delete(f"/api/v3/interactions/{created['id']}", headers=till)).status_code == 204
    gone = await client.get(f"/api/v3/interactions/{created['id']}", headers=till)
    assert (gone.status_code, gone.json()["key"]) == (404, "InteractionNotFound")
    assert (await client.delete("/api/v3/interactionschemas/return", headers=admin)).status_code == 204


async def test_unknown_contacts_and_schemas_are_404s(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _schema(client, admin)
    unknown = await _interaction(client, till, str(uuid.uuid4()), {"sku": "A"})
    assert (unknown.status_code, unknown.json()["key"]) == (404, "ContactNotFound")
    contact = await make_contact_id(client, till)
    body = {"contactId": contact, "schemaId": "nope", "payload": {}}
    no_schema = await client.post("/api/v3/interactions", json=body, headers=till)
    assert (no_schema.status_code, no_schema.json()["key"]) == (404, "InteractionSchemaNotFound")


async def test_erasure_takes_a_contact_s_interactions(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _schema(client, admin)
    contact = await make_contact_id(client, till)
    created = (await _interaction(client, till, contact, {"sku": "A-1"})).json()
    assert (await client.delete(f"/api/v3/contacts/{contact}", headers=till)).status_code == 204
    assert (await client.get(f"/api/v3/interactions/{created['id']}", headers=till)).status_code == 404
