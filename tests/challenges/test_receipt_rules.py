"""Which receipt-driven definitions a receipt meets: the register's groups and brands, and the
definitions a process keeps for PATRON_DEFINITION_CACHE_SECONDS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from patron.db.engine import Database
from patron.db.session import transaction
from patron.kit import clock
from patron.models import ChallengeDefinition
from patron.state import AppState
from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt


async def _post(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, *items: dict[str, Any]
) -> None:
    stored = await client.post(
        "/api/v3/receipts", json=receipt(contact, "S-1", items=list(items)), headers=till
    )
    assert stored.status_code == 201, stored.text


async def _count(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, definition: dict[str, Any]
) -> int:
    found = await challenges_of(client, till, contact, definitionId=definition["id"])
    return sum(int(challenge["completedCheckpoints"]) for challenge in found)


async def test_groups_and_brands_come_from_the_register_and_the_tills_group_is_the_fallback(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_store(client, admin)
    register = [
        {"articleNumber": "A-1", "name": "Trail shoe", "group": "Footwear", "brand": "Fjell"},
        {"articleNumber": "A-2", "name": "Wool socks", "group": "Socks", "brand": "Fjell"},
    ]
    assert (await client.post("/api/v3/articles", json=register, headers=till)).status_code == 200
    per_line = {"checkpointAssignOn": 2, "checkpointAssignOnAmount": 1, "requiredNumberOfCheckpoints": 50}
    footwear = await make_definition(client, admin, articleFilter={"groups": ["Footwear"]}, **per_line)
    fjell = await make_definition(client, admin, articleFilter={"brands": ["Fjell"]}, **per_line)
    numbered = await make_definition(client, admin, articleFilter={"articleNumbers": ["A-2"]}, **per_line)
    contact = await make_contact(client, till)

    await _post(
        client,
        till,
        contact,
        line(articleNumber="A-1", articleGroup="Shoes", quantity=2),  # the register says Footwear
        line(articleNumber="A-2", articleGroup="Footwear", quantity=5),  # the register says Socks
        line(articleNumber="NEW-1", articleGroup="Footwear", quantity=3),  # unknown: the till's group
    )

    assert await _count(client, till, contact, footwear) == 2 + 3
    assert await _count(client, till, contact, fjell) == 2 + 5
    assert await _count(client, till, contact, numbered) == 5


async def test_a_definition_activated_by_this_process_applies_to_the_next_receipt(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_store(client, admin)
    contact = await make_contact(client, till)
    draft = await make_definition(
        client, admin, status="Draft", checkpointAssignOn=1, checkpointAssignOnAmount=1
    )
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, draft) == 0

    activated = await client.post(f"/api/v3/challenges/definitions/{draft['id']}/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, draft) == 1


async def test_a_definition_changed_by_another_process_applies_once_the_cache_time_has_passed(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    state: AppState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_store(client, admin)
    contact = await make_contact(client, till)
    draft = await make_definition(
        client, admin, status="Draft", checkpointAssignOn=1, checkpointAssignOnAmount=1
    )
    await _post(client, till, contact, line())  # this process now keeps the definitions

    # Another server process activates it: this process does not hear of it.
    async with transaction(database) as session:
        await session.execute(update(ChallengeDefinition).values(status=1))
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, draft) == 0

    later = clock.monotonic() + state.receipt_rules.ttl + 1
    monkeypatch.setattr(clock, "monotonic", lambda: later)
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, draft) == 1


async def test_a_definition_ended_by_another_process_stops_at_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    """The kept definitions only say which ones to try: the checkpoints are checked against the
    stored definition, so one that ended elsewhere awards nothing even while it is kept."""
    await make_store(client, admin)
    contact = await make_contact(client, till)
    active = await make_definition(client, admin, checkpointAssignOn=1, checkpointAssignOnAmount=1)
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, active) == 1

    async with transaction(database) as session:
        await session.execute(update(ChallengeDefinition).values(status=3))
    await _post(client, till, contact, line())
    assert await _count(client, till, contact, active) == 1
