"""Instants at the ends of the calendar: refused at the edge with a 400 naming the field, so
nothing is stored that a later read cannot render (kit.instants)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from patron.app import create_app
from patron.auth.roles import Role
from tests.challenges.factories import make_definition
from tests.conftest import issue_token, make_settings
from tests.factories import make_contact_id
from tests.promotions.factories import promotion_body
from tests.receipts.factories import make_store, receipt

OVERFLOWING = [
    "9999-12-31T23:59:59-23:59",  # year 10000 in UTC
    "0001-01-01T00:00:00+23:59",  # year 0 in UTC
    "0001-01-01T00:00:00Z",  # year 0 in any zone west of UTC
    "9999-12-31T23:59:59Z",  # year 10000 in any zone east of UTC
    "1899-12-31T12:00:00Z",
]


@pytest.fixture
async def west(
    database_url: str, client: httpx.AsyncClient
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """An application in a zone west of UTC, where a year-1 instant would be in year 0."""
    app = create_app(make_settings(database_url, timezone="America/Los_Angeles"), background=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://patron.test") as http,
    ):
        yield http, {"apikey": await issue_token(app.state.patron.database, Role.ADMIN)}


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["key"] == "BadRequest"
    assert any(field in str(detail["field"]) for detail in response.json()["details"]), response.text


@pytest.mark.parametrize("instant", [*OVERFLOWING, "9999-12-31T23:59:59"])
async def test_a_receipt_dated_at_the_ends_of_the_calendar_is_refused(
    west: tuple[httpx.AsyncClient, dict[str, str]], instant: str
) -> None:
    http, admin = west
    store = await make_store(http, admin)
    contact = await make_contact_id(http, admin)
    _refused(
        await http.post("/api/v3/receipts", json=receipt(contact, store, createdDate=instant), headers=admin),
        "createdDate",
    )
    history = await http.get(f"/api/v3/contacts/{contact}/transactions", headers=admin)
    assert history.status_code == 200 and history.json()["totalCount"] == 0


@pytest.mark.parametrize("instant", OVERFLOWING)
@pytest.mark.parametrize("field", ["validFrom", "validTo", "timeStamp"])
async def test_a_point_transaction_at_the_ends_of_the_calendar_is_refused_and_the_account_stays_readable(
    west: tuple[httpx.AsyncClient, dict[str, str]], instant: str, field: str
) -> None:
    http, admin = west
    contact = await make_contact_id(http, admin)
    made = await http.post("/api/v3/point-accounts/definitions", json={"name": "Stars"}, headers=admin)
    credit: dict[str, Any] = {"contactId": contact, "definitionId": made.json()["id"], "amount": 10}
    _refused(
        await http.post(
            "/api/v3/point-accounts/transactions", json=[{**credit, field: instant}], headers=admin
        ),
        field,
    )
    accepted = await http.post(
        "/api/v3/point-accounts/transactions",
        json=[{**credit, "validFrom": "1900-01-02T00:00:00Z", "validTo": "9999-12-30T23:59:59Z"}],
        headers=admin,
    )
    assert accepted.status_code == 200 and accepted.json()["notAccepted"] == [], accepted.text
    accounts = await http.get("/api/v3/point-accounts", params={"contactId": contact}, headers=admin)
    assert accounts.status_code == 200, accounts.text
    query = {"contactId": contact, "definitionId": made.json()["id"]}
    ledger = await http.get("/api/v3/point-accounts/transactions", params=query, headers=admin)
    assert ledger.status_code == 200, ledger.text
    assert (await http.get("/api/v3/point-accounts/definitions", headers=admin)).status_code == 200


@pytest.mark.parametrize("instant", OVERFLOWING)
async def test_a_challenge_scheduled_at_the_ends_of_the_calendar_is_refused(
    west: tuple[httpx.AsyncClient, dict[str, str]], instant: str
) -> None:
    http, admin = west
    body = {
        "name": "Far off",
        "requiredNumberOfCheckpoints": 3,
        "isScheduled": True,
        "scheduledFrom": instant,
    }
    _refused(await http.post("/api/v3/challenges/definitions", json=body, headers=admin), "scheduledFrom")
    await make_definition(
        http,
        admin,
        isScheduled=True,
        scheduledFrom="1900-01-02T00:00:00Z",
        scheduledTo="9999-12-30T00:00:00Z",
    )
    assert (await http.get("/api/v3/challenges/definitions", headers=admin)).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
async def test_a_promotion_starting_or_ending_at_the_ends_of_the_calendar_is_refused(
    west: tuple[httpx.AsyncClient, dict[str, str]], day: str
) -> None:
    http, admin = west
    body = promotion_body(validity={"startDate": day, "endDate": "9999-12-30"})
    _refused(await http.post("/api/v3/promotions/multichannels", json=body, headers=admin), "startDate")
