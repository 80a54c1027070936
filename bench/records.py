"""The record dialect's hot paths on PostgreSQL (`patron serve --workers 2`, database
`patron_bench_records`): single challenge-log creates at 16 clients over 100 000 members and 5
live challenges with milestones, against the raw-SQL baseline of the same log insert and
progress upsert at the same concurrency; and an end user's `GET /schema/challenge_progress/record`
at 32 clients against the floor server's equivalent read (bench/floor_server.py). Prints a
table and writes it into docs/PERFORMANCE.md between its records markers. Run by `make bench`;
BENCH_SECONDS, BENCH_WARMUP, BENCH_POSTGRES and BENCH_PORT as for bench/run.py."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import LOG_INSERT, PROGRESS_UPSERT, Measured, closed_loop
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

DATABASE = "patron_bench_records"
FIRST_PORT = int(os.environ.get("BENCH_PORT", "8400"))
PORT, FLOOR_PORT = FIRST_PORT + 7, FIRST_PORT + 8
MEMBERS = int(os.environ.get("BENCH_RECORD_MEMBERS", "100000"))
CHALLENGES = 5
LOG_CLIENTS, READ_CLIENTS = 16, 32
READERS = 1000  # members with a token for the read, among those with progress
BEGIN, END = "<!-- records:begin -->", "<!-- records:end -->"
DSN = f"{POSTGRES}/{DATABASE}"
ENV = patron_env(DSN)


def _seed(scratch: Path) -> tuple[Path, list[str]]:
    """The challenges with their milestones through the API, the members in set-based SQL;
    the file of member ids (and beside it the challenge ids) the wrk script reads."""
    headers = {"apikey": TOKEN}
    challenges = []
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30) as http:
        for n in range(CHALLENGES):
            made = http.post(
                "/schema/challenge/record",
                json={
                    "name": f"Spend 500 this month ({n})",
                    "description": "Spend $500 in a single month.",
                    "status": "live",
                    "completionTargetValue": 500,
                    "aggregationMethod": "sum",
                    "aggregationPeriod": "monthly",
                    "timezone": "UTC",
                },
            )
            assert made.status_code == 201, made.text
            challenge = made.json()["data"]["id"]
            challenges.append(challenge)
            for target, reward in ((100, {"type": "coupon"}), (250, {"type": "points", "amount": 50})):
                milestone = http.post(
                    "/schema/milestone/record",
                    json={
                        "linkedSchemaSlug": "challenge",
                        "linkedSchemaRecordId": challenge,
                        "name": f"At {target}",
                        "milestoneTargetValue": target,
                        "reward": reward,
                    },
                )
                assert milestone.status_code == 201, milestone.text
    ids = asyncio.run(_members())
    members = scratch / "members.txt"
    members.write_text("\n".join(ids) + "\n")
    (scratch / "members.txt.challenges").write_text("\n".join(challenges) + "\n")
    return members, challenges


async def _members() -> list[str]:
    connection = await asyncpg.connect(DSN)
    try:
        now = datetime.now(UTC)
        await connection.execute("SET session_replication_role = replica")
        await connection.execute(
            "INSERT INTO contacts (id, contact_type, external_id, attributes, preferences, consents, created_on,"
            " modified_on) SELECT gen_random_uuid(), 'Member', 'rm-' || n, jsonb_build_object('externalId', 'rm-' || n),"
            " '{}', '[]', $1, $1 FROM generate_series(0, $2 - 1) AS n",
            now,
            MEMBERS,
        )
        await connection.execute("VACUUM ANALYZE")
        return [str(row[0]) for row in await connection.fetch("SELECT id FROM contacts")]
    finally:
        await connection.close()


async def _raw_logs(members: list[str], challenges: list[str], seconds: float) -> Measured:
    """The log insert and the progress upsert, one transaction per log, at LOG_CLIENTS."""
    pool = await asyncpg.create_pool(DSN, min_size=LOG_CLIENTS, max_size=LOG_CLIENTS)
    contacts = [uuid.UUID(member) for member in members]
    definitions = [uuid.UUID(challenge) for challenge in challenges]
    month_start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    key = month_start.strftime("%Y-%m")
    counter = 0

    async def one(client: int) -> None:
        nonlocal counter
        counter += 1
        contact = contacts[(counter * 7919 + client) % len(contacts)]
        definition = definitions[counter % len(definitions)]
        now = datetime.now(UTC)
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                LOG_INSERT, contact, uuid.uuid4(), definition, now, f"raw-{counter}", key
            )
            await connection.execute(
                PROGRESS_UPSERT, contact, definition, key, uuid.uuid4(), now, month_start, month_end
            )

    try:
        return await closed_loop(LOG_CLIENTS, seconds, one, lambda: None)
    finally:
        await pool.close()


def _tokens(scratch: Path) -> Path:
    """End-user tokens for members who have progress, minted by the API."""

    async def readers() -> list[str]:
        connection = await asyncpg.connect(DSN)
        try:
            rows = await connection.fetch(
                "SELECT DISTINCT contact_id FROM record_progress ORDER BY contact_id LIMIT $1", READERS
            )
            return [str(row[0]) for row in rows]
        finally:
            await connection.close()

    lines = []
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers={"apikey": TOKEN}, timeout=30) as http:
        for contact in asyncio.run(readers()):
            minted = http.post("/api/v3/end-user-tokens", json={"contactId": contact})
            assert minted.status_code in (200, 201), minted.text
            lines.append(f"{minted.json()['token']} {minted.json()['accountId']} {contact}")
    path = scratch / "readers.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(wrk: str, scratch: Path) -> list[Row]:
    asyncio.run(recreate_postgres(database=DATABASE))
    patron = str(Path(sys.executable).with_name("patron"))
    server = start([patron, "serve", "--port", str(PORT), "--workers", "2"], ENV, scratch / "serve.log")
    rows: list[Row] = []
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/readyz", server, scratch / "serve.log")
        members_file, challenges = _seed(scratch)
        members = members_file.read_text().split()
        wrk_rate(wrk, PORT, "record_logs.lua", LOG_CLIENTS, members_file, "warm", WARMUP)
        asyncio.run(analyse(DSN))
        rate, p99 = wrk_rate(wrk, PORT, "record_logs.lua", LOG_CLIENTS, members_file, "run", SECONDS)
        print(f"  challenge logs: {rate:,.0f}/s, p99 {p99:.1f} ms", flush=True)
        raw = asyncio.run(_raw_logs(members, challenges, SECONDS))
        raw_rate = raw.transactions / raw.seconds
        print(f"  raw SQL logs: {raw_rate:,.0f}/s, p99 {raw.percentile(0.99):.1f} ms", flush=True)
        rows.append(Row("challenge log creates (16 clients)", rate, p99, "raw SQL", rate / raw_rate))
        rows.append(Row("raw SQL: log insert + progress upsert (16 clients)", raw_rate, raw.percentile(0.99)))
        floor_logs, floor_logs_p99 = floor_rate(
            wrk, FLOOR_PORT, DSN, "record_logs.lua", LOG_CLIENTS, members_file, scratch, "floor-"
        )
        print(f"  floor logs: {floor_logs:,.0f}/s, p99 {floor_logs_p99:.1f} ms", flush=True)
        rows.append(
            Row(
                "floor: the same log create (16 clients)",
                floor_logs,
                floor_logs_p99,
                "raw SQL",
                floor_logs / raw_rate,
            )
        )
        readers = _tokens(scratch)
        wrk_rate(wrk, PORT, "progress_read.lua", READ_CLIENTS, readers, "warm", WARMUP)
        read_rate, read_p99 = wrk_rate(wrk, PORT, "progress_read.lua", READ_CLIENTS, readers, "run", SECONDS)
        read_floor, floor_p99 = floor_rate(
            wrk, FLOOR_PORT, DSN, "progress_read.lua", READ_CLIENTS, readers, scratch
        )
        print(f"  end-user progress read: {read_rate:,.0f}/s (floor {read_floor:,.0f}/s)", flush=True)
        rows.append(
            Row(
                "end user's challenge_progress list (32 clients)",
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
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-records-"))
    print(f"records: challenge logs over {MEMBERS:,} members and end-user progress reads", flush=True)
    load = os.getloadavg()
    rendered = table(measure(wrk, scratch))
    print(rendered)
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `make bench` (bench/records.py); load average before: "
        f"{', '.join(f'{x:.2f}' for x in load)}. `patron serve --workers 2` on PostgreSQL, {MEMBERS:,} members, "
        f"{CHALLENGES} live monthly sum challenges with two milestones each; wrk for {SECONDS:g} s after "
        f"{WARMUP:g} s of warm-up. Goals: log creates at least 0.5 of the raw-SQL rate with p99 under 50 ms; "
        f"the end user's read at least 0.5 of the floor's."
    )
    write_doc(f"{note}\n\n{rendered}", BEGIN, END, "## Record dialect")
    print(f"written to {DOC.relative_to(DOC.parent.parent)}")


if __name__ == "__main__":
    main()
