"""Erasure erases: the contact's row keeps no personal data, every contact-scoped call treats
the contact as absent, and no other place hands its data back (docs/PRIVACY.md)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.models import Contact, ContactImport, IdempotencyRecord, PromotionAssignment
from tests.challenges.factories import make_definition
from tests.contacts.factories import make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem
from tests.receipts.factories import make_store, receipt


async def _erase(client: httpx.AsyncClient, till: dict[str, str], contact_id: str) -> None:
    assert (await client.delete(f"/api/v3/contacts/{contact_id}", headers=till)).status_code == 204


async def _row(database: Database, model: Any, **where: Any) -> list[Any]:
    async with transaction(database, write=False) as session:
        stmt = select(model).filter_by(**where)
        return list((await session.execute(stmt)).scalars().all())


async def test_the_erased_row_keeps_no_personal_data(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    contact = await make_contact(
        client,
        till,
        email="ann@example.com",
        mobilePhone="+46701234567",
        externalId="X-1",
        memberNumber="M-1",
        cardId="C-1",
        firstName="Ann",
        preferences={"acceptsEmail": True},
        consents=[{"id": "newsletter", "value": True}],
    )
    await _erase(client, till, contact["id"])
    [row] = await _row(database, Contact, id=_uuid(contact["id"]))
    assert row.erased_on is not None
    kept = (row.email, row.mobile_phone, row.external_id, row.member_number, row.card_id)
    assert kept == (None, None, None, None, None)
    assert (row.attributes, row.preferences, row.consents) == ({}, {}, [])


async def test_an_erased_contact_is_absent_from_every_contact_scoped_call(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    promotion = await make_promotion(client, admin)
    definition = await make_definition(client, admin)
    contact = await make_contact(client, till, email="gone@example.com")
    held = await make_assignment(client, admin, contact["id"], promotion["id"])
    await _erase(client, till, contact["id"])
    gone = contact["id"]

    def absent(response: httpx.Response, key: str = "ContactNotFound") -> None:
        assert response.status_code == 404, response.text
        assert response.json()["key"] == key

    assigned = await client.post(
        "/api/v3/promotion-assignments",
        json={"contactId": gone, "promotionId": promotion["id"]},
        headers=admin,
    )
    absent(assigned)
    absent(await client.get(f"/api/v3/contacts/{gone}/promotions", headers=admin))
    absent(await client.get("/api/v3/promotion-assignments", params={"contactId": gone}, headers=admin))
    # The offer it held is withdrawn with it: nobody is left to redeem it.
    absent(await redeem(client, till, held["id"]), "PromotionNotFound")
    absent(await client.post("/api/v3/receipts", json=receipt(gone, store), headers=admin))
    absent(await client.get(f"/api/v3/contacts/{gone}/transactions", headers=admin))
    absent(await client.get(f"/api/v3/contacts/{gone}/rewards", headers=admin))
    absent(await client.get("/api/v3/point-accounts", params={"contactId": gone}, headers=admin))
    absent(await client.get("/api/v3/challenges", params={"contactId": gone}, headers=admin))
    absent(
        await client.post(
            f"/api/v3/challenges/definitions/{definition['id']}/assign",
            params={"contactId": gone},
            headers=admin,
        )
    )
    row = {"contactId": gone, "definitionId": definition["id"], "checkpointAmount": 1}
    checkpoints = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=admin)
    assert checkpoints.status_code == 200
    assert checkpoints.json()["missingContactIds"] == [gone]
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    assert made.status_code in (200, 201), made.text
    credit = {"contactId": gone, "definitionId": made.json()["id"], "amount": 10}
    points = await client.post("/api/v3/point-accounts/transactions", json=[credit], headers=admin)
    assert points.status_code == 200, points.text
    assert points.json()["missingContactIds"] == [gone]


async def test_an_erased_contacts_open_offers_go_and_its_redeemed_ones_stay_as_history(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    contact = await make_contact(client, till, email="gone@example.com")
    first, second = await make_promotion(client, admin), await make_promotion(client, admin)
    used = await make_assignment(client, admin, contact["id"], first["id"])
    await make_assignment(client, admin, contact["id"], second["id"])
    assert (await redeem(client, till, used["id"])).status_code == 200
    await _erase(client, till, contact["id"])
    left = await _row(database, PromotionAssignment, contact_id=_uuid(contact["id"]))
    assert [str(assignment.id) for assignment in left] == [used["id"]]


async def test_a_replay_of_an_erased_contacts_creation_gives_back_no_personal_data(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    headers = {**till, "Idempotency-Key": "create-ann"}
    body = {"email": "ann@example.com", "firstName": "Ann"}
    created = await client.post("/api/v3/contacts", json=body, headers=headers)
    assert created.status_code == 201
    await _erase(client, till, created.json()["id"])

    replayed = await client.post("/api/v3/contacts", json=body, headers=headers)
    assert replayed.headers.get("idempotent-replayed") == "true"
    assert replayed.status_code == 404
    assert replayed.json()["key"] == "ContactNotFound", replayed.text
    assert "ann@example.com" not in replayed.text and "Ann" not in replayed.text
    for record in await _row(database, IdempotencyRecord):
        assert b"ann@example.com" not in (record.response_body or b"")
    # Not run again either: the erased customer is not brought back.
    found = await client.get("/api/v3/contacts/id", params={"email": "ann@example.com"}, headers=till)
    assert found.status_code == 404


@pytest.mark.embedded_worker
async def test_a_finished_bulk_import_keeps_no_copy_of_the_contacts_it_applied(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    rows = [{"email": "bulk@example.com", "firstName": "Bulk"}, {"email": "not-an-address"}]
    accepted = await client.post("/api/v3/contacts/bulk", json=rows, headers=till)
    assert accepted.status_code == 202, accepted.text
    batch_id = accepted.json()["batchId"]
    for _ in range(200):
        status = (
            await client.get("/api/v3/contacts/bulk/status", params={"batchId": batch_id}, headers=till)
        ).json()
        if status["status"] not in ("Queued", "Running"):
            break
        await asyncio.sleep(0.05)
    assert (status["status"], status["succeeded"], status["failed"]) == ("Done", 1, 1)
    [batch] = await _row(database, ContactImport, id=_uuid(batch_id))
    assert batch.rows == []
    assert "bulk@example.com" not in str(batch.errors)


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)
