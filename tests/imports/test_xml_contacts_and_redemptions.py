"""Contacts and redeemed promotions imported from XML, through the services of their API calls."""

from __future__ import annotations

from pathlib import Path

import httpx

from patron.imports import runs
from patron.imports.xml_format import ImportKind
from patron.state import AppState
from tests.factories import make_contact_id
from tests.imports.files import FIRST_ROW_LINE, report_lines, tools, write_file
from tests.promotions.factories import make_assignment, make_promotion


async def test_contacts_are_created_or_updated_by_their_unique_keys(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    known = await make_contact_id(client, till, email="anna@example.com", firstName="Anna")
    rows = [
        {"email": "anna@example.com", "city": "Uppsala", "favouriteStore": "S-12", "shoeSize": 38},
        {"memberNumber": "M-2", "firstName": "Bo", "preferences": {"acceptsEmail": True}},
        {"memberNumber": "M-3", "consents": [{"id": "newsletter", "value": True}]},
    ]
    path = write_file(
        tmp_path / "contacts.xml", ImportKind.CONTACTS, rows, custom=("favouriteStore", "shoeSize")
    )
    done = await runs.import_file(tools(state), path, ImportKind.CONTACTS, "cli")
    assert (done.succeeded, done.failed) == (3, 0)
    anna = (await client.get(f"/api/v3/contacts/{known}", headers=till)).json()
    assert anna["attributes"]["city"] == "Uppsala" and anna["attributes"]["firstName"] == "Anna"
    assert (anna["attributes"]["favouriteStore"], anna["attributes"]["shoeSize"]) == ("S-12", 38)
    found = await client.get("/api/v3/contacts/id", params={"memberNumber": "M-2"}, headers=till)
    assert found.status_code == 200
    bo = (await client.get(f"/api/v3/contacts/{found.json()}", headers=till)).json()
    assert bo["preferences"]["acceptsEmail"] is True


async def test_redemptions_redeem_once_and_report_what_the_api_would_refuse(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    contact = await make_contact_id(client, till)
    promotion = await make_promotion(client, admin)
    assignment = await make_assignment(client, admin, contact, promotion["id"])
    rows = [
        {"assignmentId": assignment["id"], "redemptionChannel": "POS", "contactId": contact},
        {"assignmentId": assignment["id"], "redemptionChannel": "POS"},
        {"assignmentId": "not-a-guid", "redemptionChannel": "POS"},
    ]
    path = write_file(tmp_path / "redeemed.xml", ImportKind.REDEMPTIONS, rows)
    done = await runs.import_file(tools(state), path, ImportKind.REDEMPTIONS, "cli")
    assert (done.succeeded, done.failed) == (1, 2)
    assert [(line, key) for line, _, key, _ in report_lines(done.report)[1:]] == [
        (str(FIRST_ROW_LINE + 1), "PromotionAlreadyRedeemed"),
        (str(FIRST_ROW_LINE + 2), "InvalidPromotionIdNoData"),
    ]
    offers = await client.get("/api/v3/promotion-assignments", params={"contactId": contact}, headers=till)
    assert [item["redeemed"] for item in offers.json()] == [True]
