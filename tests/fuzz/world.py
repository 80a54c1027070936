"""The data the fuzz run meets: contacts, stores, articles, promotions and their assignments,
challenge definitions and challenges, point definitions, accounts and transactions, receipts and a
bulk import, made through the API with the shared test factories before any operation is fuzzed.

Each contact is one customer with everything that hangs off it, so a request naming a contact,
its assignment and its challenge definition names things that belong together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact, make_store
from tests.promotions.factories import make_assignment, make_promotion
from tests.receipts.factories import line, receipt


@dataclass(frozen=True)
class Customer:
    contact_id: str
    email: str
    member_number: str
    external_id: str
    card_id: str
    mobile_phone: str
    promotion_id: str
    promotion_external_id: str
    assignment_id: str
    challenge_definition_id: str
    challenge_id: str
    point_definition_id: int
    account_id: int
    receipt_id: str
    interaction_id: str


# The interaction schema every seeded customer has an interaction of.
INTERACTION_SCHEMA_ID = "fuzz-visit"


@dataclass(frozen=True)
class World:
    customers: list[Customer]
    stores: list[str]
    articles: list[str]
    batch_id: str
    point_rule_id: str
    segment_id: str
    assignment_job_id: str
    # Every seeded value per kind, for the reports.
    counts: dict[str, int] = field(default_factory=dict)
    # A live campaign of the campaigns dialect every customer has progress on.
    campaign_id: str = ""


async def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200,)), response.text
    body: dict[str, Any] = response.json()
    return body


async def seed(client: httpx.AsyncClient, admin: dict[str, str], customers: int = 3) -> World:
    stores = [
        (await make_store(client, admin, "S-1"))["externalId"],
        (await make_store(client, admin, "E-1", type="Online"))["externalId"],
    ]
    articles = ["A-1", "A-2"]
    await _ok(
        await client.post(
            "/api/v3/articles",
            json=[
                {"articleNumber": "A-1", "name": "Trail shoe", "group": "Shoes", "brand": "Fjell"},
                {"articleNumber": "A-2", "name": "Dog food", "group": "Food"},
            ],
            headers=admin,
        )
    )
    # A receipt-driven definition, so that receipts reach the checkpoint rules too.
    await make_definition(
        client,
        admin,
        name="Every shoe",
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        requiredNumberOfCheckpoints=50,
        articleFilter={"groups": ["Shoes"]},
    )
    point_definition = int(
        (
            await _ok(
                await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
            )
        )["id"]
    )
    # An earning rule, so that receipts (and their returns) reach the point rules too.
    point_rule = await _ok(
        await client.post(
            "/api/v3/point-rules",
            json={"name": "1 per krona", "definitionId": point_definition, "pointsPerUnit": 1},
            headers=admin,
        ),
        201,
    )
    await _ok(
        await client.post(
            "/api/v3/interactionschemas",
            json={
                "id": INTERACTION_SCHEMA_ID,
                "displayName": "Service visit",
                "jsonSchema": {"type": "object", "properties": {"note": {"type": "string"}}},
            },
            headers=admin,
        ),
        201,
    )
    made: list[Customer] = []
    for n in range(customers):
        tag = uuid.uuid4().hex[:8]
        email, phone = f"fuzz{n}-{tag}@example.com", f"+467012345{n:02d}"
        contact = await make_contact(
            client,
            admin,
            email=email,
            memberNumber=f"M-{tag}",
            externalId=f"X-{tag}",
            cardId=f"C-{tag}",
            mobilePhone=phone,
        )
        contact_id = str(contact["id"])
        promotion = await make_promotion(client, admin)
        assignment = await make_assignment(client, admin, contact_id, promotion["id"])
        definition = await make_definition(
            client, admin, name=f"Stamp card {n}", requiredNumberOfCheckpoints=5
        )
        await _ok(
            await client.post(
                f"/api/v3/challenges/definitions/{definition['id']}/assign",
                params={"contactId": contact_id},
                headers=admin,
            )
        )
        [challenge] = [
            c for c in await challenges_of(client, admin, contact_id) if c["challengeId"] == definition["id"]
        ]
        await _ok(
            await client.post(
                "/api/v3/point-accounts/transactions",
                json=[{"contactId": contact_id, "definitionId": point_definition, "amount": 1000}],
                headers=admin,
            )
        )
        accounts = await _ok(
            await client.get("/api/v3/point-accounts", params={"contactId": contact_id}, headers=admin)
        )
        stored = await _ok(
            await client.post(
                "/api/v3/receipts",
                json=receipt(
                    contact_id,
                    stores[0],
                    uniqueReceiptId=f"R-{tag}",
                    items=[line(articleNumber="A-1", articleGroup="Shoes", quantity=2)],
                ),
                headers=admin,
            ),
            200,
            201,
        )
        interaction = await _ok(
            await client.post(
                "/api/v3/interactions",
                json={
                    "contactId": contact_id,
                    "schemaId": INTERACTION_SCHEMA_ID,
                    "payload": {"note": "fitting"},
                },
                headers=admin,
            ),
            201,
        )
        made.append(
            Customer(
                contact_id=contact_id,
                email=email,
                member_number=f"M-{tag}",
                external_id=f"X-{tag}",
                card_id=f"C-{tag}",
                mobile_phone=phone,
                promotion_id=str(promotion["id"]),
                promotion_external_id=str(promotion["externalId"]),
                assignment_id=str(assignment["id"]),
                challenge_definition_id=str(definition["id"]),
                challenge_id=str(challenge["id"]),
                point_definition_id=point_definition,
                account_id=int(accounts[0]["id"]),
                receipt_id=str(stored["id"]),
                interaction_id=str(interaction["id"]),
            )
        )
    batch = await _ok(
        await client.post("/api/v3/contacts/bulk", json=[{"externalId": "B-1"}], headers=admin), 202
    )
    # A segment of the purchases above, and a job giving the first promotion to its members.
    segment = await _ok(
        await client.post(
            "/api/v3/segments",
            json={
                "name": "Shoe buyers",
                "rule": {
                    "field": "purchases",
                    "op": "exists",
                    "where": {"groups": ["Shoes"], "withinDays": 90},
                },
            },
            headers=admin,
        ),
        201,
    )
    job = await _ok(
        await client.post(
            f"/api/v3/promotions/multichannels/{made[0].promotion_id}/assign-segment",
            json={"segmentId": segment["id"]},
            headers=admin,
        ),
        202,
    )
    campaign = await _ok(
        await client.post(
            "/campaigns",
            json={
                "name": "Fuzz orders",
                "status": "active",
                "rules": [
                    {
                        "name": "Two orders",
                        "reward": {"type": "points", "amount": 5},
                        "actions": [{"event_name": "order_success", "target": 2}],
                    }
                ],
            },
            headers=admin,
        ),
        201,
    )
    for customer in made:
        await _ok(
            await client.post(
                "/events/invoke",
                json={"event_name": "order_success", "source_id": customer.external_id},
                headers=admin,
            ),
            200,
        )
    return World(
        campaign_id=str(campaign["campaign_id"]),
        customers=made,
        stores=stores,
        articles=articles,
        batch_id=str(batch["batchId"]),
        point_rule_id=str(point_rule["id"]),
        segment_id=str(segment["id"]),
        assignment_job_id=str(job["id"]),
    )
