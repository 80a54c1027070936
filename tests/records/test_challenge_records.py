"""The seed's challenges end to end (gamified-challenges.txt): Monthly Big Spender with a
coupon milestone, 10 Visits counting logs, a closed month failed beside the open one,
paused challenges taking nothing, a repeated uniqueIdentifier changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.clock import frozen_at
from tests.records.factories import make_challenge, make_member, make_milestone, send_log
from tests.stored_rows import stored_rows

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


async def test_monthly_big_spender_milestone_coupon_then_the_next_milestone_message(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "M-1")
        challenge = await make_challenge(client, admin)
        milestone = await make_milestone(
            client, admin, challenge["id"], 200, {"type": "coupon", "codePrefix": "SAVE5-"}
        )

        first = await send_log(
            client,
            till,
            challenge["id"],
            "M-1",
            "order-1",
            activityValue=250,
            activityAt="2026-12-02T09:00:00Z",
        )
        assert first.status_code == 201, first.text
        data = first.json()["data"]
        assert data["achievedMilestone"]["id"] == milestone["id"]
        coupon = data["achievedMilestoneRewardLog"]["couponCode"]
        assert coupon.startswith("SAVE5-") and len(coupon) == len("SAVE5-") + 10

        second = await send_log(
            client,
            till,
            challenge["id"],
            "M-1",
            "order-2",
            activityValue=100,
            activityAt="2026-12-10T09:00:00Z",
        )
        assert second.status_code == 201, second.text
        assert "achievedMilestone" not in second.json()["data"]

        listed = await client.get(
            "/schema/challenge_progress/record",
            params={"filters": f'{{"field": "challengeId", "op": "eq", "value": "{challenge["id"]}"}}'},
            headers=admin,
        )
    assert listed.status_code == 200, listed.text
    (progress,) = listed.json()["data"]
    assert progress["currentProgressValue"] == 350
    assert progress["challengeProgressStatus"] == "in_progress"
    assert (
        progress["eudMilestoneNextToBeAchievedMessage"]
        == "Shop for $150.00 or more to complete the next milestone!"
    )
    assert [log["uniqueIdentifier"] for log in progress["taskProgress"]] == ["order-1", "order-2"]
    rewards = await client.get("/schema/reward_log/record", headers=admin)
    assert [reward["couponCode"] for reward in rewards.json()["data"]] == [coupon]


async def test_completing_renders_the_completed_message(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "M-2")
        challenge = await make_challenge(client, admin)
        assert (
            await send_log(client, till, challenge["id"], "M-2", "a", activityValue=600)
        ).status_code == 201
        (progress,) = (await client.get("/schema/challenge_progress/record", headers=admin)).json()["data"]
    assert progress["challengeProgressStatus"] == "completed"
    assert progress["eudCompletedChallengeMessage"] == (
        "Congratulations! You have completed this challenge! Shop more next month to start a new challenge!"
    )


async def test_ten_visits_counts_logs_whatever_their_value(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "V-1")
        challenge = await make_challenge(
            client, admin, name="10 Visits This Month", aggregationMethod="count", completionTargetValue=10
        )
        for visit in range(3):
            made = await send_log(client, till, challenge["id"], "V-1", f"visit-{visit}", activityValue=99)
            assert made.status_code == 201, made.text
        (progress,) = (await client.get("/schema/challenge_progress/record", headers=admin)).json()["data"]
    assert progress["currentProgressValue"] == 3


async def test_last_month_failed_beside_this_month_in_progress(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "F-1")
        challenge = await make_challenge(client, admin)
        late = await send_log(
            client,
            till,
            challenge["id"],
            "F-1",
            "november",
            activityValue=100,
            activityAt="2026-11-20T10:00:00Z",
        )
        assert late.status_code == 201, late.text
        assert (
            await send_log(client, till, challenge["id"], "F-1", "december", activityValue=50)
        ).status_code == 201
        listed = (await client.get("/schema/challenge_progress/record", headers=admin)).json()["data"]
    by_period = {row["periodKey"]: row for row in listed}
    assert by_period["2026-11"]["challengeProgressStatus"] == "failed"
    assert by_period["2026-11"]["challengeFailedAt"] == "2026-12-01T00:00:00Z"
    assert by_period["2026-12"]["challengeProgressStatus"] == "in_progress"


async def test_paused_takes_no_logs_and_a_repeated_identifier_changes_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Any
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "D-1")
        paused = await make_challenge(client, admin, status="paused")
        refused = await send_log(client, till, paused["id"], "D-1", "x", activityValue=10)
        assert refused.status_code == 409 and refused.json()["key"] == "DefinitionNotLive"

        challenge = await make_challenge(client, admin)
        await make_milestone(client, admin, challenge["id"], 100, {"type": "coupon"})
        assert (
            await send_log(client, till, challenge["id"], "D-1", "same", activityValue=150)
        ).status_code == 201
        before = await stored_rows(database)
        again = await send_log(client, till, challenge["id"], "D-1", "same", activityValue=150)
        assert again.status_code == 409 and again.json()["key"] == "DuplicateUniqueIdentifier"
        assert await stored_rows(database) == before
    rewards = (await client.get("/schema/reward_log/record", headers=admin)).json()["data"]
    assert len(rewards) == 1


async def test_a_log_far_in_the_future_or_without_a_value_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        await make_member(client, till, "E-1")
        challenge = await make_challenge(client, admin)
        ahead = (NOW + timedelta(minutes=6)).isoformat()
        future = await send_log(client, till, challenge["id"], "E-1", "f", activityValue=1, activityAt=ahead)
        assert future.status_code == 400 and "future" in future.json()["message"]
        valueless = await send_log(client, till, challenge["id"], "E-1", "v")
        assert valueless.status_code == 400 and "activityValue" in valueless.json()["message"]


async def test_display_fields_per_language_fall_back_and_templates_are_checked(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    challenge = await make_challenge(client, admin, eudTitle="Big Spender")
    assert challenge["eudInProgressLabel"] == "In Progress"  # the seed's default
    path = f"/schema/challenge/record/{challenge['id']}"
    swedish = await client.patch(
        path, params={"languageCode": "sv"}, json={"eudTitle": "Storhandlare"}, headers=admin
    )
    assert swedish.status_code == 200, swedish.text
    read = {
        code: (await client.get(path, params={"languageCode": code} if code else {}, headers=admin)).json()[
            "data"
        ]
        for code in ("sv", "sv-SE", "de", None)
    }
    assert [read[code]["eudTitle"] for code in ("sv", "sv-SE", "de", None)] == [
        "Storhandlare",
        "Storhandlare",
        "Big Spender",
        "Big Spender",
    ]
    unknown = await client.patch(
        path, json={"eudFailedChallengeMessage": "Try again next {{period}}!"}, headers=admin
    )
    assert unknown.status_code == 400 and "{{period}}" in unknown.json()["message"]
    bad_language = await client.get(path, params={"languageCode": "not a language"}, headers=admin)
    assert bad_language.status_code == 400


async def test_a_live_challenge_with_progress_keeps_its_target_and_is_not_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_member(client, till, "P-1")
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}"
    assert (await client.patch(path, json={"completionTargetValue": 400}, headers=admin)).status_code == 200
    assert (await send_log(client, till, challenge["id"], "P-1", "one", activityValue=10)).status_code == 201
    moved = await client.patch(path, json={"completionTargetValue": 300}, headers=admin)
    assert moved.status_code == 409 and "completionTargetValue" in moved.json()["message"]
    assert (await client.patch(path, json={"name": "Renamed"}, headers=admin)).status_code == 200
    deleted = await client.delete(path, headers=admin)
    assert deleted.status_code == 409 and deleted.json()["key"] == "DefinitionHasProgress"
