"""A call answered directly (below FastAPI's router) is answered exactly as FastAPI answers it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from patron.app import create_app
from tests.challenges.factories import make_definition
from tests.conftest import make_settings
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt
from tests.records.factories import make_challenge, make_member, make_milestone


@pytest.fixture
async def through_fastapi(database_url: str, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url, direct_routes=False), background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as http:
            yield http


def _comparable(response: httpx.Response) -> tuple[int, Any, str | None, str | None]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
        if "id" in body:  # a stored receipt: its own ids, in its links too
            body["links"] = [link["href"].replace(body.pop("id"), "ID") for link in body["links"]]
            body.pop("uniqueReceiptId")
    return (
        response.status_code,
        body,
        response.headers.get("content-type"),
        response.headers.get("idempotent-replayed"),
    )


async def test_receipts_are_answered_alike_directly_and_through_fastapi(
    client: httpx.AsyncClient, through_fastapi: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    stored = receipt(contact, store)
    assert (await client.post("/api/v3/receipts", json=stored, headers=till)).status_code == 201
    new = receipt(contact, store)
    cases: list[tuple[str, dict[str, Any], Any]] = [
        ("new", till, None),
        ("replayed", till, stored),
        ("changed under the same id", till, {**stored, "receiptNumber": "other"}),
        (
            "unknown contact",
            till,
            receipt(contact, store, contact={"matchKey": "no@example.com", "matchKeyType": "Email"}),
        ),
        ("unknown store", till, receipt(contact, "NOWHERE")),
        ("a field missing", till, {k: v for k, v in receipt(contact, store).items() if k != "currency"}),
        ("a bad line", till, receipt(contact, store, items=[line(quantity=-1)])),
        # Ignored, and stored once by each: a new receipt for each.
        ("an unknown field", till, lambda n: {**new, "uniqueReceiptId": f"R-mood-{n}", "mood": "happy"}),
        ("not an object", till, [1, 2, 3]),
        ("no credentials", {}, receipt(contact, store)),
        ("a wrong key", {"apikey": "pk_nobody.wrongwrongwrongwrong"}, receipt(contact, store)),
    ]
    for name, headers, body in cases:
        answers = []
        for http in (client, through_fastapi):
            if body is None:
                sent = {**new, "uniqueReceiptId": f"R-new-{len(answers)}"}
            else:
                sent = body(len(answers)) if callable(body) else body
            answers.append(_comparable(await http.post("/api/v3/receipts", json=sent, headers=headers)))
        assert answers[0] == answers[1], name


@pytest.mark.parametrize("sent", [b"{not json", b"", b"[1, 2", b"null", b'"text"', b"\xab\xcd not text"])
@pytest.mark.parametrize("credentials", [True, False])
async def test_a_body_that_is_not_a_receipt_is_refused_alike(
    client: httpx.AsyncClient,
    through_fastapi: httpx.AsyncClient,
    till: dict[str, str],
    sent: bytes,
    credentials: bool,
) -> None:
    headers = {**(till if credentials else {}), "content-type": "application/json"}
    direct, fastapi = [
        _comparable(await http.post("/api/v3/receipts", content=sent, headers=headers))
        for http in (client, through_fastapi)
    ]
    assert direct == fastapi
    assert direct[0] in (400, 401)


async def test_checkpoint_batches_are_answered_alike_directly_and_through_fastapi(
    client: httpx.AsyncClient, through_fastapi: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    definition = (await make_definition(client, admin, requiredNumberOfCheckpoints=3))["id"]
    nobody = "00000000-0000-4000-8000-000000000000"

    def rows(contact: str, name: str) -> Any:
        row = {"definitionId": definition, "contactId": contact, "checkpointAmount": 1}
        return {
            "applied": [row, row],
            "unknown ids": [row, {**row, "contactId": nobody}, {**row, "definitionId": nobody}],
            "not accepted": [{**row, "checkpointAmount": 0}],
            "completed": [row, row],
            "empty": [],
            "too many rows": [row] * 1001,
            "a field missing": [{"definitionId": definition, "contactId": contact}],
            "an amount too big": [{**row, "checkpointAmount": 2**31}],
            "not a list": row,
            "no credentials": [row],
            "the wrong shape, no credentials": row,
            "not JSON": b'[{"definitionId": ',
            "not JSON, no credentials": b"[{",
        }[name]

    # One contact each way, so both see the same cards.
    contacts = [await make_contact(client, till), await make_contact(client, till)]
    for name in (
        "applied",
        "unknown ids",
        "not accepted",
        "completed",
        "empty",
        "too many rows",
        "a field missing",
        "an amount too big",
        "not a list",
        "no credentials",
        "the wrong shape, no credentials",
        "not JSON",
        "not JSON, no credentials",
    ):
        headers = {} if name.endswith("no credentials") else till
        answers = []
        for http, contact in zip((client, through_fastapi), contacts, strict=True):
            body = rows(contact, name)
            sent = {"content": body, "headers": {**headers, "content-type": "application/json"}}
            response = await http.post(
                "/api/v3/challenges/checkpoints",
                **(sent if isinstance(body, bytes) else {"json": body, "headers": headers}),
            )
            answer = _comparable(response)
            answers.append(json.loads(json.dumps(answer).replace(contact, "CONTACT")))
        assert answers[0] == answers[1], name
    # Both ways applied the same rows: the card completed on the third, the fourth refused.
    for contact in contacts:
        listed = await client.get("/api/v3/challenges", params={"contactId": contact}, headers=till)
        assert [item["completedCheckpoints"] for item in listed.json()["items"]] == [3]


def _spelled(body: dict[str, Any], unique_id: str, spelling: str) -> bytes:
    """`body` as bytes a till might send, valid JSON for Python's reader but spelled unusually."""
    text = json.dumps({**body, "uniqueReceiptId": unique_id})
    amount = '"totalGrossPrice": 100.0'
    assert amount in text
    if spelling == "amounts as exponents":
        return (
            text.replace(amount, '"totalGrossPrice": 1e2')
            .replace('"value": 100.0', '"value": 1.000E+2')
            .encode()
        )
    if spelling == "amounts with trailing zeros":
        return text.replace(amount, '"totalGrossPrice": 100.000').encode()
    if spelling == "an amount that is NaN":
        return text.replace(amount, '"totalGrossPrice": NaN').encode()
    if spelling == "NaN in extraData":
        return text.replace(amount, f'{amount}, "extraData": {{"score": NaN}}').encode()
    if spelling == "a key twice":
        return text.replace(amount, f'"totalGrossPrice": "nothing", {amount}').encode()
    if spelling == "a byte order mark":
        return b"\xef\xbb\xbf" + text.encode()
    if spelling == "UTF-16":
        return text.encode("utf-16-le")
    raise AssertionError(spelling)


