"""Expiry N months after the start, and scheduled definitions going live and ending on time."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.challenges.factories import challenges_of, make_definition
from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact


async def test_one_month_from_31_january_ends_with_february_then_checkpoints_are_refused(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    with frozen_at(datetime(2025, 1, 31, 12, tzinfo=UTC)):
        definition = await make_definition(client, admin, expirationMonths=1)
        row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 1}
        await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
    with frozen_at(datetime(2025, 2, 28, 23, 59, tzinfo=UTC)):
        last_day = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
        assert last_day.json()["notAccepted"] == []
    with frozen_at(datetime(2025, 3, 1, 0, 0, tzinfo=UTC)):
        late = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
        assert late.json()["notAccepted"] == [row]
        [challenge] = await challenges_of(client, till, contact)
        assert (challenge["completedCheckpoints"], challenge["status"], challenge["isActive"]) == (
            2,
            3,
            False,
        )
        assert challenge["challengeEnd"] == "2025-03-01T00:00:00+00:00"
        assert await challenges_of(client, till, contact, filter="NotCompleted") == [challenge]


async def test_a_scheduled_definition_goes_live_and_ends_on_time(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    with frozen_at(datetime(2025, 5, 1, tzinfo=UTC)):
        definition = await make_definition(
            client,
            admin,
            isScheduled=True,
            scheduledFrom="2025-06-01T00:00:00+00:00",
            scheduledTo="2025-07-01T00:00:00+00:00",
        )
    row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 1}
    moments = [
        (datetime(2025, 5, 31, tzinfo=UTC), 2, False),
        (datetime(2025, 6, 15, tzinfo=UTC), 1, True),
        (datetime(2025, 7, 1, tzinfo=UTC), 3, False),
    ]
    for instant, status, accepted in moments:
        with frozen_at(instant):
            read = await client.get(f"/api/v3/challenges/definitions/{definition['id']}", headers=till)
            assert read.json()["status"] == status
            result = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
            assert (result.json()["notAccepted"] == []) is accepted
    with frozen_at(datetime(2025, 7, 1, tzinfo=UTC)):
        [challenge] = await challenges_of(client, till, contact)
        assert (challenge["completedCheckpoints"], challenge["status"]) == (1, 3)
