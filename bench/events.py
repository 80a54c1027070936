"""The campaigns dialect's hot paths on PostgreSQL (`patron serve --workers 2`, database
`patron_bench_events`): `POST /events/invoke` at 16 clients over 100 000 customers and 10 live
rules listening to the event, against the raw-SQL baseline of storing the event and updating
the affected progress rows at the same concurrency; and `GET /campaigns/reward-progress` at 32
clients against the floor server's equivalent read (bench/floor_server.py). Prints a table and
writes it into docs/PERFORMANCE.md between its events markers. Run by `make bench`;
BENCH_SECONDS, BENCH_WARMUP, BENCH_POSTGRES and BENCH_PORT as for bench/run.py."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import Measured, closed_loop
from dialect_bench import Row, analyse, floor_rate, patron_env, table, wrk_rate
from run import (
    DOC,
    POSTGRES,
    SECONDS,
    TOKEN,
    WARMUP,
    ensure_wrk,
    recreate_postgres,
    start,
    stop,
    wait_until_up,
    write_doc,
)

DATABASE = "patron_bench_events"
FIRST_PORT = int(os.environ.get("BENCH_PORT", "8400"))
PORT, FLOOR_PORT = FIRST_PORT + 9, FIRST_PORT + 10
CUSTOMERS = int(os.environ.get("BENCH_EVENT_CUSTOMERS", "100000"))
RULES = 10
EVENT_CLIENTS, READ_CLIENTS = 16, 32
READERS = 1000  # customers with progress, for the read
BEGIN, END = "<!-- events:begin -->", "<!-- events:end -->"
DSN = f"{POSTGRES}/{DATABASE}"
ENV = patron_env(DSN)
EVENT_INSERT = """
INSERT INTO custom_events (contact_id, id, event_key, event_name, metadata, occurred_at, received_on)
VALUES ($1, $2, $3, 'order_success', '{"order_total": "120"}', $4, $4)
ON CONFLICT DO NOTHING
"""
# Every rule listening to the event moves: its action's row and the rule's row, one statement each.
ACTIONS_UPSERT = """
INSERT INTO campaign_action_progress (contact_id, action_id, side, rule_id, value, completed_at, modified_on)
SELECT $1, action_id, 'self', rule_id, 1, NULL, $2 FROM unnest($3::text[], $4::text[]) AS a (action_id, rule_id)
ON CONFLICT (contact_id, action_id, side)
DO UPDATE SET value = campaign_action_progress.value + 1, modified_on = excluded.modified_on
"""
RULES_UPSERT = """
INSERT INTO campaign_rule_progress (contact_id, rule_id, side, campaign_id, action_type, status, modified_on)
SELECT $1, rule_id, 'self', $2, 'RTA', 'active', $3 FROM unnest($4::text[]) AS r (rule_id)
ON CONFLICT (contact_id, rule_id, side) DO UPDATE SET modified_on = excluded.modified_on
"""


def _seed(scratch: Path) -> Path:
    """One loyalty campaign with RULES rules listening to order_success (five counting orders
    over 100, five summing totals toward targets out of reach) through the API, the customers
    in set-based SQL; the file of source ids the wrk script reads."""
    rules = []
    for n in range(RULES):
        counting = n % 2 == 0
        rules.append(
            {
                "name": f"Rule {n}",
                "reward": {"type": "points", "amount": 10},
                "actions": [
                    {
                        "event_name": "order_success",
                        "aggregation": "count" if counting else "sum",
                        "property": None if counting else "order_total",
                        "target": 1_000_000 + n,
                        "conditions": [{"property": "order_total", "op": "gt", "value": 100}]
                        if counting
                        else [],
                    }
                ],
            }
        )
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers={"apikey": TOKEN}, timeout=30) as http:
        made = http.post("/campaigns", json={"name": "Bench", "status": "active", "rules": rules})
        assert made.status_code == 201, made.text
    asyncio.run(_customers())
    path = scratch / "customers.txt"
    path.write_text("\n".join(f"ce-{n}" for n in range(CUSTOMERS)) + "\n")
    return path


async def _customers() -> None:
    connection = await asyncpg.connect(DSN)
    try:
        now = datetime.now(UTC)
        await connection.execute("SET session_replication_role = replica")
        await connection.execute(
            "INSERT INTO contacts (id, contact_type, external_id, attributes, preferences, consents, created_on,"
            " modified_on) SELECT gen_random_uuid(), 'Contact', 'ce-' || n, jsonb_build_object('externalId', 'ce-' || n),"
            " '{}', '[]', $1, $1 FROM generate_series(0, $2 - 1) AS n",
            now,
            CUSTOMERS,
        )
        await connection.execute(
            "INSERT INTO campaign_customers (contact_id, source_id, metadata, referral_code, created_on, modified_on)"
            " SELECT id, external_id, '{}', 'R' || substr(md5(external_id), 1, 10), $1, $1 FROM contacts"
            " WHERE external_id LIKE 'ce-%'",
            now,
        )
        await connection.execute(
            "INSERT INTO referral_codes (code, contact_id) SELECT referral_code, contact_id FROM campaign_customers"
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def _raw_events(seconds: float) -> Measured:
    """The event insert and the progress upserts of every listening rule, one transaction per
    event, at EVENT_CLIENTS."""
    pool = await asyncpg.create_pool(DSN, min_size=EVENT_CLIENTS, max_size=EVENT_CLIENTS)
    async with pool.acquire() as connection:
        contacts = [row[0] for row in await connection.fetch("SELECT contact_id FROM campaign_customers")]
        actions = await connection.fetch("SELECT id, rule_id FROM campaign_actions ORDER BY rule_id")
        campaign = await connection.fetchval("SELECT id FROM campaigns LIMIT 1")
    action_ids, rule_ids = [row[0] for row in actions], [row[1] for row in actions]
    counter = 0

    async def one(client: int) -> None:
        nonlocal counter
        counter += 1
        contact = contacts[(counter * 7919 + client) % len(contacts)]
        now = datetime.now(UTC)
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(EVENT_INSERT, contact, uuid.uuid4(), f"raw-{counter}", now)
            await connection.execute(ACTIONS_UPSERT, contact, now, action_ids, rule_ids)
            await connection.execute(RULES_UPSERT, contact, campaign, now, rule_ids)

    try:
        return await closed_loop(EVENT_CLIENTS, seconds, one, lambda: None)
    finally:
        await pool.close()


async def _readers(scratch: Path) -> Path:
    connection = await asyncpg.connect(DSN)
    try:
        rows = await connection.fetch(
            "SELECT DISTINCT c.source_id FROM campaign_rule_progress AS p JOIN campaign_customers AS c"
            " ON c.contact_id = p.contact_id ORDER BY c.source_id LIMIT $1",
            READERS,
        )
    finally:
        await connection.close()
    path = scratch / "readers.txt"
    path.write_text("\n".join(row[0] for row in rows) + "\n")
    return path


def measure(wrk: str, scratch: Path) -> list[Row]:
    asyncio.run(recreate_postgres(database=DATABASE))
    patron = str(Path(sys.executable).with_name("patron"))
    server = start([patron, "serve", "--port", str(PORT), "--workers", "2"], ENV, scratch / "serve.log")
    rows: list[Row] = []
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/readyz", server, scratch / "serve.log")
        customers = _seed(scratch)
        wrk_rate(wrk, PORT, "events.lua", EVENT_CLIENTS, customers, "warm", WARMUP)
        asyncio.run(analyse(DSN))
        rate, p99 = wrk_rate(wrk, PORT, "events.lua", EVENT_CLIENTS, customers, "run", SECONDS)
        print(f"  events: {rate:,.0f}/s, p99 {p99:.1f} ms", flush=True)
        raw = asyncio.run(_raw_events(SECONDS))
        raw_rate = raw.transactions / raw.seconds
        print(f"  raw SQL events: {raw_rate:,.0f}/s, p99 {raw.percentile(0.99):.1f} ms", flush=True)
        rows.append(
            Row(
                f"POST /events/invoke, {RULES} live rules (16 clients)", rate, p99, "raw SQL", rate / raw_rate
            )
        )
        rows.append(
            Row("raw SQL: event insert + progress upserts (16 clients)", raw_rate, raw.percentile(0.99))
        )
        readers = asyncio.run(_readers(scratch))
        wrk_rate(wrk, PORT, "reward_progress.lua", READ_CLIENTS, readers, "warm", WARMUP)
        read_rate, read_p99 = wrk_rate(
            wrk, PORT, "reward_progress.lua", READ_CLIENTS, readers, "run", SECONDS
        )
        read_floor, floor_p99 = floor_rate(
            wrk, FLOOR_PORT, DSN, "reward_progress.lua", READ_CLIENTS, readers, scratch
        )
        print(f"  reward progress: {read_rate:,.0f}/s (floor {read_floor:,.0f}/s)", flush=True)
        rows.append(
            Row(
                "GET /campaigns/reward-progress (32 clients)",
                read_rate,
                read_p99,
                "floor",
                read_rate / read_floor,
            )
        )
        rows.append(Row("floor: the same read (32 clients)", read_floor, floor_p99))
    finally:
        stop(server)
        asyncio.run(recreate_postgres(create=False, database=DATABASE))
    return rows


def main() -> None:
    wrk = ensure_wrk()
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-events-"))
    print(f"events: custom events over {CUSTOMERS:,} customers and reward-progress reads", flush=True)
    load = os.getloadavg()
    rendered = table(measure(wrk, scratch))
    print(rendered)
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `make bench` (bench/events.py); load average before: "
        f"{', '.join(f'{x:.2f}' for x in load)}. `patron serve --workers 2` on PostgreSQL, {CUSTOMERS:,} customers, "
        f"one loyalty campaign with {RULES} live rules listening to the event; wrk for {SECONDS:g} s after "
        f"{WARMUP:g} s of warm-up. Goals: events at least 0.5 of the raw-SQL rate with p99 under 50 ms; "
        f"the reward-progress read at least 0.5 of the floor's."
    )
    write_doc(f"{note}\n\n{rendered}", BEGIN, END, "## Campaigns dialect")
    print(f"written to {DOC.relative_to(DOC.parent.parent)}")


if __name__ == "__main__":
    main()
