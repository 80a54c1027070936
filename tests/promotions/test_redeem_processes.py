"""Exactly once across processes: 50 concurrent redeems against `patron serve --workers 2` on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.promotions.factories import promotion_body

PORTS = range(8200, 8300)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8200-8299")


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, dict[str, str]]]:
    url = await _create_postgres_database()
    token = f"pk_redeemtest.{secrets.token_urlsafe(24)}"
    port = _free_port()
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_BOOTSTRAP_ADMIN_KEY": token,
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
    }
    patron = str(Path(sys.executable).with_name("patron"))
    # Popen returns at once; the server runs on its own while the test talks to it over HTTP.
    process = subprocess.Popen(  # noqa: ASYNC220
        [patron, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as http:
            while True:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                try:
                    if (await http.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)
        yield base, {"apikey": token}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        await _drop_postgres_database(url)


async def test_fifty_concurrent_redeems_on_two_server_processes_make_one_redemption(
    server: tuple[str, dict[str, str]],
) -> None:
    base, admin = server
    async with httpx.AsyncClient(base_url=base, headers=admin, timeout=60) as http:
        contact = (await http.post("/api/v3/contacts", json={"email": "multi@example.com"})).json()["id"]
        promotion = (await http.post("/api/v3/promotions/multichannels", json=promotion_body())).json()["id"]
        assert (await http.post(f"/api/v3/promotions/multichannels/{promotion}/activate")).status_code == 200
        assigned = await http.post(
            "/api/v3/promotion-assignments", json={"contactId": contact, "promotionId": promotion}
        )
        assignment = assigned.json()["id"]

    limits = httpx.Limits(max_connections=50, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, headers=admin, timeout=60, limits=limits) as http:
        url = f"/api/v3/promotion-assignments/{assignment}/redeem"
        responses = await asyncio.gather(
            *(http.post(url, json={"redemptionChannel": "POS"}) for _ in range(50))
        )
    outcomes = Counter((r.status_code, r.json().get("key")) for r in responses)
    assert outcomes == {(200, None): 1, (409, "PromotionAlreadyRedeemed"): 49}
