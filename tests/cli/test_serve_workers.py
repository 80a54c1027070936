"""`patron serve` as a user runs it: migrations, the bootstrap key, and several processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "pk_servetest.0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    url: str, workers: int, env_extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_ACCESS_LOG": "false",
        **(env_extra or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "patron", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(process.communicate()[0].decode())


def stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output.decode()


def test_two_workers_on_postgres_serve_from_two_processes(fresh_postgres_url: str) -> None:
    process, base = start_server(fresh_postgres_url, 2, {"PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN})
    try:
        headers = {"apikey": TOKEN}
        pids: set[int] = set()
        created: list[str] = []
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(40):
                response = client.post("/api/v3/contacts", json={"externalId": f"W-{n}"}, headers=headers)
                assert response.status_code == 201, response.text
                created.append(response.json()["id"])
        for _ in range(200):
            with httpx.Client(base_url=base, timeout=10) as fresh:  # a new connection may land on either
                pids.add(fresh.get("/healthz").json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2
        with httpx.Client(base_url=base, timeout=10) as client:
            for n, contact_id in enumerate(created):
                found = client.get("/api/v3/contacts/id", params={"externalId": f"W-{n}"}, headers=headers)
                assert found.json() == contact_id
            metrics = client.get("/metrics").text
            assert "patron_http_request_duration_seconds" in metrics
    finally:
        stop(process)


def test_serve_on_a_fresh_sqlite_file_creates_and_prints_an_admin_key(tmp_path: Path) -> None:
    process, base = start_server(f"sqlite+aiosqlite:///{tmp_path}/fresh.db", 1)
    output = stop(process)
    token = next(word for word in output.split() if word.startswith("pk_") and "." in word)
    process, base = start_server(f"sqlite+aiosqlite:///{tmp_path}/fresh.db", 1)
    try:
        response = httpx.post(
            f"{base}/api/v3/contacts", json={"email": "a@example.com"}, headers={"apikey": token}
        )
        assert response.status_code == 201
    finally:
        second_output = stop(process)
    assert "shown only this once" not in second_output
