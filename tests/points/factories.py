"""Point definitions as a test needs them, made through the API."""

from __future__ import annotations

import httpx


async def make_point_definition(client: httpx.AsyncClient, admin: dict[str, str], name: str = "Bonus") -> int:
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": name}, headers=admin)
    assert made.status_code == 200, made.text
    return int(made.json()["id"])
