"""Segments on PostgreSQL: a preview over 100 000 contacts and 1 000 000 receipt lines, and an
assignment job that is killed at half and restarted while a till reads offers.

Loads the data in set-based SQL (database patron_bench_segments, recreated each run): 200
articles in 20 groups (10 of them "Dog food"), BENCH_SEGMENT_CONTACTS contacts (100 000), and
a quarter as many receipts as BENCH_SEGMENT_LINES (1 000 000) lines, four lines each, spread over
two years. Then, against a real `patron serve` (port 8610, no embedded worker):

1. `POST /segments/preview` of "bought dog food in the last 90 days", five times (the median and
   the slowest), and the plan of its compiled SQL (EXPLAIN ANALYZE);
2. the till's hot read (`GET /promotion-assignments?contactId=&redemptionChannelType=POS`, four
   clients, random contacts) for 10 s with nothing else running: its p99 idle;
3. a segment of that rule and `assign-segment` of a promotion at BENCH_SEGMENT_RATE rows/s (500),
   run by a `patron worker` process that is killed (SIGKILL) once half the members are done and
   started again; the hot read runs all along: its p99 during the job;
4. checks that every member holds the promotion exactly once.

Prints a table and writes it into docs/PERFORMANCE.md between its segments markers.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DOC, POSTGRES, TOKEN, machine, recreate_postgres, start, stop, wait_until_up, write_doc
from sqlalchemy import func, select

from patron.db import migrate
from patron.kit import clock
from patron.segments.grammar import read_rule
from patron.segments.sql import Compiler

DATABASE = "patron_bench_segments"
CONTACTS = int(os.environ.get("BENCH_SEGMENT_CONTACTS", "100000"))
LINES = int(os.environ.get("BENCH_SEGMENT_LINES", "1000000"))
RATE = int(os.environ.get("BENCH_SEGMENT_RATE", "500"))
PORT = 8610
BASE = f"http://127.0.0.1:{PORT}/api/v3"
HEADERS = {"apikey": TOKEN}
DOG_FOOD = {"field": "purchases", "op": "exists", "where": {"groups": ["Dog food"], "withinDays": 90}}
# The plans the figures come from, kept beside them (docs/PERFORMANCE.md describes the present).
PLANS = DOC.with_name("query-plans.md")
BEGIN, END = "<!-- bench:segments:begin -->", "<!-- bench:segments:end -->"
URL = f"{POSTGRES}/{DATABASE}"

LOAD = [
    """INSERT INTO stores (id, external_id, name, type, created_on, modified_on)
       VALUES (gen_random_uuid(), 'S-1', 'Store 1', 'Physical', now(), now())""",
    """INSERT INTO articles (id, article_number, name, article_group, brand, attributes, created_on, modified_on)
       SELECT gen_random_uuid(), 'ART-' || n, 'Article ' || n,
              CASE WHEN n < 10 THEN 'Dog food' ELSE 'Group ' || (n % 19) END, 'Brand ' || (n % 7),
              '{}', now(), now()
       FROM generate_series(0, 199) AS n""",
    """INSERT INTO contacts (id, contact_type, email, attributes, preferences, consents, created_on, modified_on)
       SELECT gen_random_uuid(), CASE WHEN n % 3 = 0 THEN 'Member' ELSE 'Contact' END,
              'bench-' || n || '@example.com',
              jsonb_build_object('email', 'bench-' || n || '@example.com', 'city', 'City ' || (n % 50)),
              jsonb_build_object('acceptsEmail', n % 2 = 0), '[]', now(), now()
       FROM generate_series(1, $1::int) AS n""",
    """CREATE TEMP TABLE numbered AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM contacts""",
    """INSERT INTO receipts (id, unique_receipt_id, fingerprint, contact_id, store_external_id, receipt_number,
                             created_date, currency, total_gross_price, used_promotions, recorded_on)
       SELECT gen_random_uuid(), 'B-' || r, 'bench', numbered.id, 'S-1', r::text,
              now() - (random() * interval '730 days'), 'SEK', 400, '[]', now()
       FROM generate_series(1, $1::int) AS r
       JOIN numbered ON numbered.n = 1 + (hashint4(r)::bigint & 2147483647) % $2::int""",
    """INSERT INTO receipt_lines (id, receipt_id, contact_id, position, type, article_number, article_name,
                                  quantity, gross_paid_price, tax_amount, tax_percent, discounts)
       SELECT gen_random_uuid(), receipts.id, receipts.contact_id, p, 'PURCHASE', 'ART-' || a, 'Article ' || a,
              1, 100, 20, 25, '[]'
       FROM receipts CROSS JOIN generate_series(0, 3) AS p
       CROSS JOIN LATERAL (SELECT (hashtext(receipts.id::text || p)::bigint & 2147483647) % 200 AS a) AS pick""",
]


async def load() -> None:
    await recreate_postgres(database=DATABASE)
    url = URL.replace("postgresql://", "postgresql+asyncpg://")
    await asyncio.to_thread(migrate.upgrade, url)
    connection = await asyncpg.connect(URL)
    try:
        await connection.execute("SET session_replication_role = replica")  # no FK triggers for the load
        stores, articles, contacts, numbered, receipts, lines = LOAD
        for statement, arguments in (
            (stores, ()),
            (articles, ()),
            (contacts, (CONTACTS,)),
            (numbered, ()),
            (receipts, (LINES // 4, CONTACTS)),
            (lines, ()),
        ):
            await connection.execute(statement, *arguments)
        await connection.execute("SET session_replication_role = origin")
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def plan() -> str:
    """EXPLAIN ANALYZE of the preview's compiled count, as the service builds it."""
    compiled_rule = read_rule(DOG_FOOD, frozenset())
    members = Compiler("postgresql", clock.now(), ZoneInfo("UTC")).members(compiled_rule)
    counted = select(func.count()).select_from(members.subquery())
    sql = str(counted.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    connection = await asyncpg.connect(URL)
    try:
        rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
    finally:
        await connection.close()
    return "\n".join(row[0] for row in rows)


async def hot_reads(
    contacts: list[str], seconds: float, stop_when: asyncio.Event | None = None
) -> list[float]:
    """Latencies (ms) of the till's read at four clients for `seconds` (or until `stop_when`)."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=BASE, headers=HEADERS, timeout=30) as client:

        async def till() -> None:
            while time.monotonic() < deadline and not (stop_when and stop_when.is_set()):
                contact = random.choice(contacts)
                began = time.perf_counter()
                answer = await client.get(
                    "/promotion-assignments", params={"contactId": contact, "redemptionChannelType": "POS"}
                )
                latencies.append((time.perf_counter() - began) * 1000)
                assert answer.status_code == 200, answer.text

        await asyncio.gather(*(till() for _ in range(4)))
    return latencies


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98]


async def job_state(client: httpx.AsyncClient, job_id: str) -> dict[str, object]:
    return dict((await client.get(f"/assignment-jobs/{job_id}")).json())


async def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-segments-"))
    began = time.monotonic()
    await load()
    loaded = time.monotonic() - began
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": URL.replace("postgresql://", "postgresql+asyncpg://"),
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
        "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
        "PATRON_EMBEDDED_WORKER": "false",
        "PATRON_RATE_LIMITS": "false",
        "PATRON_SEGMENT_POLL_SECONDS": "0.5",
    }
    patron = str(Path(sys.executable).with_name("patron"))
    server = start([patron, "serve", "--port", str(PORT), "--workers", "2"], env, scratch / "serve.log")
    worker = None
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/readyz", server, scratch / "serve.log")
        connection = await asyncpg.connect(URL)
        contacts = [
            str(r["id"])
            for r in await connection.fetch("SELECT id FROM contacts ORDER BY random() LIMIT 2000")
        ]
        async with httpx.AsyncClient(base_url=BASE, headers=HEADERS, timeout=60) as client:
            # The bootstrap key is made by the server as it starts; wait until it is there.
            for _ in range(150):
                if (await client.get("/segments")).status_code == 200:
                    break
                await asyncio.sleep(0.2)
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                answer = await client.post("/segments/preview", json={"rule": DOG_FOOD})
                timings.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            count = answer.json()["count"]
            explained = await plan()
            idle = await hot_reads(contacts, 10)
            segment = (
                await client.post("/segments", json={"name": "Dog food, 90 days", "rule": DOG_FOOD})
            ).json()
            offer = await client.post(
                "/promotions/multichannels",
                json={
                    "externalId": "bench-dog-food",
                    "name": "Dog food offer",
                    "validity": {
                        "startDate": "2020-01-01",
                        "assignedValidity": {"unit": "Months", "amount": 3},
                    },
                    "redemptionChannels": [{"type": "POS", "valueType": "PERCENT", "value": 20}],
                },
            )
            offer_id = offer.json()["id"]
            await client.post(f"/promotions/multichannels/{offer_id}/activate")
            job = (
                await client.post(
                    f"/promotions/multichannels/{offer_id}/assign-segment",
                    json={"segmentId": segment["id"], "rowsPerSecond": RATE},
                )
            ).json()
            finished = asyncio.Event()
            during_task = asyncio.create_task(hot_reads(contacts, 3600, finished))
            job_began = time.monotonic()
            worker = start([patron, "worker"], env, scratch / "worker.log")
            while True:
                state = await job_state(client, job["id"])
                half = int(state["processed"] or 0) * 2 >= int(state["total"] or 1)  # type: ignore[call-overload]
                if state["status"] in ("Done", "Failed") or (state["total"] and half):
                    break
                await asyncio.sleep(0.1)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            killed_at = dict(state)
            worker = start([patron, "worker"], env, scratch / "worker2.log")
            while True:
                state = await job_state(client, job["id"])
                if state["status"] in ("Done", "Failed"):
                    break
                await asyncio.sleep(0.2)
            job_seconds = time.monotonic() - job_began
            finished.set()
            during = await during_task
        once = await connection.fetchrow(
            "SELECT count(*) AS rows, count(DISTINCT contact_id) AS contacts FROM promotion_assignments WHERE promotion_id = $1",
            uuid.UUID(offer_id),
        )
        await connection.close()
    finally:
        if worker is not None:
            stop(worker)
        stop(server)
    assert state["status"] == "Done", state
    assert once["rows"] == once["contacts"] == state["total"], (dict(once), state)
    about = await asyncio.to_thread(machine)
    table = "\n".join(
        [
            f"Machine: {about.get('cpu', '')}; PostgreSQL; {CONTACTS:,} contacts, {LINES:,} receipt lines "
            f"(loaded in {loaded:.0f} s). Command: `.venv/bin/python bench/segments.py`.",
            "",
            "| measure | figure |",
            "|---|---|",
            f'| preview "dog food in the last 90 days" ({count:,} members), median of 5 | {statistics.median(timings):.0f} ms |',
            f"| preview, slowest of 5 | {max(timings):.0f} ms |",
            f"| till hot read p99, idle (4 clients, {len(idle)} reads) | {p99(idle):.1f} ms |",
            f"| till hot read p99 during the assignment job ({len(during)} reads) | {p99(during):.1f} ms ({p99(during) / p99(idle):.2f}x idle) |",
            f"| assignment job at {RATE} rows/s: {state['total']} members, worker killed at {killed_at['processed']} and restarted | {job_seconds:.0f} s, each member assigned once ({once['rows']} assignments) |",
            "",
            "The preview's plan is in [query-plans.md](query-plans.md#segments).",
        ]
    )
    print(table)
    print(explained)
    write_doc(table, BEGIN, END, heading="## Segments (bench/segments.py)")
    write_doc(f"```\n{explained}\n```", BEGIN, END, heading="## Segments", doc=PLANS)


def port_taken() -> bool:
    """Whether something listens on the bench's port already (a server left from a run
    before would answer the readiness check in this one's place)."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


if __name__ == "__main__":
    if port_taken():
        raise SystemExit(f"something already listens on port {PORT}; stop it first")
    asyncio.run(main())
