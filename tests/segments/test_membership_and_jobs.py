"""Members are kept by the worker (at once for a new segment, on demand, on schedule); an
assignment job gives the promotion to each member exactly once, run twice or taken over after
its worker died half way."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from patron.app import create_app
from patron.auth.roles import Role
from patron.config import Settings
from patron.db.engine import Database
from patron.db.session import transaction
from patron.kit import clock
from patron.models import PromotionAssignment
from patron.segments import jobs
from patron.state import AppState
from patron.worker import segments as segment_worker
from tests.conftest import _empty_tables, issue_token
from tests.factories import make_contact_id
from tests.promotions.factories import make_promotion

MALMO = {"field": "city", "op": "eq", "value": "Malmö"}


async def _segment(
    client: httpx.AsyncClient, admin: dict[str, str], name: str, rule: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post("/api/v3/segments", json={"name": name, "rule": rule}, headers=admin)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def _assign_segment(
    client: httpx.AsyncClient, admin: dict[str, str], promotion_id: str, segment_id: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v3/promotions/multichannels/{promotion_id}/assign-segment",
        json={"segmentId": segment_id, **fields},
        headers=admin,
    )


async def _until(check: Any, seconds: float = 20) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await check()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.05)


@pytest.mark.embedded_worker
async def test_the_worker_refreshes_a_new_segment_and_again_on_demand(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    first = [await make_contact_id(client, till, city="Malmö") for _ in range(3)]
    await make_contact_id(client, till, city="Lund")
    made = await client.post("/api/v3/segments", json={"name": "Malmö", "rule": MALMO}, headers=admin)
    assert made.status_code == 201, made.text
    segment = made.json()

    async def refreshed() -> dict[str, Any] | None:
        found = (await client.get(f"/api/v3/segments/{segment['id']}", headers=admin)).json()
        return found if found["refreshedOn"] is not None else None

    assert (await _until(refreshed))["memberCount"] == 3
    page = await client.get(f"/api/v3/segments/{segment['id']}/contacts", params={"count": 2}, headers=admin)
    assert page.json()["totalCount"] == 3
    assert len(page.json()["items"]) == 2
    rest = await client.get(
        f"/api/v3/segments/{segment['id']}/contacts", params={"offset": 2, "count": 2}, headers=admin
    )
    listed = [m["contactId"] for m in page.json()["items"] + rest.json()["items"]]
    assert sorted(listed) == sorted(first)
    later = await make_contact_id(client, till, city="Malmö")
    before = (await refreshed() or {})["refreshedOn"]
    asked = await client.post(f"/api/v3/segments/{segment['id']}/refresh", headers=admin)
    assert asked.status_code == 202

    async def counted_again() -> bool:
        found = await refreshed()
        return found is not None and found["refreshedOn"] != before and found["memberCount"] == 4

    await _until(counted_again)
    members = await client.get(f"/api/v3/segments/{segment['id']}/contacts", headers=admin)
    assert later in {m["contactId"] for m in members.json()["items"]}


@pytest.fixture
async def quiet_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """An application without its embedded worker: the test plays the worker itself."""
    application = create_app(settings, background=False)
    async with application.router.lifespan_context(application):
        yield application


async def _assignments(database: Database, promotion: str) -> dict[str, int]:
    async with transaction(database, write=False) as session:
        stmt = (
            select(PromotionAssignment.contact_id, func.count())
            .where(PromotionAssignment.promotion_id == uuid.UUID(promotion))
            .group_by(PromotionAssignment.contact_id)
        )
        return {str(contact): int(n) for contact, n in (await session.execute(stmt)).all()}


async def test_a_job_assigns_each_member_once_even_taken_over_half_way_and_run_twice(
    quiet_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    state: AppState = quiet_app.state.patron
    await _empty_tables(state.database)
    admin = {"apikey": await issue_token(state.database, Role.ADMIN)}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=quiet_app), base_url="http://patron.test"
    ) as client:
        members = {await make_contact_id(client, admin, city="Malmö") for _ in range(7)}
        await make_contact_id(client, admin, city="Lund")
        segment = await _segment(client, admin, "Malmö", MALMO)
        offer = await make_promotion(client, admin)
        queued = await _assign_segment(client, admin, offer["id"], segment["id"], rowsPerSecond=3)
        assert queued.status_code == 202, queued.text
        job = queued.json()
        assert (job["status"], job["processed"]) == ("Queued", 0)
        # A worker takes the job, assigns one batch of three, and dies.
        custom = frozenset(state.settings.contact_custom_attributes)
        async with transaction(state.database) as session:
            ticket = await jobs.take_next(session, custom, state.settings.zone)
        assert ticket is not None
        async with transaction(state.database) as session:
            stale = await jobs.assign_batch(session, ticket)
        assert stale is not None
        progress = (await client.get(f"/api/v3/assignment-jobs/{job['id']}", headers=admin)).json()
        assert (progress["status"], progress["total"], progress["processed"], progress["assigned"]) == (
            "Running",
            7,
            3,
            3,
        )
        # Its lease holds the job for a while: nobody else takes it.
        assert not await segment_worker.run_one_job(state)
        later = clock.now() + jobs.LEASE + timedelta(seconds=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        monkeypatch.setattr(jobs, "pause_after", lambda ticket, done, elapsed: 0.0)
        assert await segment_worker.run_one_job(state)
        # The dead worker's ticket, were it to wake up, is no longer good for anything.
        async with transaction(state.database) as session:
            assert await jobs.assign_batch(session, stale) is None
        done = (await client.get(f"/api/v3/assignment-jobs/{job['id']}", headers=admin)).json()
        assert (done["status"], done["processed"], done["assigned"]) == ("Done", 7, 7)
        assert await _assignments(state.database, offer["id"]) == {member: 1 for member in members}
        # The same promotion to the same segment again: nobody gets a second one.
        again = await _assign_segment(client, admin, offer["id"], segment["id"])
        assert await segment_worker.run_one_job(state)
        second = (await client.get(f"/api/v3/assignment-jobs/{again.json()['id']}", headers=admin)).json()
        assert (second["status"], second["processed"], second["assigned"]) == ("Done", 7, 0)
        assert await _assignments(state.database, offer["id"]) == {member: 1 for member in members}


async def test_a_job_for_a_promotion_not_active_or_an_unknown_segment_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    segment = (
        await client.post(
            "/api/v3/segments",
            json={"name": "All", "rule": {"field": "contactType", "op": "eq", "value": "Member"}},
            headers=admin,
        )
    ).json()
    draft = await make_promotion(client, admin, activate=False)
    refused = await _assign_segment(client, admin, draft["id"], segment["id"])
    assert (refused.status_code, refused.json()["key"]) == (409, "PromotionNotActive")
    offer = await make_promotion(client, admin)
    unknown = await _assign_segment(client, admin, offer["id"], "00000000-0000-0000-0000-000000000001")
    assert (unknown.status_code, unknown.json()["key"]) == (404, "SegmentNotFound")
    missing = await client.get("/api/v3/assignment-jobs/00000000-0000-0000-0000-000000000001", headers=admin)
    assert (missing.status_code, missing.json()["key"]) == (404, "AssignmentJobNotFound")


async def test_a_promotion_given_to_a_segment_is_kept_even_when_nobody_was_in_it(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    nobody = {"field": "city", "op": "eq", "value": "Atlantis"}
    segment = await _segment(client, admin, "Nobody", nobody)
    offer = await make_promotion(client, admin)
    queued = await _assign_segment(client, admin, offer["id"], segment["id"])
    assert queued.status_code == 202, queued.text
    deleted = await client.delete(f"/api/v3/promotions/multichannels/{offer['id']}", headers=admin)
    assert (deleted.status_code, deleted.json()["key"]) == (409, "PromotionHasAssignments")
    job = await client.get(f"/api/v3/assignment-jobs/{queued.json()['id']}", headers=admin)
    assert (job.status_code, job.json()["promotionId"]) == (200, offer["id"])
