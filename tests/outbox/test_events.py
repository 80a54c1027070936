"""Every event type is written by the real call that makes its change, in that change's
transaction: its data is the resource as the API renders it, a rolled-back request leaves
none, a replay adds none, and a contact's events are in the order they happened."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from patron.challenges import service as challenges
from patron.db.engine import Database
from patron.db.session import transaction
from patron.models.outbox_event import OutboxEvent
from patron.points import service as points
from patron.rewards.service import RewardIssuer
from tests.challenges.factories import make_definition
from tests.contacts.test_bulk_import import wait_until_done
from tests.factories import make_contact, make_contact_id
from tests.points.factories import make_point_definition
from tests.promotions.factories import make_assignment, make_promotion, redeem
from tests.receipts.factories import make_store, receipt

CHECKPOINTS = "/api/v3/challenges/checkpoints"
TRANSACTIONS = "/api/v3/point-accounts/transactions"


async def events(database: Database, contact_id: str | None = None) -> list[OutboxEvent]:
    async with transaction(database, write=False) as session:
        query = select(OutboxEvent).order_by(OutboxEvent.seq)
        if contact_id is not None:
            query = query.where(OutboxEvent.contact_id == uuid.UUID(contact_id))
        return list((await session.execute(query)).scalars())


async def count(database: Database) -> int:
    async with transaction(database, write=False) as session:
        return int((await session.execute(select(func.count()).select_from(OutboxEvent))).scalar_one())


def of_type(found: list[OutboxEvent], event_type: str) -> list[OutboxEvent]:
    return [event for event in found if event.type == event_type]


def relative_links(answer: Any) -> Any:
    """An API answer with its links' addresses made relative, as an event renders them."""
    if isinstance(answer, dict):
        return {
            key: re.sub(r"^https?://[^/]+", "", value) if key == "href" else relative_links(value)
            for key, value in answer.items()
        }
    if isinstance(answer, list):
        return [relative_links(item) for item in answer]
    return answer


async def test_contact_created_updated_promoted_and_erased(
    client: httpx.AsyncClient, database: Database, till: dict[str, str]
) -> None:
    created = await make_contact(client, till, firstName="Ann", email="ann@example.com")
    contact_id = str(created["id"])
    patched = await client.patch(f"/api/v3/contacts/{contact_id}", json={"city": "Oslo"}, headers=till)
    assert patched.status_code == 200, patched.text
    promoted = await client.post(f"/api/v3/contacts/{contact_id}/promote-to-member", headers=till)
    assert promoted.status_code == 200, promoted.text

    told = await events(database, contact_id)
    assert [event.type for event in told] == ["contact.created", "contact.updated", "contact.updated"]
    assert [event.data for event in told] == [created, patched.json(), promoted.json()]
    assert all(event.id.startswith("evt_") for event in told)

    erased = await client.delete(f"/api/v3/contacts/{contact_id}", headers=till)
    assert erased.status_code == 204
    told = await events(database, contact_id)
    assert [event.type for event in told][-1] == "contact.erased"
    assert set(told[-1].data) == {"id", "erasedOn"} and told[-1].data["id"] == contact_id
    # The earlier contact events keep nothing that names the customer.
    for event in told[:-1]:
        assert event.data == {"id": contact_id, "redacted": True}
    assert "ann@example.com" not in repr([event.data for event in told])


@pytest.mark.embedded_worker
async def test_bulk_import_creates_and_updates(
    client: httpx.AsyncClient, database: Database, till: dict[str, str]
) -> None:
    existing = await make_contact_id(client, till, email="old@example.com")
    rows = [{"email": "old@example.com", "city": "Bergen"}, {"email": "new@example.com"}, {"email": 5}]
    accepted = await client.post("/api/v3/contacts/bulk", json=rows, headers=till)
    assert accepted.status_code == 202, accepted.text
    status = await wait_until_done(client, till, accepted.json()["batchId"])
    assert (status["succeeded"], status["failed"]) == (2, 1)

    updated = of_type(await events(database, existing), "contact.updated")
    assert [event.data["attributes"]["city"] for event in updated] == ["Bergen"]
    found = await client.get("/api/v3/contacts/id", params={"email": "new@example.com"}, headers=till)
    new_id = found.json()
    answer = (await client.get(f"/api/v3/contacts/{new_id}", headers=till)).json()
    assert [(e.type, e.data) for e in await events(database, new_id)] == [("contact.created", answer)]


