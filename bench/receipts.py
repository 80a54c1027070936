"""Receipt throughput: Patron's POST /receipts against the same rows written by raw SQL.

Starts `patron serve --workers 2` on PostgreSQL (or targets a running server with --url and
--token), creates a store and contacts, then N concurrent clients post unique receipts of
3 lines. The same run measures the baseline: the same rows inserted with asyncpg, one
transaction per receipt, at the same concurrency against the same database.

The HTTP client is a minimal keep-alive HTTP/1.1 client on asyncio streams, one connection
per simulated till, so the load generator costs as little CPU as possible: on a small
machine it shares the cores with the server and PostgreSQL.

    .venv/bin/python bench/receipts.py --receipts 2000 --clients 16 [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "patron_bench_receipts"
STORE = "BENCH-STORE"


@dataclass
class Result:
    receipts: int
    seconds: float
    latencies_ms: list[float]
    failures: int

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

        return {
            "receipts": self.receipts,
            "failures": self.failures,
            "seconds": round(self.seconds, 3),
            "receipts_per_second": round(self.receipts / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(pct(50), 2),
            "p95_ms": round(pct(95), 2),
            "p99_ms": round(pct(99), 2),
            "mean_ms": round(statistics.fmean(ordered), 2) if ordered else 0.0,
        }


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one Content-Length response."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\napikey: {self.token}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            elif name.strip().lower() == "transfer-encoding":
                raise RuntimeError("chunked responses are not expected from Patron")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


def receipt_body(run: str, number: int, contact_id: str) -> dict[str, Any]:
    lines = [
        {
            "type": "PURCHASE",
            "sku": f"SKU-{line}",
            "articleNumber": f"A-{line}",
            "articleName": f"Article {line}",
            "articleGroup": "Bench",
            "quantity": 1,
            "grossPaidPrice": 10 * line,
            "taxAmount": 2 * line,
            "taxPercent": 25,
        }
        for line in (1, 2, 3)
    ]
    return {
        "uniqueReceiptId": f"{run}-{number}",
        "receiptNumber": str(number),
        "createdDate": datetime.now(UTC).isoformat(),
        "storeExternalId": STORE,
        "currency": "SEK",
        "totalGrossPrice": 60,
        "contact": {"matchKey": contact_id, "matchKeyType": "ContactId"},
        "paymentMethods": [{"type": "Card", "value": 60}],
        "items": lines,
    }


async def drive(clients: int, total: int, work: Any) -> Result:
    """`clients` loops share `total` numbered jobs; each job's latency is recorded."""
    next_job = iter(range(total))
    latencies: list[float] = []
    failures = 0

    async def loop(client: int) -> None:
        nonlocal failures
        for number in next_job:
            started = time.perf_counter()
            ok = await work(client, number)
            latencies.append((time.perf_counter() - started) * 1000)
            failures += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(client) for client in range(clients)))
    return Result(total, time.perf_counter() - started, latencies, failures)


async def http_phase(
    host: str, port: int, token: str, contacts: list[str], clients: int, total: int, warmup: int
) -> Result:
    run = uuid.uuid4().hex[:8]
    connections = [Connection(host, port, token) for _ in range(clients)]
    failures: list[str] = []

    async def post(client: int, number: int) -> bool:
        body = receipt_body(run, number, contacts[number % len(contacts)])
        status, answer = await connections[client].request("POST", "/api/v3/receipts", body)
        if status != 201 and len(failures) < 3:
            failures.append(f"{status} {answer[:200]!r}")
        return status == 201

    try:
        await drive(clients, warmup, lambda c, n: post(c, total + n))
        result = await drive(clients, total, post)
    finally:
        for connection in connections:
            await connection.close()
    for failure in failures:
        print(f"  failed: {failure}", file=sys.stderr)
    return result


RECEIPT_SQL = """
INSERT INTO receipts (id, unique_receipt_id, fingerprint, contact_id, store_external_id, receipt_number,
  created_date, currency, total_gross_price, exchange_rate_to_group_currency, used_promotions, extra_data,
  recorded_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, '[]'::jsonb, NULL, $10)
"""
LINE_SQL = """
INSERT INTO receipt_lines (id, receipt_id, contact_id, position, type, sku, article_number, article_name,
  article_group, quantity, gross_paid_price, tax_amount, tax_percent, discounts, extra_data)
VALUES ($1, $2, $3, $4, 'PURCHASE', $5, $6, $7, 'Bench', $8, $9, $10, $11, '[]'::jsonb, NULL)
"""
PAYMENT_SQL = """
INSERT INTO receipt_payments (id, receipt_id, contact_id, position, type, value, description)
VALUES ($1, $2, $3, 0, 'Card', $4, NULL)
"""


