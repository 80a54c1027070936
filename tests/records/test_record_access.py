"""Who may do what on the record routes (API.md §2, "Auth"): admins everything, integrations
logs and reads, end users reads of live definitions and of their own progress, logs and
reward logs (another member's is 404), guests reads of live definitions and their live
milestones, and refused or wrong credentials 401, never a guest's view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from tests.clock import frozen_at

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


async def _world(client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    for name in ("OWN", "OTHER"):
        made = await client.post("/api/v3/contacts", json={"externalId": name}, headers=till)
        assert made.status_code in (200, 201), made.text
        ids[name] = made.json()["id"]
    base = {
        "description": "d",
        "completionTargetValue": 500,
        "aggregationMethod": "sum",
        "aggregationPeriod": "monthly",
    }
    for status in ("live", "draft"):
        made = await client.post(
            "/schema/challenge/record", json={"name": status, "status": status, **base}, headers=admin
        )
        assert made.status_code == 201, made.text
        ids[status] = made.json()["data"]["id"]
    milestone = await client.post(
        "/schema/milestone/record",
        json={
            "linkedSchemaSlug": "challenge",
            "linkedSchemaRecordId": ids["live"],
            "name": "m",
            "milestoneTargetValue": 100,
            "reward": {"type": "coupon"},
        },
        headers=admin,
    )
    assert milestone.status_code == 201, milestone.text
    ids["milestone"] = milestone.json()["data"]["id"]
    for owner in ("OWN", "OTHER"):
        logged = await client.post(
            "/schema/challenge_log/record",
            json={
                "challengeId": ids["live"],
                "ownedById": owner,
                "uniqueIdentifier": owner,
                "activityValue": 150,
            },
            headers=till,
        )
        assert logged.status_code == 201, logged.text
        ids[f"log-{owner}"] = logged.json()["data"]["id"]
        ids[f"progress-{owner}"] = logged.json()["data"]["progress"]["id"]
        ids[f"reward-{owner}"] = logged.json()["data"]["achievedMilestoneRewardLog"]["id"]
    return ids


async def _end_user(client: httpx.AsyncClient, till: dict[str, str], contact_id: str) -> dict[str, str]:
    minted = await client.post("/api/v3/end-user-tokens", json={"contactId": contact_id}, headers=till)
    assert minted.status_code in (200, 201), minted.text
    body = minted.json()
    return {"x-enduser-access-token": body["token"], "x-account-id": body["accountId"]}


async def test_each_caller_reads_and_writes_only_what_it_may(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        ids = await _world(client, admin, till)
        own = await _end_user(client, till, ids["OWN"])
        callers = {"admin": admin, "integration": till, "end user": own, "guest": {}}

        async def status(method: str, path: str, who: str, body: Any = None) -> int:
            answer = await client.request(method, path, json=body, headers=callers[who])
            assert answer.status_code < 500, answer.text
            return answer.status_code

        new_challenge = {"name": "n", "description": "d", "status": "draft", "completionTargetValue": 1}
        for who, allowed in (("admin", 201), ("integration", 403), ("end user", 401), ("guest", 401)):
            assert await status("POST", "/schema/challenge/record", who, new_challenge) == allowed, who
        log = {"challengeId": ids["live"], "ownedById": "OWN", "uniqueIdentifier": "x", "activityValue": 1}
        for who, allowed in (("integration", 201), ("end user", 401), ("guest", 401)):
            assert await status("POST", "/schema/challenge_log/record", who, log) == allowed, who

        # Definitions: staff see drafts, end users and guests live ones only.
        for who in ("admin", "integration"):
            assert await status("GET", f"/schema/challenge/record/{ids['draft']}", who) == 200
        for who in ("end user", "guest"):
            assert await status("GET", f"/schema/challenge/record/{ids['draft']}", who) == 404
            assert await status("GET", f"/schema/challenge/record/{ids['live']}", who) == 200
            assert await status("GET", f"/schema/milestone/record/{ids['milestone']}", who) == 200
            listed = await client.get("/schema/challenge/record", headers=callers[who])
            assert [row["name"] for row in listed.json()["data"]] == ["live"]

        # A member's own records: the end user sees theirs, not the other member's (404, no BOLA).
        for kind, prefix in (
            ("challenge_log", "log"),
            ("challenge_progress", "progress"),
            ("reward_log", "reward"),
        ):
            assert await status("GET", f"/schema/{kind}/record/{ids[f'{prefix}-OWN']}", "end user") == 200
            assert await status("GET", f"/schema/{kind}/record/{ids[f'{prefix}-OTHER']}", "end user") == 404
            assert await status("GET", f"/schema/{kind}/record/{ids[f'{prefix}-OWN']}", "guest") == 404
            assert (
                await status("GET", f"/schema/{kind}/record/{ids[f'{prefix}-OTHER']}", "integration") == 200
            )
            listed = await client.get(f"/schema/{kind}/record", headers=own)
            assert {row["ownedById"] for row in listed.json()["data"]} == {ids["OWN"]}, kind
            assert (await client.get(f"/schema/{kind}/record")).json()["data"] == []

        for who, allowed in (("admin", 200), ("integration", 403), ("end user", 401), ("guest", 401)):
            path = f"/schema/reward_log/record/{ids['reward-OWN']}"
            assert await status("PATCH", path, who, {"couponCode": "FIXED-1"}) == allowed, who

        # Icons: admins change them; whoever may read the definition fetches its icon.
        png = {"file": ("i.png", b"\x89PNG\r\n\x1a\n" + bytes(20), "image/png")}
        for who, allowed in (("admin", 200), ("integration", 403), ("end user", 401), ("guest", 401)):
            for definition in ("live", "draft"):
                path = f"/schema/challenge/record/{ids[definition]}/eudIcon"
                answer = await client.put(path, files=png, headers=callers[who])
                assert answer.status_code == allowed, (who, definition, answer.text)
                assert (await client.delete(path, headers=callers[who])).status_code == (
                    204 if who == "admin" else allowed
                ), who
        for who, draft_allowed in (("admin", 200), ("integration", 200), ("end user", 404), ("guest", 404)):
            live = await client.get(f"/schema/challenge/record/{ids['live']}/eudIcon", headers=callers[who])
            assert live.status_code == 200, who
            draft = await client.get(f"/schema/challenge/record/{ids['draft']}/eudIcon", headers=callers[who])
            assert draft.status_code == draft_allowed, who


async def test_refused_tokens_are_401_not_a_guest_view(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    with frozen_at(NOW):
        ids = await _world(client, admin, till)
        own = await _end_user(client, till, ids["OWN"])
        token = own["x-enduser-access-token"]
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        forged = jwt.encode(
            claims,
            "a secret that is not the key's own, long enough",
            algorithm="HS256",
            headers={"kid": header["kid"]},
        )
        unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": header["kid"]})
        wrong_account = {**own, "x-account-id": "someone-else"}
        refused = [
            {**own, "x-enduser-access-token": forged},
            {**own, "x-enduser-access-token": unsigned},
            wrong_account,
            {"x-api-key": "pk_nobody", "x-api-secret": "not-a-secret-at-all"},
        ]
        for headers in refused:
            answer = await client.get("/schema/challenge/record", headers=headers)
            assert answer.status_code == 401, (headers, answer.text)
    with frozen_at(NOW + timedelta(minutes=31)):
        expired = await client.get("/schema/challenge/record", headers=own)
        assert expired.status_code == 401