async def test_receipt_created_once_and_redeems_its_promotions(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_store(client, admin)
    contact_id = await make_contact_id(client, till)
    promotion = await make_promotion(client, admin)
    assignment = await make_assignment(client, admin, contact_id, str(promotion["id"]))
    body = receipt(contact_id, usedPromotions=[{"promotionId": assignment["id"]}])

    stored = await client.post("/api/v3/receipts", json=body, headers=till)
    assert stored.status_code == 201, stored.text
    before = await count(database)
    replay = await client.post("/api/v3/receipts", json=body, headers=till)
    assert replay.status_code == 200
    taken = await client.post("/api/v3/receipts", json={**body, "totalGrossPrice": 1.0}, headers=till)
    assert taken.status_code == 409
    assert await count(database) == before

    told = await events(database, contact_id)
    assert [event.type for event in told] == [
        "contact.created",
        "promotion.assigned",
        "receipt.created",
        "promotion.redeemed",
    ]
    assert told[2].data == relative_links(stored.json())
    assert told[2].data["contactId"] == contact_id
    redeemed = told[3].data
    assert redeemed["id"] == assignment["id"] and redeemed["redeemedOn"] is not None


async def test_a_receipt_matched_by_key_tells_its_contact(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    """The store statement finds the contact; the event names the contact it found."""
    await make_store(client, admin)
    contact_id = await make_contact_id(client, till, cardId="CARD-7")
    body = receipt(contact_id, contact={"matchKey": "CARD-7", "matchKeyType": "CardId"})
    stored = await client.post("/api/v3/receipts", json=body, headers=till)
    assert stored.status_code == 201, stored.text
    [created] = of_type(await events(database, contact_id), "receipt.created")
    assert created.data == relative_links(stored.json())
    assert created.data["contactId"] == contact_id


async def test_promotion_assigned_only_when_new_and_redeemed_by_the_endpoint(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact_id = await make_contact_id(client, till)
    promotion = await make_promotion(client, admin)
    first = await make_assignment(client, admin, contact_id, str(promotion["id"]))
    again = await make_assignment(client, admin, contact_id, str(promotion["id"]))
    assert again["id"] == first["id"]
    redeemed = await redeem(client, till, first["id"])
    assert redeemed.status_code == 200, redeemed.text
    refused = await redeem(client, till, first["id"])
    assert refused.status_code != 200

    told = await events(database, contact_id)
    assert [event.type for event in told] == ["contact.created", "promotion.assigned", "promotion.redeemed"]
    assert told[1].data == first
    assert told[2].data == redeemed.json()


async def test_checkpoints_completion_and_rewards(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    definition_id = await make_point_definition(client, admin)
    definition = await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=3,
        rewards={"onCompletion": {"type": "points", "amount": 10, "definitionId": definition_id}},
    )
    contact_id = await make_contact_id(client, till)
    rows = [
        {"definitionId": definition["id"], "contactId": contact_id, "checkpointAmount": amount}
        for amount in (1, 2, 1)
    ]
    answer = await client.post(CHECKPOINTS, json=rows, headers=till)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["notAccepted"]) == 1  # the challenge was complete by then

    told = await events(database, contact_id)
    assert [event.type for event in told] == [
        "contact.created",
        "challenge.checkpoint_added",
        "challenge.checkpoint_added",
        "challenge.completed",
        "points.transaction_added",
        "reward.issued",
    ]
    assert [event.data["checkpointAmount"] for event in told[1:3]] == [1, 2]
    assert told[1].data["source"] == "api" and told[1].data["definitionId"] == definition["id"]
    [challenge] = (
        await client.get("/api/v3/challenges", params={"contactId": contact_id}, headers=till)
    ).json()["items"]
    assert told[3].data == relative_links(challenge)
    assert told[3].data["isChallengeCompleted"] is True
    assert told[4].data["amount"] == 10 and told[4].data["source"] == "reward"
    reward = told[5].data
    assert reward["pointTransactionId"] == told[4].data["id"]
    rewards = (await client.get(f"/api/v3/contacts/{contact_id}/rewards", headers=till)).json()["items"]
    assert reward == relative_links(rewards[0])


async def test_a_big_batch_tells_every_accepted_row(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    """Past the size where a batch works its rows out before locking: one event per row."""
    definition = await make_definition(client, admin, requiredNumberOfCheckpoints=1000)
    contacts = [await make_contact_id(client, till) for _ in range(60)]
    rows = [
        {"definitionId": definition["id"], "contactId": contact_id, "checkpointAmount": 1}
        for contact_id in contacts
        for _ in range(2)
    ]
    rows.append({"definitionId": definition["id"], "contactId": str(uuid.uuid4()), "checkpointAmount": 1})
    answer = await client.post(CHECKPOINTS, json=rows, headers=till)
    assert answer.status_code == 200, answer.text
    added = of_type(await events(database), "challenge.checkpoint_added")
    assert len(added) == 120
    assert sorted(event.data["contactId"] for event in added) == sorted(contacts * 2)


async def test_a_receipt_driven_checkpoint_is_told_after_its_receipt(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_store(client, admin)
    await make_definition(client, admin, checkpointAssignOn=1, checkpointAssignOnAmount=50)
    contact_id = await make_contact_id(client, till)
    stored = await client.post("/api/v3/receipts", json=receipt(contact_id), headers=till)
    assert stored.status_code == 201, stored.text
    told = await events(database, contact_id)
    assert [event.type for event in told] == [
        "contact.created",
        "receipt.created",
        "challenge.checkpoint_added",
    ]
    added = told[2].data
    assert (added["source"], added["receiptId"], added["checkpointAmount"]) == (
        "receipt",
        stored.json()["id"],
        1,
    )


async def test_manual_point_transactions(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    definition_id = await make_point_definition(client, admin)
    contact_id = await make_contact_id(client, till)
    rows = [
        {"contactId": contact_id, "definitionId": definition_id, "amount": 50, "source": "till"},
        {"contactId": contact_id, "definitionId": definition_id, "amount": -500},  # not covered
        {"contactId": contact_id, "definitionId": definition_id, "amount": -20},
    ]
    answer = await client.post(TRANSACTIONS, json=rows, headers=till)
    assert answer.status_code == 200, answer.text
    told = of_type(await events(database, contact_id), "points.transaction_added")
    assert [event.data["amount"] for event in told] == [50, -20]
    listed = await client.get(
        TRANSACTIONS, params={"contactId": contact_id, "definitionId": definition_id}, headers=till
    )
    by_id = {item["id"]: relative_links(item) for item in listed.json()["items"]}
    assert [event.data for event in told] == [by_id[event.data["id"]] for event in told]


async def test_challenges_expire_once(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    engage = await make_definition(client, admin, expirationMonths=1)
    endless = await make_definition(client, admin, name="No expiry")
    contact_id = await make_contact_id(client, till)
    rows = [
        {"definitionId": definition["id"], "contactId": contact_id, "checkpointAmount": 1}
        for definition in (engage, endless)
    ]
    assert (await client.post(CHECKPOINTS, json=rows, headers=till)).status_code == 200
    later = datetime.now(UTC) + timedelta(days=40)

    async with transaction(database) as session:
        assert await challenges.emit_expired(session, datetime.now(UTC)) == 0
    async with transaction(database) as session:
        assert await challenges.emit_expired(session, later) == 1
    async with transaction(database) as session:
        assert await challenges.emit_expired(session, later + timedelta(days=400)) == 0

    [expired] = of_type(await events(database, contact_id), "challenge.expired")
    assert expired.data["challengeId"] == engage["id"]
    assert expired.data["contactId"] == contact_id and expired.data["isChallengeCompleted"] is False
    # As seen when it expired: not completed (3), no longer active.
    assert (expired.data["status"], expired.data["isActive"]) == (3, False)


async def test_points_expire_once_even_with_two_workers(
    client: httpx.AsyncClient, database: Database, admin: dict[str, str], till: dict[str, str]
) -> None:
    definition_id = await make_point_definition(client, admin)
    contact_id = await make_contact_id(client, till)
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    rows = [
        {"contactId": contact_id, "definitionId": definition_id, "amount": n, "validTo": soon}
        for n in range(1, 6)
    ] + [{"contactId": contact_id, "definitionId": definition_id, "amount": 100}]
    assert (await client.post(TRANSACTIONS, json=rows, headers=till)).status_code == 200
    later = datetime.now(UTC) + timedelta(days=2)

    async def worker() -> int:
        async with transaction(database) as session:
            return await points.emit_expired(session, later)

    told = await asyncio.gather(worker(), worker())
    assert sum(told) == 5
    async with transaction(database) as session:
        assert await points.emit_expired(session, later) == 0
    expired = of_type(await events(database, contact_id), "points.expired")
    assert sorted(event.data["amount"] for event in expired) == [1, 2, 3, 4, 5]
    assert all(event.data["validTo"] is not None for event in expired)


async def test_a_request_that_fails_after_writing_leaves_no_event(
    client: httpx.AsyncClient,
    database: Database,
    admin: dict[str, str],
    till: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    definition = await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=1,
        rewards={"onCompletion": {"type": "points", "amount": 1}},
    )
    contact_id = await make_contact_id(client, till)
    before = await count(database)

    async def fails(self: RewardIssuer, session: Any, earned: Any) -> list[uuid.UUID]:
        raise RuntimeError("the request fails after its checkpoints were written")

    monkeypatch.setattr(RewardIssuer, "issue", fails)
    row = {"definitionId": definition["id"], "contactId": contact_id, "checkpointAmount": 1}
    try:
        answer = await client.post(CHECKPOINTS, json=[row], headers=till)
    except RuntimeError:
        pass
    else:
        assert answer.status_code == 500
    assert await count(database) == before


async def test_an_idempotent_replay_emits_nothing_more(
    client: httpx.AsyncClient, database: Database, till: dict[str, str]
) -> None:
    headers = {**till, "idempotency-key": "create-ann"}
    first = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert first.status_code == 201
    before = await count(database)
    retry = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert retry.headers["idempotent-replayed"] == "true"
    assert await count(database) == before == 1