async def sql_phase(dsn: str, contacts: list[str], clients: int, total: int, warmup: int) -> Result:
    run = uuid.uuid4().hex[:8]
    pool = await asyncpg.create_pool(dsn, min_size=clients, max_size=clients)
    contact_ids = [uuid.UUID(contact) for contact in contacts]

    async def insert(client: int, number: int) -> bool:
        receipt_id, contact_id = uuid.uuid4(), contact_ids[number % len(contact_ids)]
        now = datetime.now(UTC)
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                RECEIPT_SQL,
                receipt_id,
                f"sql-{run}-{number}",
                "0" * 64,
                contact_id,
                STORE,
                str(number),
                now,
                "SEK",
                Decimal(60),
                now,
            )
            await connection.executemany(
                LINE_SQL,
                [
                    (
                        uuid.uuid4(),
                        receipt_id,
                        contact_id,
                        line - 1,
                        f"SKU-{line}",
                        f"A-{line}",
                        f"Article {line}",
                        Decimal(1),
                        Decimal(10 * line),
                        Decimal(2 * line),
                        Decimal(25),
                    )
                    for line in (1, 2, 3)
                ],
            )
            await connection.execute(PAYMENT_SQL, uuid.uuid4(), receipt_id, contact_id, Decimal(60))
        return True

    try:
        await drive(clients, warmup, lambda c, n: insert(c, total + n))
        return await drive(clients, total, insert)
    finally:
        await pool.close()


async def fresh_database() -> None:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()


def start_server(port: int, workers: int, token: str) -> subprocess.Popen[bytes]:
    patron = Path(sys.executable).with_name("patron")
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}",
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "warning",
        "PATRON_BOOTSTRAP_ADMIN_KEY": token,
    }
    command = [str(patron), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, start_new_session=True)


async def wait_until_up(host: str, port: int, token: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = Connection(host, port, token)
        try:
            status, _ = await connection.request("GET", "/readyz")
            if status == 200:
                return
        except OSError:
            pass
        finally:
            await connection.close()
        await asyncio.sleep(0.3)
    raise RuntimeError("the server did not come up")


async def prepare(host: str, port: int, token: str, count: int) -> list[str]:
    """A store and `count` contacts, created through the API."""
    connection = Connection(host, port, token)
    try:
        status, answer = await connection.request(
            "POST", "/api/v3/stores", {"externalId": STORE, "name": "Bench"}
        )
        if status not in (201, 409):
            raise RuntimeError(f"could not create the store: {status} {answer[:200]!r}")
        contacts = []
        run = uuid.uuid4().hex[:8]
        for number in range(count):
            status, answer = await connection.request(
                "POST", "/api/v3/contacts", {"externalId": f"bench-{run}-{number}"}
            )
            if status != 201:
                raise RuntimeError(f"could not create a contact: {status} {answer[:200]!r}")
            contacts.append(json.loads(answer)["id"])
        return contacts
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    server = None
    if args.url:
        parts = urlsplit(args.url)
        host, port, token = parts.hostname or "127.0.0.1", parts.port or 80, args.token
        if not token:
            raise SystemExit("--url needs --token (an admin key)")
    else:
        host, port = "127.0.0.1", args.port
        token = f"pk_bench{secrets.token_hex(4)}.{secrets.token_urlsafe(24)}"
        await fresh_database()
        server = start_server(port, args.workers, token)
    try:
        await wait_until_up(host, port, token)
        contacts = await prepare(host, port, token, args.contacts)
        http = await http_phase(host, port, token, contacts, args.clients, args.receipts, args.warmup)
        sql = await sql_phase(args.dsn, contacts, args.clients, args.receipts, args.warmup)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    patron, baseline = http.figures(), sql.figures()
    ratio = (
        patron["receipts_per_second"] / baseline["receipts_per_second"]
        if baseline["receipts_per_second"]
        else 0
    )
    return {
        "benchmark": "receipts",
        "clients": args.clients,
        "lines_per_receipt": 3,
        "server_workers": args.workers if server is not None else None,
        "cpus": os.cpu_count(),
        "patron": patron,
        "raw_sql": baseline,
        "ratio": round(ratio, 3),
    }


def report(figures: dict[str, Any]) -> None:
    lines, cpus = figures["lines_per_receipt"], figures["cpus"]
    print(f"{figures['clients']} clients, receipts of {lines} lines, {cpus} CPUs")
    for name in ("patron", "raw_sql"):
        f = figures[name]
        print(
            f"  {name:8} {f['receipts_per_second']:8.1f} receipts/s  p50 {f['p50_ms']:6.2f} ms  "
            f"p95 {f['p95_ms']:6.2f} ms  p99 {f['p99_ms']:6.2f} ms  ({f['receipts']} receipts, "
            f"{f['failures']} failed)"
        )
    print(f"  ratio patron / raw SQL: {figures['ratio']:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--receipts", type=int, default=2000, help="receipts per phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=100, help="receipts posted before measuring")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--url", help="target a running server instead of starting one")
    parser.add_argument("--token", help="admin key of the running server (with --url)")
    parser.add_argument(
        "--dsn", default=f"postgresql://postgres@127.0.0.1:5432/{DATABASE}", help="baseline DB"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    if arguments.json:
        print(json.dumps(outcome, indent=2))
    else:
        report(outcome)
