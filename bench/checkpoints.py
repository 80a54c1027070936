"""Checkpoint throughput: 1000-row batches over many contacts, against a server on PostgreSQL.

The same run measures a baseline: the same log rows inserted and progress rows upserted by
raw SQL (asyncpg), one transaction per batch. Prints rows/s, batch p50/p95/p99 and the ratio.

    .venv/bin/python bench/checkpoints.py                       # the full run
    .venv/bin/python bench/checkpoints.py --contacts 20000 --batches 40 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "pk_benchcheckpoints.bench-secret-0123456789abcdef"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def prepare(admin_dsn: str, name: str, contacts: int) -> list[uuid.UUID]:
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://{admin_dsn.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    subprocess.run(  # noqa: ASYNC221  (setup, before anything is measured)
        [str(ROOT / ".venv/bin/patron"), "db", "upgrade"],
        env={**os.environ, "PATRON_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    ids = [uuid.uuid4() for _ in range(contacts)]
    now = datetime.now(UTC)
    connection = await asyncpg.connect(admin_dsn.rsplit("/", 1)[0] + f"/{name}")
    await connection.copy_records_to_table(
        "contacts",
        records=[(i, "Contact", "{}", "{}", "[]", now, now) for i in ids],
        columns=["id", "contact_type", "attributes", "preferences", "consents", "created_on", "modified_on"],
    )
    await connection.close()
    return ids


def batches_for(
    contacts: list[uuid.UUID], definitions: list[str], count: int, size: int, seed: int
) -> list[list[dict[str, object]]]:
    rng = random.Random(seed)
    return [
        [
            {
                "definitionId": rng.choice(definitions),
                "contactId": str(rng.choice(contacts)),
                "checkpointAmount": rng.randint(1, 3),
            }
            for _ in range(size)
        ]
        for _ in range(count)
    ]


async def run_concurrently(work: list[object], concurrency: int, one: object) -> tuple[float, list[float]]:
    queue = list(work)
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            item = queue.pop()
            started = time.perf_counter()
            await one(item)  # type: ignore[operator]
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def patron_run(
    base: str, batches: list[list[dict[str, object]]], concurrency: int
) -> tuple[float, list[float]]:
    headers = {"apikey": TOKEN}
    async with httpx.AsyncClient(
        base_url=base, timeout=120, limits=httpx.Limits(max_connections=concurrency)
    ) as http:

        async def one(batch: list[dict[str, object]]) -> None:
            response = await http.post("/api/v3/challenges/checkpoints", json=batch, headers=headers)
            response.raise_for_status()
            assert response.json()["notAccepted"] == [], response.text[:300]

        return await run_concurrently(batches, concurrency, one)  # type: ignore[arg-type]


BASELINE_LOG = """
INSERT INTO challenge_checkpoints (contact_id, definition_id, kind, amount, source, recorded_on)
SELECT c, d, 'checkpoint', a, 'api', now() FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(c, d, a)
"""
BASELINE_PROGRESS = """
INSERT INTO challenges (id, contact_id, definition_id, cycle, is_current, completed_checkpoints,
                        required_checkpoints, status, started_on, latest_checkpoint_on)
SELECT gen_random_uuid(), c, d, 0, true, a, 1000000, 1, now(), now()
FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(c, d, a)
ORDER BY c, d
ON CONFLICT (contact_id, definition_id, cycle) DO UPDATE
SET completed_checkpoints = challenges.completed_checkpoints + excluded.completed_checkpoints,
    latest_checkpoint_on = excluded.latest_checkpoint_on
"""


async def baseline_run(
    dsn: str, batches: list[list[dict[str, object]]], concurrency: int
) -> tuple[float, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)

    async def one(batch: list[dict[str, object]]) -> None:
        rows = [
            (uuid.UUID(str(r["contactId"])), uuid.UUID(str(r["definitionId"])), int(r["checkpointAmount"]))
            for r in batch
        ]  # type: ignore[call-overload]
        summed: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()
        for contact, definition, amount in rows:
            summed[(contact, definition)] += amount
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(BASELINE_LOG, *map(list, zip(*rows, strict=True)))
            progress = [(c, d, a) for (c, d), a in summed.items()]
            await connection.execute(BASELINE_PROGRESS, *map(list, zip(*progress, strict=True)))

    try:
        return await run_concurrently(batches, concurrency, one)  # type: ignore[arg-type]
    finally:
        await pool.close()


def summary(rows: int, elapsed: float, latencies: list[float]) -> dict[str, float]:
    return {
        "rows_per_s": round(rows / elapsed, 1),
        "batch_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "batch_p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "batch_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "batch_mean_ms": round(statistics.mean(latencies) * 1000, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--definitions", type=int, default=5)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--database", default="patron_bench_challenges")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    contacts = await prepare(args.postgres, args.database, args.contacts)
    dsn = args.postgres.rsplit("/", 1)[0] + f"/{args.database}"
    url = "postgresql+asyncpg://" + dsn.split("://", 1)[1]
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_ACCESS_LOG": "false",
        "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
        "PATRON_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(  # noqa: ASYNC220  (the server under test)
        [str(ROOT / ".venv/bin/patron"), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            for _ in range(120):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.5)
            definitions, baseline_definitions = [], []
            for index in range(args.definitions * 2):
                body = {
                    "name": f"bench {index}",
                    "requiredNumberOfCheckpoints": 10,
                    "isRecurring": True,
                    "status": "Active",
                }
                created = await http.post(
                    "/api/v3/challenges/definitions", json=body, headers={"apikey": TOKEN}
                )
                created.raise_for_status()
                (definitions if index < args.definitions else baseline_definitions).append(
                    created.json()["id"]
                )
        patron_batches = batches_for(contacts, definitions, args.batches, args.batch_size, 1)
        baseline_batches = batches_for(contacts, baseline_definitions, args.batches, args.batch_size, 1)
        rows = args.batches * args.batch_size
        await patron_run(base, patron_batches[: max(2, args.batches // 20)], args.concurrency)  # warm up
        patron = summary(rows, *await patron_run(base, patron_batches, args.concurrency))
        baseline = summary(rows, *await baseline_run(dsn, baseline_batches, args.concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "contacts": args.contacts,
        "definitions": args.definitions,
        "batches": args.batches,
        "batch_size": args.batch_size,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "patron": patron,
        "baseline": baseline,
        "ratio": round(patron["rows_per_s"] / baseline["rows_per_s"], 3),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{rows} rows in {args.batches} batches of {args.batch_size}, ", end="")
    print(f"{args.contacts} contacts, {args.definitions} definitions")
    for name in ("patron", "baseline"):
        figures = result[name]
        print(
            f"{name:>9}: {figures['rows_per_s']:>9} rows/s  p50 {figures['batch_p50_ms']} ms  "  # type: ignore[index]
            f"p95 {figures['batch_p95_ms']} ms  p99 {figures['batch_p99_ms']} ms"  # type: ignore[index]
        )
    print(f"    ratio: {result['ratio']} x baseline")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
