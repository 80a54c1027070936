"""Earning rules credit a receipt once, pending then active; returns take back what the
returned lines earned; what a spent balance cannot cover is owed and taken from the next credits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from patron.config import Settings
from patron.db.engine import Database
from tests.clock import frozen_at
from tests.earning.factories import held, make_articles, make_rule, owed, rebuild_check
from tests.factories import make_contact_id
from tests.outbox.test_events import events
from tests.receipts.factories import line, make_store, receipt

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
LATER = NOW + timedelta(days=15)


def three_lines() -> list[dict[str, Any]]:
    return [
        line(articleNumber="DOG-1", articleName="Dog food 12 kg", articleGroup=None, grossPaidPrice=100.0),
        line(articleNumber="SHOE-1", articleName="Trail shoe", grossPaidPrice=50.5),
        line(articleNumber="TOY-1", articleName="Cat toy", articleGroup="Toys", grossPaidPrice=30.0),
    ]


async def _programme(client: httpx.AsyncClient, admin: dict[str, str], **definition: Any) -> int:
    made = await client.post(
        "/api/v3/point-accounts/definitions", json={"name": "Club points", **definition}, headers=admin
    )
    assert made.status_code == 200, made.text
    points = int(made.json()["id"])
    await make_store(client, admin)
    # The register says DOG-1 is dog food; the till did not send a group for it.
    await make_articles(client, admin, [{"articleNumber": "DOG-1", "name": "Dog food", "group": "Dog food"}])
    await make_rule(
        client,
        admin,
        name="1 per krona",
        definitionId=points,
        pointsPerUnit=1,
        pendingDays=14,
        expiryMonths=12,
    )
    await make_rule(
        client,
        admin,
        name="Double on dog food",
        definitionId=points,
        pointsPerUnit=1,
        articleFilter={"groups": ["Dog food"]},
        pendingDays=14,
        expiryMonths=12,
        position=1,
    )
    return points


async def test_three_lines_two_rules_credit_once_pending_then_active_and_a_replay_adds_nothing(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    points = await _programme(client, admin)
    contact = await make_contact_id(client, till)
    body = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(NOW):
        stored = await client.post("/api/v3/receipts", json=body, headers=till)
        assert stored.status_code == 201, stored.text
        # 100 + 50 (50.5 rounded down) + 30 under the first rule, 100 more on dog food.
        assert await held(client, till, contact, points) == (0.0, 280.0)
        again = await client.post("/api/v3/receipts", json=body, headers=till)
        assert again.status_code == 200
        assert await held(client, till, contact, points) == (0.0, 280.0)
        ledger = await client.get(
            "/api/v3/point-accounts/transactions",
            params={"contactId": contact, "definitionId": points},
            headers=till,
        )
        rows = ledger.json()["items"]
        assert sorted(r["amount"] for r in rows) == [100.0, 180.0]
        assert {r["source"] for r in rows} == {f"receipt:{stored.json()['id']}"}
        # Pending for 14 days from the purchase, expiring 12 months after it.
        assert {r["validFrom"][:10] for r in rows} == {"2026-03-16"}
        assert {r["validTo"][:10] for r in rows} == {"2027-03-02"}
    with frozen_at(LATER):
        assert await held(client, till, contact, points) == (280.0, 0.0)
        assert await rebuild_check(settings) == (0, "No differences.\n")


async def test_a_return_of_one_line_takes_back_exactly_that_lines_points(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    points = await _programme(client, admin)
    contact = await make_contact_id(client, till)
    bought = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(LATER):
        assert (await client.post("/api/v3/receipts", json=bought, headers=till)).status_code == 201
    with frozen_at(LATER + timedelta(days=1)):
        assert await held(client, till, contact, points) == (280.0, 0.0)
        returned = receipt(
            contact,
            createdDate=(LATER + timedelta(days=1)).isoformat(),
            totalGrossPrice=-100.0,
            items=[
                line(
                    type="RETURN",
                    articleNumber="DOG-1",
                    articleName="Dog food",
                    grossPaidPrice=-100.0,
                    quantity=-1,
                )
            ],
            extraData={"originalUniqueReceiptId": bought["uniqueReceiptId"]},
        )
        made = await client.post("/api/v3/receipts", json=returned, headers=till)
        assert made.status_code == 201, made.text
        # The dog food line earned 100 under each rule; the rest stays.
        assert await held(client, till, contact, points) == (80.0, 0.0)
        [told] = [e for e in await events(database, contact) if e.type == "points.taken_back"]
        assert (told.data["points"], told.data["debited"], told.data["owed"]) == (200.0, 200.0, 0.0)
        assert told.data["receiptId"] == made.json()["id"]
        # Returning it again finds nothing left to take.
        again = receipt(
            contact,
            createdDate=(LATER + timedelta(days=1)).isoformat(),
            totalGrossPrice=-100.0,
            items=returned["items"],
            extraData=returned["extraData"],
        )
        assert (await client.post("/api/v3/receipts", json=again, headers=till)).status_code == 201
        assert await held(client, till, contact, points) == (80.0, 0.0)
        assert await rebuild_check(settings) == (0, "No differences.\n")


async def test_a_return_past_a_spent_balance_is_owed_and_taken_from_the_next_credit(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    points = await _programme(client, admin)
    contact = await make_contact_id(client, till)
    bought = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(NOW):
        assert (await client.post("/api/v3/receipts", json=bought, headers=till)).status_code == 201
    with frozen_at(LATER):
        spent = await client.post(
            "/api/v3/point-accounts/transactions",
            json=[{"contactId": contact, "definitionId": points, "amount": -250}],
            headers=till,
        )
        assert spent.json()["notAccepted"] == []
        assert await held(client, till, contact, points) == (30.0, 0.0)
        # No original named: the contact's latest dog food line is found.
        returned = receipt(
            contact,
            createdDate=LATER.isoformat(),
            totalGrossPrice=-100.0,
            items=[
                line(
                    type="RETURN",
                    articleNumber="DOG-1",
                    articleName="Dog food",
                    grossPaidPrice=-100.0,
                    quantity=-1,
                )
            ],
        )
        made = await client.post("/api/v3/receipts", json=returned, headers=till)
        assert made.status_code == 201, made.text
        assert await held(client, till, contact, points) == (0.0, 0.0)
        assert await owed(database, contact, points) == Decimal(170)
        [told] = [e for e in await events(database, contact) if e.type == "points.taken_back"]
        assert (told.data["points"], told.data["debited"], told.data["owed"]) == (200.0, 30.0, 170.0)
        # The next credit of 120 points (no pending period now) pays 120 of the 170 owed.
        await make_rule(
            client,
            admin,
            name="Shoes now",
            definitionId=points,
            pointsPerUnit=1,
            articleFilter={"articleNumbers": ["SHOE-2"]},
        )
        shoes = receipt(
            contact,
            createdDate=LATER.isoformat(),
            totalGrossPrice=120.0,
            items=[line(articleNumber="SHOE-2", grossPaidPrice=120.0)],
        )
        assert (await client.post("/api/v3/receipts", json=shoes, headers=till)).status_code == 201
        assert await owed(database, contact, points) == Decimal(50)
        # SHOE-2 earned 120 under "1 per krona" (pending) and 120 under "Shoes now" (active,
        # which paid the debt); the pending credit pays nothing until it is active.
        assert await held(client, till, contact, points) == (0.0, 120.0)
        assert await rebuild_check(settings) == (0, "No differences.\n")


async def test_a_balance_goes_negative_where_the_definition_allows_it(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    points = await _programme(client, admin, allowNegativeBalance=True)
    contact = await make_contact_id(client, till)
    bought = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(NOW):
        assert (await client.post("/api/v3/receipts", json=bought, headers=till)).status_code == 201
    with frozen_at(LATER):
        spent = await client.post(
            "/api/v3/point-accounts/transactions",
            json=[{"contactId": contact, "definitionId": points, "amount": -250}],
            headers=till,
        )
        assert spent.json()["notAccepted"] == []
        returned = receipt(
            contact,
            createdDate=LATER.isoformat(),
            totalGrossPrice=-100.0,
            items=[
                line(
                    type="RETURN",
                    articleNumber="DOG-1",
                    articleName="Dog food",
                    grossPaidPrice=-100.0,
                    quantity=-1,
                )
            ],
        )
        assert (await client.post("/api/v3/receipts", json=returned, headers=till)).status_code == 201
        assert await held(client, till, contact, points) == (-170.0, 0.0)
        assert await owed(database, contact, points) == Decimal(0)
        assert await rebuild_check(settings) == (0, "No differences.\n")


async def test_a_return_before_the_points_are_active_cancels_the_pending_ones(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    points = await _programme(client, admin)
    contact = await make_contact_id(client, till)
    bought = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(NOW):
        assert (await client.post("/api/v3/receipts", json=bought, headers=till)).status_code == 201
        half = receipt(
            contact,
            createdDate=NOW.isoformat(),
            totalGrossPrice=-25.25,
            items=[
                line(
                    type="RETURN",
                    articleNumber="SHOE-1",
                    articleName="Trail shoe",
                    grossPaidPrice=-25.25,
                    quantity=-1,
                )
            ],
        )
        assert (await client.post("/api/v3/receipts", json=half, headers=till)).status_code == 201
        # Half the shoe back: it keeps floor(50 x 25.25 / 50.5) = 25 of its 50 points.
        assert await held(client, till, contact, points) == (0.0, 255.0)
    with frozen_at(LATER):
        assert await held(client, till, contact, points) == (255.0, 0.0)
        assert await rebuild_check(settings) == (0, "No differences.\n")


async def test_rebuild_check_names_an_earning_the_ledger_does_not_reproduce(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    points = await _programme(client, admin)
    contact = await make_contact_id(client, till)
    bought = receipt(contact, createdDate=NOW.isoformat(), totalGrossPrice=180.5, items=three_lines())
    with frozen_at(NOW):
        assert (await client.post("/api/v3/receipts", json=bought, headers=till)).status_code == 201
    async with database.write_engine.begin() as connection:
        # SQLite keeps money as integers of 1/10 000.
        ten = 100_000 if database.is_sqlite else 10
        await connection.execute(
            text(f"UPDATE point_earnings SET taken_back = {ten} WHERE line_position = 0")
        )
    code, output = await rebuild_check(settings)
    assert code == 1
    assert f"contact {contact}, definition {points}" in output
