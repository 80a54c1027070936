"""The reward log: each reward's row says what earned it (source, threshold, window), what was
promised, when it was issued and what paid it; `GET /contacts/{id}/rewards` renders those rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from patron.db.engine import Database
from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_promotion
from tests.rewards.reads import assignments, point_definitions, point_transactions, reward_rows

CHECKPOINTS = "/api/v3/challenges/checkpoints"


async def test_completion_and_checkpoint_rewards_are_logged_with_what_paid_them(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    """A recurring card of four, a promotion at the second checkpoint and 25 "Stars" on completion;
    checkpoints of 2, 2 and 3 pay the promotion in cycle 0, the points in cycle 0 and the
    promotion again in cycle 1."""
    offer = await make_promotion(client, admin, name="Free coffee")
    stars = await client.post("/api/v3/point-accounts/definitions", json={"name": "Stars"}, headers=admin)
    assert stars.status_code == 200, stars.text
    stars_id = stars.json()["id"]
    promotion_reward = {"type": "promotion", "promotionId": offer["id"]}
    points_reward = {"type": "points", "amount": 25, "definitionId": stars_id}
    definition = await make_definition(
        client,
        admin,
        name="Coffee card",
        requiredNumberOfCheckpoints=4,
        isRecurring=True,
        rewards={
            "onCompletion": points_reward,
            "checkpoints": [{"atCheckpoint": 2, "reward": promotion_reward}],
        },
    )
    contact = await make_contact(client, till)

    issued_between: list[tuple[datetime, datetime]] = []
    for amount in (2, 2, 3):
        before = datetime.now(UTC)
        row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": amount}
        answer = await client.post(CHECKPOINTS, json=[row], headers=till)
        assert (answer.status_code, answer.json()["notAccepted"]) == (200, [])
        issued_between.append((before, datetime.now(UTC)))
    found = await challenges_of(client, till, contact)
    assert sorted((c["status"], c["completedCheckpoints"]) for c in found) == [(1, 3), (2, 4)]

    # The log, in the order the rewards were earned: (threshold, window) and the request that earned it.
    rows = sorted(await reward_rows(database, contact), key=lambda r: r.issued_on)
    assert [(r.threshold, r.period_key) for r in rows] == [
        ("checkpoint:2", "0"),
        ("completion", "0"),
        ("checkpoint:2", "1"),
    ]
    for row, (before, after) in zip(rows, issued_between, strict=True):
        assert before <= row.issued_on <= after
        assert (str(row.contact_id), row.source_type, row.source_id) == (
            contact,
            "challenge",
            definition["id"],
        )
    first_offer, points, second_offer = rows

    paid_assignments = sorted(await assignments(database, contact), key=lambda a: a.assigned_on)
    assert [str(a.promotion_id) for a in paid_assignments] == [offer["id"]] * 2
    for row, assignment in zip((first_offer, second_offer), paid_assignments, strict=True):
        assert (row.reward_type, row.promotion_id, row.points, row.point_definition_id) == (
            "promotion",
            offer["id"],
            None,
            None,
        )
        assert (row.promotion_assignment_id, row.point_transaction_id) == (str(assignment.id), None)
        assert row.details == {"reward": promotion_reward}

    [transaction] = await point_transactions(database, contact)
    assert transaction.amount == Decimal(25)
    assert (points.reward_type, points.promotion_id, points.points, points.point_definition_id) == (
        "points",
        None,
        Decimal(25),
        stars_id,
    )
    assert (points.point_transaction_id, points.promotion_assignment_id) == (transaction.id, None)
    assert points.details["reward"]["type"] == "points"
    assert Decimal(str(points.details["reward"]["amount"])) == 25
    assert points.details["reward"]["definitionId"] == stars_id
    assert "unpaid" not in points.details
    # The reward named its definition: the default "Points" is not made.
    assert [d.name for d in await point_definitions(database)] == ["Stars"]
    credited = await client.get(
        "/api/v3/point-accounts/transactions",
        params={"contactId": contact, "definitionId": stars_id},
        headers=till,
    )
    assert [(t["id"], t["source"], Decimal(str(t["amount"]))) for t in credited.json()["items"]] == [
        (transaction.id, "reward", Decimal(25))
    ]

    # The API's list: newest first, each item rendering its row.
    listed = await client.get(f"/api/v3/contacts/{contact}/rewards", headers=till)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["totalCount"] == 3
    items: list[dict[str, Any]] = body["items"]
    assert [item["id"] for item in items] == [str(r.id) for r in reversed(rows)]
    for item, row in zip(items, reversed(rows), strict=True):
        assert item["contactId"] == contact
        assert item["source"] == {"type": "challenge", "id": definition["id"]}
        assert (item["threshold"], item["window"]) == (row.threshold, row.period_key)
        assert datetime.fromisoformat(item["issuedOn"]) == row.issued_on
        assert (item["promotionAssignmentId"], item["pointTransactionId"]) == (
            row.promotion_assignment_id,
            row.point_transaction_id,
        )
        assert [link["rel"] for link in item["links"]] == ["self"]
        assert item["links"][0]["href"].endswith(f"/contacts/{contact}/rewards")
        assert item["links"][0]["id"] == str(row.id)
    second_item, points_item, first_item = items
    assert first_item["reward"] == second_item["reward"] == promotion_reward
    assert points_item["reward"]["type"] == "points"
    assert Decimal(str(points_item["reward"]["amount"])) == 25
    assert points_item["reward"]["definitionId"] == stars_id
    offers = (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json()
    assert sorted(o["id"] for o in offers) == sorted(
        i["promotionAssignmentId"] for i in (first_item, second_item)
    )
