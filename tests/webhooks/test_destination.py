"""Where a delivery goes: to the address its host was checked at, under the endpoint's own
name (so a name that resolves elsewhere between the check and the connection cannot redirect
it), and only with events that happened once the endpoint existed."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from patron.state import AppState
from patron.webhooks import addresses
from tests.webhooks.driving import deliver_until, record_events
from tests.webhooks.receiver import Receiver


def test_a_destination_is_the_checked_address_under_the_endpoint_name() -> None:
    pinned = addresses.pinned("https://hooks.example.com:8443/in?x=1", "93.184.216.34")
    assert pinned.url == "https://93.184.216.34:8443/in?x=1"
    assert pinned.host_header == "hooks.example.com:8443"
    assert pinned.server_name == "hooks.example.com"

    default_port = addresses.pinned("https://hooks.example.com/in", "2606:2800:220:1::1")
    assert default_port.url == "https://[2606:2800:220:1::1]/in"
    assert default_port.host_header == "hooks.example.com"


async def test_delivery_connects_to_the_address_checked_not_a_second_lookup(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name exists for the one lookup the delivery makes (DNS answers what the check saw);
    a second lookup would fail, since no DNS server knows it."""
    receiver = Receiver().start()
    name = "hooks.rebinding.test"
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"] if host == name else await real(host, port)

    real = addresses.resolve
    monkeypatch.setattr(addresses, "resolve", resolve)
    try:
        created = await client.post(
            "/api/v3/webhooks",
            json={"url": f"http://{name}:{receiver.port}/hooks", "eventTypes": ["*"]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        await record_events(state, [(uuid.uuid4(), {"n": 1})])
        await deliver_until(state, lambda: len(receiver.received()) == 1, seconds=20)
    finally:
        receiver.stop()
    (hit,) = receiver.received()
    assert hit.headers["host"] == f"{name}:{receiver.port}"
    assert lookups.count(name) == 1


async def test_an_endpoint_hears_only_what_happened_once_it_existed(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    receiver = Receiver().start()
    try:
        await record_events(state, [(uuid.uuid4(), {"before": True})])
        created = await client.post(
            "/api/v3/webhooks", json={"url": receiver.url, "eventTypes": ["*"]}, headers=admin
        )
        assert created.status_code == 201, created.text
        await record_events(state, [(uuid.uuid4(), {"after": True})])
        await deliver_until(state, lambda: len(receiver.received()) >= 1, seconds=20)
        # Another round, so an event wrongly fanned out would have had its chance to arrive.
        await deliver_until(state, lambda: True)
    finally:
        receiver.stop()
    assert [json.loads(hit.body)["data"] for hit in receiver.received()] == [{"after": True}]
