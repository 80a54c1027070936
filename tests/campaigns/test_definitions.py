"""Campaign definitions: ids with their prefixes, validation refusals in the dialect's words,
a rule frozen once customers have progress on it (409) while a new rule may be added, rules
left out retired, and an ended campaign taking no more events."""

from __future__ import annotations

import httpx
import pytest

from tests.campaigns.factories import awt_campaign, basic, make_campaign, progress, rta_campaign, send_event


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


async def test_created_campaign_reads_back_with_prefixed_ids(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    made = await make_campaign(client, admin, **awt_campaign())
    assert made["campaign_id"].startswith("camp_") and len(made["campaign_id"]) == 26
    [rule] = made["rules"]
    assert rule["rule_id"].startswith("valr_") and rule["time_duration"] == 172800
    assert [a["event_id"][:5] for a in rule["actions"]] == ["even_", "even_"]
    assert rule["actions"][1]["conditions"] == [{"property": "order_total", "op": "gt", "value": 199}]
    assert rule["reward"] == {"type": "coupon", "code_prefix": "TWENTY-"}
    read = (await client.get(f"/campaigns/{made['campaign_id']}", headers=admin)).json()
    assert read == made
    listed = (await client.get("/campaigns", params={"type": "loyalty"}, headers=admin)).json()
    assert listed["total"] == 1 and listed["data"][0]["campaign_id"] == made["campaign_id"]


@pytest.mark.parametrize(
    "rule",
    [
        {"action_type": "AWT", "actions": [{"event_name": "signup", "role": "benchmark"}]},
        {
            "action_type": "AWT",
            "time_duration": 60,
            "actions": [{"event_name": "signup", "role": "benchmark"}],
        },
        {"action_type": "RTA", "actions": [{"event_name": "x", "role": "trigger"}]},
        {"actions": [{"event_name": "x", "aggregation": "sum"}]},
        {"actions": [{"event_name": "x", "target": 0}]},
        {"actions": []},
        {"actions": [{"event_name": "x", "conditions": [{"property": "a", "op": "gt", "value": "ten"}]}]},
        {
            "actions": [
                {"event_name": "x", "conditions": [{"property": "a", "op": "between", "value": [5, 1]}]}
            ]
        },
        {"actions": [{"event_name": "x", "conditions": [{"property": "a", "op": "like", "value": 1}]}]},
    ],
)
async def test_bad_rules_are_400_in_the_dialects_words(
    client: httpx.AsyncClient, admin: dict[str, str], rule: dict[str, object]
) -> None:
    body = {"name": "Bad", "rules": [{"name": "r", "reward": {"type": "points", "amount": 1}, **rule}]}
    answer = await client.post("/campaigns", json=body, headers=admin)
    assert answer.status_code == 400, answer.text
    assert answer.json()["key"] == "bad_request"
    assert (await client.get("/campaigns", headers=admin)).json()["total"] == 0


async def test_a_promotion_reward_must_exist(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = {
        "name": "Offer",
        "rules": [
            {
                "name": "r",
                "reward": {"type": "promotion", "promotion_id": "6c1f3f5e-8a43-4b7e-9a55-0b0d7f1f3c11"},
                "actions": [{"event_name": "x"}],
            }
        ],
    }
    answer = await client.post("/campaigns", json=body, headers=admin)
    assert answer.status_code == 404 and answer.json()["key"] == "promotion_not_found"


async def test_a_rule_with_progress_cannot_change_but_a_new_rule_can_be_added(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    made = await make_campaign(client, admin, **rta_campaign())
    campaign_id = made["campaign_id"]
    rule_1, rule_2 = made["rules"]
    await send_event(client, shop, "order_success", "E-1")

    changed = rta_campaign()["rules"]
    changed[0] = {**changed[0], "rule_id": rule_1["rule_id"], "reward": {"type": "points", "amount": 75}}
    changed[1] = {**changed[1], "rule_id": rule_2["rule_id"]}
    refused = await client.patch(f"/campaigns/{campaign_id}", json={"rules": changed}, headers=admin)
    assert refused.status_code == 409 and refused.json()["key"] == "rule_in_progress"
    assert refused.json()["details"] == {"rule_id": rule_1["rule_id"]}

    # Rule 2 has no progress: it may change. Rule 1 is renamed only, and a new version added.
    kept = {**rta_campaign()["rules"][0], "rule_id": rule_1["rule_id"], "name": "Rule 1 (first version)"}
    new_version = {
        **rta_campaign()["rules"][0],
        "name": "Rule 1, v2",
        "reward": {"type": "points", "amount": 75},
    }
    rule_2_changed = {
        **rta_campaign()["rules"][1],
        "rule_id": rule_2["rule_id"],
        "actions": [{"event_name": "kyc_done"}],
    }
    answer = await client.patch(
        f"/campaigns/{campaign_id}", json={"rules": [kept, rule_2_changed, new_version]}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    rules = answer.json()["rules"]
    assert [r["rule_name"] for r in rules] == ["Rule 1 (first version)", "Rule 2", "Rule 1, v2"]
    assert rules[1]["actions"][0]["event_name"] == "kyc_done"

    # Retire the first version: the customer's progress on it still shows.
    answer = await client.patch(
        f"/campaigns/{campaign_id}", json={"rules": [rule_2_changed, new_version]}, headers=admin
    )
    assert [r["rule_name"] for r in answer.json()["rules"]] == ["Rule 2", "Rule 1, v2"]
    [shown] = await progress(client, shop, "E-1", campaign_id=campaign_id)
    assert [r["rule_name"] for r in shown["rules"]] == ["Rule 2", "Rule 1, v2", "Rule 1 (first version)"]
    await send_event(client, shop, "order_success", "E-1")
    [shown] = await progress(client, shop, "E-1", campaign_id=campaign_id)
    assert [r["actions"][1]["current"] for r in shown["rules"] if r["rule_name"].startswith("Rule 1")] == [
        1,
        1,
    ]


async def test_an_ended_campaign_takes_no_events_and_cannot_change(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    made = await make_campaign(client, admin, **rta_campaign())
    ended = await client.post(f"/campaigns/{made['campaign_id']}/end", headers=admin)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    await send_event(client, shop, "order_success", "X-1")
    assert await progress(client, shop, "X-1") == []
    again = await client.patch(f"/campaigns/{made['campaign_id']}", json={"name": "Back"}, headers=admin)
    assert again.status_code == 409 and again.json()["key"] == "campaign_ended"
    missing = await client.get("/campaigns/camp_nothing", headers=admin)
    assert missing.status_code == 404 and missing.json()["key"] == "not_found"


async def test_integrations_may_read_but_not_define_campaigns(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    answer = await client.post("/campaigns", json=rta_campaign(), headers=shop)
    assert answer.status_code == 403 and answer.json()["key"] == "forbidden"
    assert (await client.get("/campaigns", headers=shop)).status_code == 200
