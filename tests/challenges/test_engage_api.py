"""Engage's documented examples: assign, checkpoints with unknown ids, one challenge in Engage's shape."""

from __future__ import annotations

import uuid

import httpx

from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact


async def test_assign_returns_true_and_again_true(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    definition = await make_definition(client, admin, isContactConsentRequired=True)
    url = f"/api/v3/challenges/definitions/{definition['id']}/assign"
    first = await client.post(url, params={"contactId": contact}, headers=till)
    again = await client.post(url, params={"contactId": contact}, headers=till)
    assert (first.status_code, first.json()) == (200, True)
    assert (again.status_code, again.json()) == (200, True)
    found = await challenges_of(client, till, contact)
    assert [(c["completedCheckpoints"], c["status"], c["isActive"]) for c in found] == [(0, 1, True)]


async def test_checkpoint_batch_reports_unknown_ids_and_applies_valid_rows(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    known = await make_contact(client, till)
    other = await make_contact(client, till)
    definition = await make_definition(client, admin)
    missing_contact, missing_definition = str(uuid.uuid4()), str(uuid.uuid4())
    rows = [
        {"definitionId": definition["id"], "contactId": known, "checkpointAmount": 1},
        {"definitionId": definition["id"], "contactId": known, "checkpointAmount": 2},
        {"definitionId": missing_definition, "contactId": other, "checkpointAmount": 2},
        {"definitionId": definition["id"], "contactId": missing_contact, "checkpointAmount": 1},
        {"definitionId": definition["id"], "contactId": other, "checkpointAmount": 0},
    ]
    response = await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
    assert response.status_code == 200
    body = response.json()
    assert body["missingContactIds"] == [missing_contact]
    assert body["missingDefinitionIds"] == [missing_definition]
    assert body["notAccepted"] == rows[2:]
    [challenge] = await challenges_of(client, till, known)
    assert challenge["completedCheckpoints"] == 3
    assert await challenges_of(client, till, other) == []


async def test_one_challenge_has_the_seed_shape(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    definition = await make_definition(client, admin)
    await client.post(
        "/api/v3/challenges/checkpoints",
        json=[{"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 2}],
        headers=till,
    )
    [listed] = await challenges_of(client, till, contact)
    response = await client.get(f"/api/v3/challenges/{listed['id']}", headers=till)
    assert response.status_code == 200
    challenge = response.json()
    seed_fields = {
        "challengeId",
        "challengeStart",
        "completedCheckpoints",
        "contactId",
        "id",
        "isActive",
        "isChallengeCompleted",
        "latestCheckpointAddedOn",
        "requiredCheckpoints",
        "status",
        "links",
    }
    assert seed_fields <= set(challenge)
    assert challenge["challengeId"] == definition["id"]
    assert (challenge["completedCheckpoints"], challenge["requiredCheckpoints"], challenge["status"]) == (
        2,
        5,
        1,
    )
    assert challenge["links"] == [
        {
            "id": listed["id"],
            "href": f"http://patron.test/api/v3/challenges/{listed['id']}",
            "method": "GET",
            "rel": "self",
        },
        {
            "id": definition["id"],
            "href": f"http://patron.test/api/v3/challenges/definitions/{definition['id']}",
            "method": "GET",
            "rel": "definition",
        },
    ]
    v2 = await client.get(f"/api/v2/challenges/{listed['id']}", headers=till)
    assert v2.json()["completedCheckpoints"] == 2


async def test_consent_required_refuses_checkpoints_until_assigned(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    definition = await make_definition(client, admin, isContactConsentRequired=True)
    row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 1}
    refused = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
    assert refused.json()["notAccepted"] == [row]
    await client.post(
        f"/api/v3/challenges/definitions/{definition['id']}/assign",
        params={"contactId": contact},
        headers=till,
    )
    accepted = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
    assert accepted.json()["notAccepted"] == []


async def test_filters_split_active_completed_and_not_completed(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    done = await make_definition(client, admin, name="done", requiredNumberOfCheckpoints=1)
    running = await make_definition(client, admin, name="running")
    ended = await make_definition(client, admin, name="ended")
    rows = [
        {"definitionId": d["id"], "contactId": contact, "checkpointAmount": 1} for d in (done, running, ended)
    ]
    await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
    await client.post(f"/api/v3/challenges/definitions/{ended['id']}/end", headers=admin)

    async def names(which: str) -> set[str]:
        return {c["challengeId"] for c in await challenges_of(client, till, contact, filter=which)}

    assert await names("Completed") == {done["id"]}
    assert await names("Active") == {running["id"]}
    assert await names("NotCompleted") == {ended["id"]}
    assert await names("All") == {done["id"], running["id"], ended["id"]}
    only = await challenges_of(client, till, contact, definitionId=running["id"])
    assert [c["challengeId"] for c in only] == [running["id"]]


async def test_definition_management_is_admin_only_and_lists_by_status(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    body = {"name": "Reviews", "requiredNumberOfCheckpoints": 5, "checkpointAssignOn": "ReceiptLineQuantity"}
    refused = await client.post("/api/v3/challenges/definitions", json=body, headers=till)
    assert refused.status_code == 403
    created = await client.post("/api/v3/challenges/definitions", json=body, headers=admin)
    draft = created.json()
    assert (draft["status"], draft["checkpointAssignOn"]) == (0, 2)
    drafts = await client.get("/api/v3/challenges/definitions", params={"status": "Draft"}, headers=till)
    assert [d["id"] for d in drafts.json()["items"]] == [draft["id"]]
    activated = await client.post(f"/api/v3/challenges/definitions/{draft['id']}/activate", headers=admin)
    assert activated.json()["status"] == 1
    renamed = await client.put(
        f"/api/v3/challenges/definitions/{draft['id']}", json={**body, "name": "Five reviews"}, headers=admin
    )
    assert renamed.json()["name"] == "Five reviews"
    contact = await make_contact(client, till)
    await client.post(
        f"/api/v3/challenges/definitions/{draft['id']}/assign", params={"contactId": contact}, headers=till
    )
    in_use = await client.delete(f"/api/v3/challenges/definitions/{draft['id']}", headers=admin)
    assert (in_use.status_code, in_use.json()["key"]) == (409, "ChallengeDefinitionInUse")
    unused = await make_definition(client, admin, name="unused")
    deleted = await client.delete(f"/api/v3/challenges/definitions/{unused['id']}", headers=admin)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/v3/challenges/definitions/{unused['id']}", headers=till)
    assert (gone.status_code, gone.json()["key"]) == (404, "ChallengeDefinitionNotFound")


async def test_more_than_a_thousand_rows_are_refused(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    row = {"definitionId": str(uuid.uuid4()), "contactId": str(uuid.uuid4()), "checkpointAmount": 1}
    response = await client.post("/api/v3/challenges/checkpoints", json=[row] * 1001, headers=till)
    assert response.status_code == 413
