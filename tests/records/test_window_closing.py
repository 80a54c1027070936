"""The worker's window-closing job: a challenge window that ended below target is written
failed and told as challenge.failed once, by however many workers; one still open, or
completed, is left alone; a milestone crossed tells milestone.achieved."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from patron.db.session import transaction
from patron.models import OutboxEvent
from patron.state import AppState
from patron.worker import expiry
from tests.clock import frozen_at
from tests.records.factories import make_challenge, make_member, make_milestone, send_log


async def _events(state: AppState) -> list[OutboxEvent]:
    async with transaction(state.database, write=False) as session:
        return list((await session.execute(select(OutboxEvent).order_by(OutboxEvent.seq))).scalars().all())


async def test_a_window_closed_below_target_is_told_failed_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    with frozen_at(datetime(2026, 11, 20, tzinfo=UTC)):
        await make_member(client, till, "C-1")
        await make_member(client, till, "C-2")
        challenge = await make_challenge(client, admin)
        await make_milestone(client, admin, challenge["id"], 100, {"type": "coupon"})
        assert (
            await send_log(client, till, challenge["id"], "C-1", "a", activityValue=120)
        ).status_code == 201
        assert (
            await send_log(client, till, challenge["id"], "C-2", "b", activityValue=600)
        ).status_code == 201
        assert await expiry.run_once(state) == 0  # November is still open
    with frozen_at(datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)):
        assert await expiry.run_once(state) == 1
        assert await expiry.run_once(state) == 0
        progress = (await client.get("/schema/challenge_progress/record", headers=admin)).json()["data"]
    events = await _events(state)
    failed = [event for event in events if event.type == "challenge.failed"]
    assert len(failed) == 1 and failed[0].data["currentProgressValue"] == 120
    assert failed[0].occurred_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert sum(event.type == "milestone.achieved" for event in events) == 2
    assert sorted(row["challengeProgressStatus"] for row in progress) == ["completed", "failed"]
