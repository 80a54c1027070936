"""The floor under Patron's hottest routes: the same statements and about the same JSON, with
no framework.

A plain ASGI callable under the same uvicorn, with as many processes as Patron gets: no
routing table, middleware, authentication, validation, ORM or business rules. The till's hot
read is one prepared asyncpg statement and `json.dumps`; a receipt is `json.loads` and the
raw-SQL baseline's statements (receipt, lines, payment) in one transaction, with the body's
values; a redeem locks the assignment (reading its promotion), checks it and updates it in one
transaction; a challenge log is the raw-SQL baseline's log insert and progress upsert in one
transaction; an end user's challenge progress is their progress rows with their challenges and
the rows' logs, two statements; a customer's reward progress is the contact by its
externalId, then its campaigns' rules and actions with its rows. Whatever this reaches bounds what any implementation in Python can reach on the
same machine.

    FLOOR_DSN=postgresql://... uvicorn floor_server:app --app-dir bench --workers 2
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import asyncpg
from baselines import LINES, LOG_INSERT, PAYMENT, PROGRESS_UPSERT, RECEIPT

VISIBLE_OFFERS = """
SELECT a.id, a.expires_on, a.redeemed_on, p.id AS promotion_id, p.external_id, p.name,
       p.heading, p.description, p.image_url, p.link, p.redemption_channels
FROM promotion_assignments AS a JOIN promotions AS p ON p.id = a.promotion_id
WHERE a.contact_id = $1 AND (a.expires_on IS NULL OR a.expires_on >= $2)
  AND p.state = 'Active' AND p.starts_at <= $2 AND (p.ends_at IS NULL OR p.ends_at >= $2)
ORDER BY a.assigned_on, a.id
"""
LOCK_ASSIGNMENT = """
SELECT a.id, a.expires_on, a.redeemed_on, p.id AS promotion_id, p.external_id, p.name, p.heading,
       p.description, p.image_url, p.link, p.redemption_channels, p.state, p.ends_at
FROM promotion_assignments AS a JOIN promotions AS p ON p.id = a.promotion_id
WHERE a.id = $1 FOR UPDATE OF a
"""
REDEEM = "UPDATE promotion_assignments SET redeemed_on = $2, redemption_channel = $3 WHERE id = $1"
# An end user's challenge progress: their rows with each one's challenge, then the rows' logs.
MEMBER_PROGRESS = """
SELECT p.id, p.definition_id, p.period_key, p.value, p.status, p.started_at, p.completed_at,
       p.period_start, p.period_end, d.completion_target, d.eud
FROM record_progress AS p JOIN record_definitions AS d ON d.id = p.definition_id
WHERE p.contact_id = $1 AND p.kind = 'challenge'
ORDER BY p.modified_on DESC, p.id LIMIT 20
"""
PERIOD_LOGS = """
SELECT id, definition_id, period_key, activity_at, activity_value, unique_identifier
FROM record_logs
WHERE contact_id = $1 AND (definition_id, period_key) IN (SELECT * FROM unnest($2::uuid[], $3::text[]))
ORDER BY activity_at, id
"""
# A customer's reward progress: the contact by its externalId, then every current rule and
# action of the campaigns it has progress in, with its rows (the campaigns dialect).
CUSTOMER_BY_SOURCE = "SELECT id FROM contacts WHERE external_id = $1"
CUSTOMER_PROGRESS = """
SELECT c.id AS campaign_id, c.name AS campaign_name, c.type, r.id AS rule_id, r.name AS rule_name,
       r.action_type, a.id AS action_id, a.event_name, a.target, ap.value, ap.completed_at
