"""The till's hot read and redeem latency against `patron serve` on PostgreSQL, with a baseline.

Seeds N contacts holding 10 promotion assignments each (COPY, for setup speed), starts
`patron serve --workers 2` on that database, then measures, in one run and on the same
server processes:

- GET /healthz (a bare route with a constant body): the baseline,
- GET /api/v3/promotion-assignments?contactId=...&redemptionChannelType=POS (the hot read),
- POST /api/v3/promotion-assignments/{id}/redeem (each assignment redeemed once).

    .venv/bin/python bench/promotions.py --contacts 100000 --clients 32 --seconds 15 [--json]

The load generator is Python on the same machine: on a small box it competes with the server
and the database for CPU, so the figures are a floor, not the server's ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from patron.db import migrate

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
ASSIGNMENTS_PER_CONTACT = 10


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def summary(name: str, latencies: list[float], seconds: float, errors: int) -> dict[str, Any]:
    return {
        "name": name,
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "mean_ms": round(1000 * statistics.fmean(latencies), 2) if latencies else None,
    }


async def recreate_database(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def _copy_rows(rows: list[tuple[Any, ...]]) -> io.BytesIO:
    text = "\n".join("\t".join("\\N" if v is None else str(v) for v in row) for row in rows) + "\n"
    return io.BytesIO(text.encode())


async def seed(dsn: str, contacts: int) -> dict[str, Any]:
    """Ten active promotions (seven usable at the till) and `contacts` contacts holding one
    assignment of each."""
    now = datetime.now(UTC)
    channels_pos = json.dumps([{"type": "POS", "valueType": "PERCENT", "value": 20, "instruction": None}])
    channels_ecom = json.dumps(
        [{"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "WEB", "instruction": None}]
    )
    promotions = [uuid.uuid4() for _ in range(ASSIGNMENTS_PER_CONTACT)]
    connection = await asyncpg.connect(dsn)
    try:
        for index, promotion in enumerate(promotions):
            await connection.execute(
                "INSERT INTO promotions (id, external_id, name, state, start_date, time_zone, starts_at,"
                " validity_unit, validity_amount, redemption_channels, created_on, modified_on, activated_on)"
                " VALUES ($1, $2, $3, 'Active', '2020-01-01', 'UTC', '2020-01-01T00:00:00Z', 'Years', 10,"
                " $4::jsonb, $5, $5, $5)",
                promotion,
                f"bench-{index}",
                f"Bench offer {index}",
                channels_pos if index < 7 else channels_ecom,
                now,
            )
        batch = 20_000
        contact_ids: list[uuid.UUID] = []
        for start in range(0, contacts, batch):
            rows = []
            assignments = []
            for number in range(start, min(start + batch, contacts)):
                contact = uuid.uuid4()
                contact_ids.append(contact)
                rows.append((contact, "Contact", f"c{number}@bench.example", "{}", "{}", "[]", now, now))
                for offset, promotion in enumerate(promotions):
                    assignments.append((uuid.uuid4(), contact, promotion, now.replace(microsecond=offset)))
            await connection.copy_to_table(
                "contacts",
                source=_copy_rows(rows),
                columns=[
                    "id",
                    "contact_type",
                    "email",
                    "attributes",
                    "preferences",
                    "consents",
                    "created_on",
                    "modified_on",
                ],
            )
            await connection.copy_to_table(
                "promotion_assignments",
                source=_copy_rows(assignments),
                columns=["id", "contact_id", "promotion_id", "assigned_on"],
            )
        await connection.execute("ANALYZE")
        return {"contacts": contact_ids, "till_promotions": promotions[:7]}
    finally:
        await connection.close()


async def redeemable(dsn: str, promotion_ids: list[uuid.UUID], count: int) -> list[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT id FROM promotion_assignments"
            " WHERE promotion_id = ANY($1::uuid[]) AND redeemed_on IS NULL ORDER BY random() LIMIT $2",
            promotion_ids,
            count,
        )
        return [str(row["id"]) for row in rows]
    finally:
        await connection.close()


def start_server(url: str, port: int, workers: int, token: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_BOOTSTRAP_ADMIN_KEY": token,
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
    }
    patron = str(Path(sys.executable).with_name("patron"))
    return subprocess.Popen(
        [patron, "serve", "--workers", str(workers), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


async def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the server exited")
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


async def timed_load(
    http: httpx.AsyncClient, clients: int, seconds: float, request: Any, expect: int = 200
) -> tuple[list[float], float, int]:
    """`clients` loops sending `request()` back to back for `seconds`; latencies in seconds."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client_loop() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            began = time.perf_counter()
            response = await request(http)
            latencies.append(time.perf_counter() - began)
            if response.status_code != expect:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return latencies, time.perf_counter() - started, errors