@pytest.mark.parametrize(
    "spelling",
    [
        "amounts as exponents",
        "amounts with trailing zeros",
        "an amount that is NaN",
        "NaN in extraData",
        "a key twice",
        "a byte order mark",
        "UTF-16",
    ],
)
async def test_receipts_spelled_unusually_are_answered_alike(
    client: httpx.AsyncClient,
    through_fastapi: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    backend: str,
    spelling: str,
) -> None:
    """The direct route validates a receipt from its bytes; where that reader is stricter than
    Python's (NaN, a byte order mark, UTF-16) or reads numbers differently (1e2 is Decimal 100,
    json.loads makes it 100.0), the answer is still FastAPI's."""
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    headers = {**till, "content-type": "application/json"}
    answers = []
    for n, http in enumerate((client, through_fastapi)):
        sent = _spelled(body, f"R-spelled-{n}", spelling)
        answers.append(_comparable(await http.post("/api/v3/receipts", content=sent, headers=headers)))
    assert answers[0] == answers[1]
    # A duplicate key: api/json_bodies.py. NaN in extraData: PostgreSQL's jsonb has none.
    refused = spelling in ("an amount that is NaN", "a key twice")
    unstorable = spelling == "NaN in extraData" and backend == "postgresql"
    assert answers[0][0] == (400 if refused or unstorable else 201)
    if unstorable:
        return  # nothing was stored, so there is nothing to replay
    # Sent again the other way, spelled plainly (NaN has no plain spelling): the same receipt,
    # a replay, whichever way stored it.
    for n, http in enumerate((through_fastapi, client)):
        plain = {**body, "uniqueReceiptId": f"R-spelled-{n}"}
        again = await http.post(
            "/api/v3/receipts",
            **(
                {"content": _spelled(body, f"R-spelled-{n}", spelling), "headers": headers}
                if spelling == "NaN in extraData"
                else {"json": plain, "headers": till}
            ),
        )
        assert again.status_code == (201 if refused else 200)
        assert again.headers.get("idempotent-replayed") == (None if refused else "true")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _shape(value: Any) -> Any:
    """What two answers must share though their ids, instants and coupon codes differ: every
    key, status, value and message, with each id, instant and code's random part masked."""
    if isinstance(value, dict):
        return {
            key: _shape(item) for key, item in value.items() if key not in ("request_id", "uniqueIdentifier")
        }
    if isinstance(value, list):
        return [_shape(item) for item in value]
    if isinstance(value, str):
        masked = _INSTANT.sub("INSTANT", _UUID.sub("ID", value))
        return re.sub(r"^SAVE5-\w+$", "SAVE5-CODE", masked)
    return value


async def test_record_logs_are_answered_alike_directly_and_through_fastapi(
    client: httpx.AsyncClient, through_fastapi: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    challenge = await make_challenge(client, admin)
    await make_milestone(client, admin, challenge["id"], 200, {"type": "coupon", "codePrefix": "SAVE5-"})
    members = [await make_member(client, till, f"D-{n}") for n in range(2)]

    def log(member: str, key: str, **fields: Any) -> dict[str, Any]:
        return {"challengeId": challenge["id"], "ownedById": member, "uniqueIdentifier": key, **fields}

    cases: list[tuple[str, dict[str, str], Any]] = [
        ("crosses the milestone", till, lambda member: log(member, "first", activityValue=250)),
        ("counts on", till, lambda member: log(member, "second", activityValue=100)),
        ("a repeated uniqueIdentifier", till, lambda member: log(member, "second", activityValue=100)),
        (
            "an unknown challenge",
            till,
            lambda member: {**log(member, "x", activityValue=1), "challengeId": str(uuid.uuid4())},
        ),
        ("an unknown member", till, lambda member: log("nobody", "y", activityValue=1)),
        ("no value for a sum", till, lambda member: log(member, "z")),
        ("not an object", till, lambda member: [1, 2]),
        ("no credentials", {}, lambda member: log(member, "w", activityValue=1)),
    ]
    for name, headers, body in cases:
        answers = []
        for http, member in zip((client, through_fastapi), members, strict=True):
            response = await http.post("/schema/challenge_log/record", json=body(member), headers=headers)
            answers.append(
                (response.status_code, response.headers.get("content-type"), _shape(response.json()))
            )
        assert answers[0] == answers[1], name
    assert [answer[0] for answer in answers] == [401, 401]
    first = await client.get(
        "/schema/challenge_progress/record", params={"ownedById": members[0]}, headers=admin
    )
    assert first.json()["data"][0]["currentProgressValue"] == 350