FROM campaigns AS c
JOIN campaign_rules AS r ON r.campaign_id = c.id AND r.retired_on IS NULL
JOIN campaign_actions AS a ON a.rule_id = r.id
LEFT JOIN campaign_action_progress AS ap ON ap.contact_id = $1 AND ap.action_id = a.id AND ap.side = 'self'
WHERE c.id IN (SELECT campaign_id FROM campaign_rule_progress WHERE contact_id = $1)
ORDER BY c.created_on, c.id, r.position, a.position
"""
CONSTANT = b'{"status":"ok"}'
_pool: asyncpg.Pool | None = None


def _item(
    row: asyncpg.Record, channels: list[dict[str, Any]], redeemed_on: datetime | None
) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "promotionId": str(row["promotion_id"]),
        "externalId": row["external_id"],
        "name": row["name"],
        "expiresOn": row["expires_on"].isoformat() if row["expires_on"] else None,
        "heading": row["heading"],
        "description": row["description"],
        "redeemed": redeemed_on is not None,
        "redeemedOn": redeemed_on.isoformat() if redeemed_on else None,
        "imageUrl": row["image_url"],
        "link": row["link"],
        "redemptionChannels": channels,
    }


async def _offers(contact_id: uuid.UUID, channel: str | None) -> bytes:
    assert _pool is not None
    rows = await _pool.fetch(VISIBLE_OFFERS, contact_id, datetime.now(UTC))
    items: list[dict[str, Any]] = []
    for row in rows:
        channels = json.loads(row["redemption_channels"])
        if channel and not any(entry["type"] == channel for entry in channels):
            continue
        items.append(_item(row, channels, row["redeemed_on"]))
    return json.dumps(items).encode()


async def _redeem(assignment_id: uuid.UUID, body: bytes) -> tuple[bytes, int]:
    """Lock the assignment (reading its promotion), check it, mark it redeemed, commit."""
    assert _pool is not None
    channel, now = json.loads(body)["redemptionChannel"], datetime.now(UTC)
    async with _pool.acquire() as connection, connection.transaction():
        row = await connection.fetchrow(LOCK_ASSIGNMENT, assignment_id)
        if row is None:
            return b'{"key":"PromotionNotFound"}', 404
        channels = json.loads(row["redemption_channels"])
        if row["redeemed_on"] is not None:
            return b'{"key":"PromotionAlreadyRedeemed"}', 409
        expired = row["expires_on"] is not None and row["expires_on"] < now
        if expired or row["state"] != "Active" or (row["ends_at"] is not None and row["ends_at"] < now):
            return b'{"key":"PromotionExpired"}', 409
        if not any(entry["type"] == channel for entry in channels):
            return b'{"key":"PromotionNotValidForRedemptionChannel"}', 409
        await connection.execute(REDEEM, assignment_id, now, channel)
    return json.dumps(_item(row, channels, now)).encode(), 200


async def _progress(contact_id: uuid.UUID) -> bytes:
    """The member's progress rows and their windows' logs, two statements, as plain JSON."""
    assert _pool is not None
    rows = await _pool.fetch(MEMBER_PROGRESS, contact_id)
    logs = await _pool.fetch(
        PERIOD_LOGS, contact_id, [row["definition_id"] for row in rows], [row["period_key"] for row in rows]
    )
    by_period: dict[tuple[uuid.UUID, str], list[dict[str, Any]]] = {}
    for log in logs:
        by_period.setdefault((log["definition_id"], log["period_key"]), []).append(
            {
                "id": str(log["id"]),
                "activityAt": log["activity_at"].isoformat(),
                "activityValue": float(log["activity_value"] or 0),
                "uniqueIdentifier": log["unique_identifier"],
            }
        )
    data = [
        {
            "id": str(row["id"]),
            "challengeId": str(row["definition_id"]),
            "ownedById": str(contact_id),
            "currentProgressValue": float(row["value"]),
            "challengeProgressStatus": row["status"],
            "challengeStartedAt": row["started_at"].isoformat(),
            "challengeCompletedAt": row["completed_at"].isoformat() if row["completed_at"] else None,
            "periodStart": row["period_start"].isoformat(),
            "periodEnd": row["period_end"].isoformat(),
            "periodKey": row["period_key"],
            "nextRemainingValue": float(row["completion_target"] - row["value"]),
            "eud": json.loads(row["eud"]) if isinstance(row["eud"], str) else row["eud"],
            "taskProgress": by_period.get((row["definition_id"], row["period_key"]), []),
        }
        for row in rows
    ]
    return json.dumps({"data": data, "paging": {"offset": 0, "limit": 20}}).encode()


async def _reward_progress(source_id: str) -> bytes:
    """The customer's campaigns, rules and actions with current, target and progress, two statements."""
    assert _pool is not None
    contact = await _pool.fetchval(CUSTOMER_BY_SOURCE, source_id)
    campaigns: dict[str, dict[str, Any]] = {}
    rules: dict[str, dict[str, Any]] = {}
    for row in await _pool.fetch(CUSTOMER_PROGRESS, contact):
        campaign = campaigns.setdefault(
            row["campaign_id"],
            {
                "campaign_id": row["campaign_id"],
                "campaign_name": row["campaign_name"],
                "campaign_type": row["type"],
                "rules": [],
            },
        )
        if row["rule_id"] not in rules:
            rules[row["rule_id"]] = {
                "rule_id": row["rule_id"],
                "rule_name": row["rule_name"],
                "action_type": row["action_type"],
                "actions": [],
            }
            campaign["rules"].append(rules[row["rule_id"]])
        current = row["value"] or Decimal(0)
        rules[row["rule_id"]]["actions"].append(
            {
                "event_id": row["action_id"],
                "event_name": row["event_name"],
                "progress": min(100, int(current * 100 // row["target"])),
                "trigger": False,
                "status": "completed" if row["completed_at"] else "active",
                "current": float(current),
                "target": float(row["target"]),
            }
        )
    return json.dumps(list(campaigns.values())).encode()


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _receipt(body: bytes) -> bytes:
    assert _pool is not None
    receipt = json.loads(body)
    receipt_id, contact = uuid.uuid4(), uuid.UUID(receipt["contact"]["matchKey"])
    created = datetime.fromisoformat(receipt["createdDate"])
    lines = [
        (
            uuid.uuid4(),
            receipt_id,
            contact,
            position,
            item["sku"],
            item["articleNumber"],
            item["articleName"],
            Decimal(str(item["grossPaidPrice"])),
            Decimal(str(item["taxAmount"])),
        )
        for position, item in enumerate(receipt["items"])
    ]
    async with _pool.acquire() as connection, connection.transaction():
        await connection.execute(
            RECEIPT,
            receipt_id,
            receipt["uniqueReceiptId"],
            "0" * 64,
            contact,
            receipt["storeExternalId"],
            receipt["receiptNumber"],
            created,
        )
        await connection.executemany(LINES, lines)
        await connection.execute(PAYMENT, uuid.uuid4(), receipt_id, contact)
    return json.dumps({"id": str(receipt_id), "uniqueReceiptId": receipt["uniqueReceiptId"]}).encode()


async def _challenge_log(body: bytes) -> bytes:
    """The raw-SQL baseline's log insert and progress upsert in one transaction, with the body's
    challenge, member and uniqueIdentifier, in the current month (UTC)."""
    assert _pool is not None
    log = json.loads(body)
    log_id, contact, definition = uuid.uuid4(), uuid.UUID(log["ownedById"]), uuid.UUID(log["challengeId"])
    now = datetime.now(UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    key = month_start.strftime("%Y-%m")
    async with _pool.acquire() as connection, connection.transaction():
        await connection.execute(LOG_INSERT, contact, log_id, definition, now, log["uniqueIdentifier"], key)
        await connection.execute(
            PROGRESS_UPSERT, contact, definition, key, uuid.uuid4(), now, month_start, month_end
        )
    return json.dumps(
        {
            "data": {
                "id": str(log_id),
                "challengeId": str(definition),
                "ownedById": str(contact),
                "periodKey": key,
            }
        }
    ).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            # One connection per request in flight, as Patron's pool in the benchmark.
            size = int(os.environ.get("FLOOR_POOL_SIZE", "16"))
            _pool = await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=1, max_size=size)
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    status = 200
    if scope["path"] == "/healthz":
        body = CONSTANT
    elif scope["method"] == "POST" and scope["path"].endswith("/redeem"):
        assignment_id = uuid.UUID(scope["path"].split("/")[-2])
        body, status = await _redeem(assignment_id, await _body(receive))
    elif scope["method"] == "POST" and scope["path"] == "/schema/challenge_log/record":
        body, status = await _challenge_log(await _body(receive)), 201
    elif scope["method"] == "POST":
        body, status = await _receipt(await _body(receive)), 201
    elif scope["path"] == "/campaigns/reward-progress":
        query = parse_qs(scope["query_string"].decode())
        body = await _reward_progress(query["source_id"][0])
    elif scope["path"] == "/schema/challenge_progress/record":
        query = parse_qs(scope["query_string"].decode())
        body = await _progress(uuid.UUID(query["contactId"][0]))
    else:
        query = parse_qs(scope["query_string"].decode())
        channel = query.get("redemptionChannelType", [None])[0]
        body = await _offers(uuid.UUID(query["contactId"][0]), channel)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
