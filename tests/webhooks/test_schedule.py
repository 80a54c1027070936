"""When a failed delivery is tried again: each retry waits its step of PATRON_WEBHOOK_RETRY_SCHEDULE
plus up to a tenth of it (never less), and after the last step the delivery has failed for
good. The pure function, then the whole loop against a real receiver that keeps failing, in
real time with a tiny schedule and in moved time with the default one."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.config import Settings
from patron.state import AppState
from patron.webhooks.schedule import next_attempt
from tests.clock import frozen_at
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Receiver

# docs/WEBHOOKS.md: "retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h and 24 h".
DOCUMENTED = [5, 300, 1800, 7200, 18000, 36000, 36000, 86400]
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
# A datetime keeps microseconds; a delay of a few days in float seconds may round by one.
ROUNDING = timedelta(microseconds=1)

delays = st.lists(st.floats(min_value=0, max_value=10 * 86400, allow_nan=False), min_size=1, max_size=12)


# The pure function.


@given(schedule=delays, seed=st.integers(0, 2**32), data=st.data())
def test_each_retry_waits_its_own_step_plus_at_most_a_tenth(
    schedule: list[float], seed: int, data: st.DataObject
) -> None:
    failed = data.draw(st.integers(1, len(schedule)), label="failed_attempts")
    step = timedelta(seconds=schedule[failed - 1])
    at = next_attempt(failed, schedule, NOW, random.Random(seed))
    assert at is not None
    assert NOW + step - ROUNDING <= at <= NOW + step * 1.1 + ROUNDING


@given(schedule=st.lists(st.floats(0, 86400), max_size=12), failed=st.integers(-3, 20))
def test_no_retry_before_a_failure_nor_after_the_last_step(schedule: list[float], failed: int) -> None:
    at = next_attempt(failed, schedule, NOW)
    assert (at is None) == (failed < 1 or failed > len(schedule))


def test_the_jitter_spreads_over_the_whole_tenth_and_only_upwards() -> None:
    rng = random.Random(20261204)
    waits = [
        (at - NOW).total_seconds()
        for at in (next_attempt(1, [100.0, 5.0], NOW, rng) for _ in range(2000))
        if at is not None
    ]
    assert len(waits) == 2000
    assert 100 <= min(waits) < 100.1 and 109.9 < max(waits) <= 110
    assert sum(waits) / len(waits) == pytest.approx(105, abs=0.5)
    # Without an rng of its own it still jitters (the module's), within the same bounds.
    unseeded = {next_attempt(2, [100.0, 5.0], NOW) for _ in range(50)}
    assert len(unseeded) > 1
    assert all(
        at is not None and NOW + timedelta(seconds=5) <= at <= NOW + timedelta(seconds=5.5) for at in unseeded
    )


def test_the_default_schedule_is_the_documented_one_and_the_setting_replaces_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings.model_fields["webhook_retry_schedule"].default == DOCUMENTED
    monkeypatch.setenv("PATRON_WEBHOOK_RETRY_SCHEDULE", "0.5, 2,10")
    assert Settings().webhook_retry_schedule == [0.5, 2.0, 10.0]


# Through the delivery loop.


async def _subscribe(client: httpx.AsyncClient, admin: dict[str, str], url: str) -> str:
    answer = await client.post("/api/v3/webhooks", json={"url": url, "eventTypes": ["*"]}, headers=admin)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def _delivery(client: httpx.AsyncClient, admin: dict[str, str], webhook_id: str) -> dict[str, Any]:
    answer = await client.get(f"/api/v3/webhooks/{webhook_id}/deliveries", headers=admin)
    assert answer.status_code == 200, answer.text
    (delivery,) = answer.json()["items"]
    return dict(delivery)


def _schedule(state: AppState, schedule: list[float]) -> AppState:
    return dataclasses.replace(
        state, settings=state.settings.model_copy(update={"webhook_retry_schedule": schedule})
    )


async def test_a_receiver_failing_is_retried_step_by_step_then_given_up_on(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    tiny = [0.2, 0.5, 1.0]
    # The loop looks for due deliveries every 0.05 s between rounds, and a round and the
    # recording of an answer take some milliseconds more (a loaded machine, many more). The
    # exact bounds are the pure function's and the moved-time test's to hold.
    slack = 0.4
    failing = Receiver(lambda n: 500).start()
    failing_twice = Receiver(lambda n: 503 if n <= 2 else 200).start()
    try:
        down = await _subscribe(client, admin, failing.url)
        flaky = await _subscribe(client, admin, failing_twice.url)
        await record_events(state, [(uuid.uuid4(), {"n": 1})])
        quick = _schedule(state, tiny)
        await deliver_until(
            quick, lambda: len(failing.received()) == len(tiny) + 1 and len(failing_twice.received()) == 3
        )
        # Given up: however long the loop goes on, nothing more is sent.
        loop = asyncio.get_running_loop()
        started = loop.time()
        await deliver_until(quick, lambda: loop.time() - started > tiny[-1] * 1.1 + slack)
    finally:
        failing.stop()
        failing_twice.stop()
    for receiver, answers in ((failing, [500] * 4), (failing_twice, [503, 503, 200])):
        hits = receiver.received()
        assert [hit.status for hit in hits] == answers
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(hits)]
        for step, gap in zip(tiny, gaps, strict=False):
            assert step <= gap <= step * 1.1 + slack, (tiny, gaps)
    given_up = await _delivery(client, admin, down)
    assert (given_up["status"], given_up["attemptCount"], given_up["nextAttemptOn"]) == ("failed", 4, None)
    assert [attempt["statusCode"] for attempt in given_up["attempts"]] == [500] * 4
    assert given_up["finishedOn"] is not None
    delivered = await _delivery(client, admin, flaky)
    assert (delivered["status"], delivered["attemptCount"]) == ("succeeded", 3)


async def test_the_default_schedule_attempt_by_attempt_in_moved_time(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    """Nine attempts of one delivery, over two days, each the moment it is due and not before."""
    documented = _schedule(state, [float(step) for step in DOCUMENTED])
    receiver = Receiver(lambda n: 503).start()
    now = datetime.now(UTC)
    try:
        with frozen_at(now):
            webhook_id = await _subscribe(client, admin, receiver.url)
            await record_events(state, [(uuid.uuid4(), {"n": 1})])
            await deliver_until(documented, lambda: True)
        assert len(receiver.received()) == 1
        for number, step in enumerate(DOCUMENTED, start=1):
            with frozen_at(now):
                pending = await _delivery(client, admin, webhook_id)
            assert (pending["status"], pending["attemptCount"]) == ("pending", number)
            due = datetime.fromisoformat(pending["nextAttemptOn"])
            # Decided when attempt `number` was recorded, at `now`.
            assert (
                now + timedelta(seconds=step) - ROUNDING
                <= due
                <= now + timedelta(seconds=step * 1.1) + ROUNDING
            )
            with frozen_at(due - timedelta(milliseconds=1)):
                await deliver_until(documented, lambda: True)
            assert len(receiver.received()) == number, f"retry {number} sent before it was due"
            now = due
            with frozen_at(now):
                await deliver_until(documented, lambda: True)
            assert len(receiver.received()) == number + 1, f"retry {number} not sent when due"
        with frozen_at(now):
            given_up = await _delivery(client, admin, webhook_id)
        with frozen_at(now + timedelta(days=30)):
            await deliver_until(documented, lambda: True)
    finally:
        receiver.stop()
    assert len(receiver.received()) == len(DOCUMENTED) + 1
    assert (given_up["status"], given_up["attemptCount"], given_up["nextAttemptOn"]) == ("failed", 9, None)
