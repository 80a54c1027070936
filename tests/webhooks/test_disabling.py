"""An endpoint whose every delivery has failed for PATRON_WEBHOOK_DISABLE_AFTER_HOURS (120 h by
default) is disabled, and `GET /webhooks/{id}` says since when it failed; one failing for less
is not, and a success in between starts the count again. Days pass on the moved clock, the
answers come from a real receiver."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from patron.state import AppState
from tests.clock import frozen_at
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Receiver

HOUR = timedelta(hours=1)


class Endpoint:
    """One subscription and its receiver, driven a round at a time at a given instant."""

    def __init__(
        self, client: httpx.AsyncClient, admin: dict[str, str], state: AppState, answer: Callable[[int], int]
    ) -> None:
        self.client, self.admin, self.state = client, admin, state
        self.receiver = Receiver(answer)
        self.id = ""

    async def subscribe(self, at: datetime) -> None:
        self.receiver.start()
        with frozen_at(at):
            made = await self.client.post(
                "/api/v3/webhooks", json={"url": self.receiver.url, "eventTypes": ["*"]}, headers=self.admin
            )
        assert made.status_code == 201, made.text
        self.id = made.json()["id"]

    async def event_then_round(self, at: datetime) -> None:
        """A new event at `at`, then one round of delivery: it and every retry due by then."""
        with frozen_at(at):
            await record_events(self.state, [(uuid.uuid4(), {"at": at.isoformat()})])
            await deliver_until(self.state, lambda: True)

    async def read(self, at: datetime) -> dict[str, Any]:
        with frozen_at(at):
            answer = await self.client.get(f"/api/v3/webhooks/{self.id}", headers=self.admin)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def answers(self) -> list[int]:
        return [hit.status for hit in self.receiver.received()]


def _enabled(read: dict[str, Any]) -> bool:
    assert (read["active"], read["disabledReason"]) in ((True, None), (False, read["disabledReason"]))
    return bool(read["active"])


async def test_failing_for_longer_than_120_hours_disables_it_and_says_since_when(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    assert state.settings.webhook_disable_after_hours == 120
    endpoint = Endpoint(client, admin, state, lambda n: 500)
    start = datetime.now(UTC)
    try:
        await endpoint.subscribe(start)
        await endpoint.event_then_round(start)
        assert endpoint.answers() == [500]
        await endpoint.event_then_round(start + 120 * HOUR - timedelta(seconds=1))
        # The first event's retry and the new one: failing all along, but not for 120 h yet.
        assert endpoint.answers() == [500] * 3
        assert _enabled(await endpoint.read(start + 120 * HOUR))

        late = start + 120 * HOUR + timedelta(seconds=1)
        await endpoint.event_then_round(late)
        sent = len(endpoint.answers())
        read = await endpoint.read(late)
        assert read["active"] is False
        reason = read["disabledReason"]
        assert "every delivery failed since" in reason and start.isoformat()[:19] in reason
        listed = (await client.get("/api/v3/webhooks", headers=admin)).json()["items"]
        assert [(item["active"], item["disabledReason"]) for item in listed] == [(False, reason)]

        # Disabled, nothing is sent any more; the three deliveries queued wait (an event written
        # meanwhile is not fanned out to it, as to any inactive endpoint).
        await endpoint.event_then_round(late + HOUR)
        assert len(endpoint.answers()) == sent
        with frozen_at(late + HOUR):
            pending = await client.get(
                f"/api/v3/webhooks/{endpoint.id}/deliveries", params={"status": "pending"}, headers=admin
            )
        assert pending.json()["totalCount"] == 3

        # Started again by hand, its failures count afresh: the next one does not disable it.
        with frozen_at(late + 2 * HOUR):
            again = await client.patch(
                f"/api/v3/webhooks/{endpoint.id}", json={"active": True}, headers=admin
            )
        assert (again.json()["active"], again.json()["disabledReason"]) == (True, None)
        await endpoint.event_then_round(late + 3 * HOUR)
        assert len(endpoint.answers()) == sent + 4  # the three that waited, and the new event
        assert _enabled(await endpoint.read(late + 3 * HOUR))
    finally:
        endpoint.receiver.stop()


async def test_a_success_in_between_starts_the_count_again(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    # The first event's retry, at +100 h, is the one success.
    endpoint = Endpoint(client, admin, state, lambda n: 200 if n == 2 else 500)
    start = datetime.now(UTC)
    try:
        await endpoint.subscribe(start)
        await endpoint.event_then_round(start)
        with frozen_at(start + 100 * HOUR):
            await deliver_until(state, lambda: True)
        assert endpoint.answers() == [500, 200]
        failing_again = start + 101 * HOUR
        await endpoint.event_then_round(failing_again)
        # 200 h after the first failure, but only 99 h after the success.
        await endpoint.event_then_round(start + 200 * HOUR)
        assert endpoint.answers() == [500, 200, 500, 500, 500]
        assert _enabled(await endpoint.read(start + 200 * HOUR))

        late = failing_again + 120 * HOUR + timedelta(seconds=1)
        await endpoint.event_then_round(late)
        read = await endpoint.read(late)
    finally:
        endpoint.receiver.stop()
    assert read["active"] is False
    assert f"failed since {failing_again.isoformat()[:19]}" in read["disabledReason"]


async def test_the_setting_sets_how_long(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    half_an_hour = dataclasses.replace(
        state, settings=state.settings.model_copy(update={"webhook_disable_after_hours": 0.5})
    )
    endpoint = Endpoint(client, admin, half_an_hour, lambda n: 503)
    start = datetime.now(UTC)
    try:
        await endpoint.subscribe(start)
        await endpoint.event_then_round(start)
        await endpoint.event_then_round(start + timedelta(minutes=29))
        assert _enabled(await endpoint.read(start + timedelta(minutes=29)))
        await endpoint.event_then_round(start + timedelta(minutes=31))
        read = await endpoint.read(start + timedelta(minutes=31))
    finally:
        endpoint.receiver.stop()
    assert endpoint.answers() == [503] * 6  # 1, then a retry and a new event, then two retries and one
    assert read["active"] is False and "every delivery failed since" in read["disabledReason"]