async def redeem_all(http: httpx.AsyncClient, clients: int, ids: list[str]) -> tuple[list[float], float, int]:
    queue = list(ids)
    latencies: list[float] = []
    errors = 0

    async def client_loop() -> None:
        nonlocal errors
        while queue:
            assignment = queue.pop()
            began = time.perf_counter()
            response = await http.post(
                f"/api/v3/promotion-assignments/{assignment}/redeem", json={"redemptionChannel": "POS"}
            )
            latencies.append(time.perf_counter() - began)
            if response.status_code != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return latencies, time.perf_counter() - started, errors


async def run(options: argparse.Namespace) -> dict[str, Any]:
    dsn = f"postgresql://postgres@127.0.0.1:5432/{options.database}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{options.database}"
    await recreate_database(options.database)
    await asyncio.to_thread(migrate.upgrade, url)
    began = time.perf_counter()
    seeded = await seed(dsn, options.contacts)
    seed_seconds = time.perf_counter() - began
    contacts = [str(contact) for contact in seeded["contacts"]]
    to_redeem = await redeemable(dsn, seeded["till_promotions"], options.redeems)

    token = f"pk_bench.{secrets.token_urlsafe(24)}"
    process = start_server(url, options.port, options.workers, token)
    base = f"http://127.0.0.1:{options.port}"
    try:
        await wait_ready(base, process)
        limits = httpx.Limits(max_connections=options.clients, max_keepalive_connections=options.clients)
        async with httpx.AsyncClient(
            base_url=base, headers={"apikey": token}, limits=limits, timeout=30
        ) as http:

            async def bare(client: httpx.AsyncClient) -> httpx.Response:
                return await client.get("/healthz")

            async def hot_read(client: httpx.AsyncClient) -> httpx.Response:
                params = {"contactId": random.choice(contacts), "redemptionChannelType": "POS"}
                return await client.get("/api/v3/promotion-assignments", params=params)

            check = await hot_read(http)
            assert check.status_code == 200 and len(check.json()) == 7, check.text
            await timed_load(http, options.clients, options.warmup, bare)
            await timed_load(http, options.clients, options.warmup, hot_read)
            baseline = summary(
                "GET /healthz", *await timed_load(http, options.clients, options.seconds, bare)
            )
            hot = summary(
                "GET /promotion-assignments?contactId&redemptionChannelType=POS",
                *await timed_load(http, options.clients, options.seconds, hot_read),
            )
            redeems = summary(
                "POST /promotion-assignments/{id}/redeem", *await redeem_all(http, options.clients, to_redeem)
            )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return {
        "contacts": options.contacts,
        "assignments": options.contacts * ASSIGNMENTS_PER_CONTACT,
        "seed_seconds": round(seed_seconds, 1),
        "workers": options.workers,
        "clients": options.clients,
        "cpus": os.cpu_count(),
        "baseline": baseline,
        "hot_read": hot,
        "redeem": redeems,
        "hot_read_to_baseline_rps": round(hot["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
        "goals": {
            "hot_read_rps_at_least_half_of_baseline": hot["rps"] >= 0.5 * baseline["rps"],
            "hot_read_p99_under_20_ms": hot["p99_ms"] < 20,
            "redeem_p99_under_25_ms": redeems["p99_ms"] < 25,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per read phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--redeems", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8250)
    parser.add_argument("--database", default="patron_bench_promotions")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    options = parser.parse_args()
    result = asyncio.run(run(options))
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['contacts']} contacts, {result['assignments']} assignments,"
        f" seeded in {result['seed_seconds']} s"
    )
    print(
        f"server: {result['workers']} workers; load: {result['clients']} clients;"
        f" {result['cpus']} CPUs shared"
    )
    for key in ("baseline", "hot_read", "redeem"):
        row = result[key]
        print(
            f"{row['name']:<66} {row['rps']:>8} rps  p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms"
            f"  p99 {row['p99_ms']:>6} ms  errors {row['errors']}"
        )
    print(f"hot read / baseline rps: {result['hot_read_to_baseline_rps']}")
    print(
        "goals:", ", ".join(f"{name}={'met' if met else 'NOT met'}" for name, met in result["goals"].items())
    )


if __name__ == "__main__":
    main()
