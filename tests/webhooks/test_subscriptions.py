"""Admin subscriptions: created with a secret shown once, read, changed, rotated, deleted; URLs
refused where they may not receive webhooks."""

from __future__ import annotations

import base64

import httpx
import pytest
from fastapi import FastAPI

from patron.app import create_app
from tests.conftest import make_settings
from tests.webhooks.receiver import Receiver


async def test_create_shows_the_secret_once_and_get_never(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/api/v3/webhooks",
        json={
            "url": "http://127.0.0.1:8801/h",
            "eventTypes": ["contact.created", "receipt.created"],
            "description": "CRM",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"][len("whsec_") :])) >= 24
    assert body["eventTypes"] == ["contact.created", "receipt.created"]
    assert body["active"] is True and body["disabledReason"] is None
    read = await client.get(f"/api/v3/webhooks/{body['id']}", headers=admin)
    assert read.status_code == 200 and "secret" not in read.json()
    listed = await client.get("/api/v2/webhooks", headers=admin)
    assert listed.json()["totalCount"] == 1 and "secret" not in listed.json()["items"][0]

    changed = await client.patch(
        f"/api/v3/webhooks/{body['id']}", json={"eventTypes": ["*"], "active": False}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["eventTypes"] == ["*"] and changed.json()["active"] is False
    assert changed.json()["description"] == "CRM"

    rotated = await client.post(f"/api/v3/webhooks/{body['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (body["secret"], None)
    assert rotated.json()["previousSecretExpiresOn"] is not None

    assert (await client.delete(f"/api/v3/webhooks/{body['id']}", headers=admin)).status_code == 204
    gone = await client.get(f"/api/v3/webhooks/{body['id']}", headers=admin)
    assert gone.status_code == 404 and gone.json()["key"] == "WebhookNotFound"


async def test_unknown_event_type_is_400(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    answer = await client.post(
        "/api/v3/webhooks",
        json={"url": "https://example.com/h", "eventTypes": ["contact.exploded"]},
        headers=admin,
    )
    assert answer.status_code == 400 and answer.json()["key"] == "BadRequest"


async def test_integration_key_may_not_manage_webhooks(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    answer = await client.get("/api/v3/webhooks", headers=till)
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("url", "overrides"),
    [
        ("http://127.0.0.1:8802/h", {"webhook_allow_insecure": True}),  # loopback
        ("https://10.1.2.3/h", {}),  # private
        ("https://169.254.169.254/latest/meta-data", {}),  # link-local (cloud metadata)
        ("https://[::1]/h", {}),
        ("https://localhost/h", {}),  # a name resolving to loopback
        ("http://93.184.215.14/h", {}),  # public, but http without PATRON_WEBHOOK_ALLOW_INSECURE
    ],
)
async def test_refused_addresses(database_url: str, url: str, overrides: dict[str, object]) -> None:
    settings = make_settings(database_url, embedded_worker=False, **overrides)
    application: FastAPI = create_app(settings)
    async with application.router.lifespan_context(application):
        from patron.auth.roles import Role
        from tests.conftest import issue_token

        token = await issue_token(application.state.patron.database, Role.ADMIN, "refusals")
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as http:
            answer = await http.post(
                "/api/v3/webhooks", json={"url": url, "eventTypes": ["*"]}, headers={"apikey": token}
            )
    assert answer.status_code == 400, answer.text
    assert answer.json()["key"] == "WebhookUrlRefused"
    assert "code" in answer.json() and "request_id" in answer.json()


async def test_receiver_fixture_listens(client: httpx.AsyncClient) -> None:
    receiver = Receiver().start()
    try:
        async with httpx.AsyncClient() as http:
            assert (await http.post(receiver.url, content=b"{}")).status_code == 200
    finally:
        receiver.stop()
