"""The floor under the till's hot read: the same query and about the same JSON, with no framework.

A plain ASGI callable under the same uvicorn, with as many processes as Patron gets: no
routing table, middleware, authentication, validation or ORM, one prepared asyncpg statement
per request and `json.dumps`. Whatever this reaches against its own constant route bounds
what any implementation of the hot read in Python can reach on the same machine.

    FLOOR_DSN=postgresql://... uvicorn floor_server:app --app-dir bench --workers 2
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import asyncpg

VISIBLE_OFFERS = """
SELECT a.id, a.expires_on, a.redeemed_on, p.id AS promotion_id, p.external_id, p.name,
       p.heading, p.description, p.image_url, p.link, p.redemption_channels
FROM promotion_assignments AS a JOIN promotions AS p ON p.id = a.promotion_id
WHERE a.contact_id = $1 AND (a.expires_on IS NULL OR a.expires_on >= $2)
  AND p.state = 'Active' AND p.starts_at <= $2 AND (p.ends_at IS NULL OR p.ends_at >= $2)
ORDER BY a.assigned_on, a.id
"""
CONSTANT = b'{"status":"ok"}'
_pool: asyncpg.Pool | None = None


async def _offers(contact_id: uuid.UUID, channel: str | None) -> bytes:
    assert _pool is not None
    rows = await _pool.fetch(VISIBLE_OFFERS, contact_id, datetime.now(UTC))
    items: list[dict[str, Any]] = []
    for row in rows:
        channels = json.loads(row["redemption_channels"])
        if channel and not any(entry["type"] == channel for entry in channels):
            continue
        items.append(
            {
                "id": str(row["id"]),
                "promotionId": str(row["promotion_id"]),
                "externalId": row["external_id"],
                "name": row["name"],
                "expiresOn": row["expires_on"].isoformat() if row["expires_on"] else None,
                "heading": row["heading"],
                "description": row["description"],
                "redeemed": row["redeemed_on"] is not None,
                "redeemedOn": row["redeemed_on"].isoformat() if row["redeemed_on"] else None,
                "imageUrl": row["image_url"],
                "link": row["link"],
                "redemptionChannels": channels,
            }
        )
    return json.dumps(items).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            # Patron's pool size in the benchmark: 16 connections per process.
            _pool = await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=4, max_size=16)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        body = CONSTANT
    else:
        query = parse_qs(scope["query_string"].decode())
        channel = query.get("redemptionChannelType", [None])[0]
        body = await _offers(uuid.UUID(query["contactId"][0]), channel)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
