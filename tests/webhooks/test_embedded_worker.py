"""`make serve` alone delivers: a `patron serve` process on its embedded SQLite database runs
the worker's loops itself, so a contact created through its API reaches a subscribed
receiver, signed, with no `patron worker` running."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from standardwebhooks.webhooks import Webhook

from patron.auth.roles import Role
from patron.config import Settings
from patron.db import migrate
from patron.db.engine import create_database
from tests.conftest import issue_token
from tests.reliability.server import ServerProcess
from tests.webhooks.receiver import Receiver


async def test_patron_serve_on_sqlite_delivers_by_itself(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'patron.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    database = create_database(Settings(database_url=url))
    try:
        admin = {"apikey": await issue_token(database, Role.ADMIN, "back office")}
    finally:
        await database.dispose()
    receiver = Receiver().start()
    server = ServerProcess(
        url, tmp_path / "server.log", webhook_allow_private="true", webhook_allow_insecure="true"
    )
    try:
        await asyncio.to_thread(server.start)
        async with httpx.AsyncClient(base_url=server.url, headers=admin, timeout=30) as http:
            made = await http.post(
                "/api/v3/webhooks", json={"url": receiver.url, "eventTypes": ["contact.created"]}
            )
            assert made.status_code == 201, made.text
            secret = made.json()["secret"]
            contact = await http.post("/api/v3/contacts", json={"email": "embedded@example.com"})
            assert contact.status_code == 201, contact.text
        deadline = asyncio.get_running_loop().time() + 60
        while not receiver.received():
            assert asyncio.get_running_loop().time() < deadline, (tmp_path / "server.log").read_text()
            await asyncio.sleep(0.1)
    finally:
        server.stop()
        receiver.stop()
    (hit,) = receiver.received()
    verified = Webhook(secret).verify(hit.body, hit.headers)
    assert verified["type"] == "contact.created"
    assert json.loads(hit.body)["data"]["id"] == contact.json()["id"]
