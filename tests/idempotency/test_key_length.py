"""An Idempotency-Key is taken whole or refused: a key cut short could be another key."""

from __future__ import annotations

import httpx

from patron.api.boundary import MAX_IDEMPOTENCY_KEY


async def test_a_key_longer_than_the_stored_column_is_refused_and_nothing_is_done(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    shared = "k" * MAX_IDEMPOTENCY_KEY
    for suffix, email in (("-first", "first@example.com"), ("-second", "second@example.com")):
        headers = {**till, "Idempotency-Key": shared + suffix}
        refused = await client.post("/api/v3/contacts", json={"email": email}, headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["key"] == "BadRequest"
        assert refused.json()["details"][0]["field"] == "Idempotency-Key"
        found = await client.get("/api/v3/contacts/id", params={"email": email}, headers=till)
        assert found.status_code == 404


async def test_a_key_of_the_longest_length_is_kept_whole(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    headers = {**till, "Idempotency-Key": "k" * MAX_IDEMPOTENCY_KEY}
    created = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert created.status_code == 201
    replayed = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert replayed.headers.get("idempotent-replayed") == "true"
    assert replayed.json()["id"] == created.json()["id"]
