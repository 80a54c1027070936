"""What a webhook subscription costs the API, and how far delivery lags: receipts at 16 clients
(wrk, bench/lua/receipts.lua) on `patron serve --workers 2` over PostgreSQL, first with no
endpoint subscribed, then with one endpoint (a local receiver answering 204) and 1, then 2,
`patron worker` processes delivering. The lag of an event is from its `occurred_at` to the end
of its successful attempt, read from the database once the backlog has drained. Prints a table
and writes it into docs/PERFORMANCE.md between its outbox markers. Run by `make bench` after
bench/run.py; BENCH_SECONDS, BENCH_WARMUP, BENCH_POSTGRES and BENCH_PORT as there."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (
    DOC,
    POSTGRES,
    SECONDS,
    WARMUP,
    ensure_wrk,
    recreate_postgres,
    run_wrk,
    start,
    stop,
    wait_until_up,
    write_doc,
)

DATABASE = "patron_bench_outbox"
FIRST_PORT = int(os.environ.get("BENCH_PORT", "8400"))
PORT, RECEIVER_PORT = FIRST_PORT + 5, FIRST_PORT + 6
CLIENTS = 16
CONTACTS = 500
BEGIN, END = "<!-- outbox:begin -->", "<!-- outbox:end -->"
TOKEN = f"bench{secrets.token_hex(4)}.{secrets.token_hex(16)}"
URL = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{DATABASE}"
ENV = {
    **os.environ,
    "PATRON_DATABASE_URL": URL,
    "PATRON_ACCESS_LOG": "false",
    "PATRON_LOG_LEVEL": "WARNING",
    "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
    "PATRON_DB_POOL_SIZE": "16",
    "PATRON_RATE_LIMITS": "false",
    "PATRON_EMBEDDED_WORKER": "false",
    "PATRON_WEBHOOK_ALLOW_PRIVATE": "true",
    "PATRON_WEBHOOK_ALLOW_INSECURE": "true",
}


class _Accept(BaseHTTPRequestHandler):
    # Keeps connections open, as a receiver behind any web server does.
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@dataclass(frozen=True)
class Phase:
    name: str
    receipts_per_second: float
    p99_ms: float
    lag_p50_ms: float | None = None
    lag_p99_ms: float | None = None
    delivered: int | None = None


def _seed(scratch: Path) -> Path:
    headers = {"apikey": TOKEN}
    with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30) as http:
        store = {"externalId": "BENCH-STORE", "name": "Bench", "type": "Physical"}
        assert http.post("/api/v3/stores", json=store).status_code in (200, 201)
        ids = []
        for n in range(CONTACTS):
            made = http.post("/api/v3/contacts", json={"email": f"outbox-{n}@example.com"})
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
    contacts = scratch / "contacts.txt"
    contacts.write_text("\n".join(ids) + "\n")
    return contacts


def _subscribe() -> None:
    body = {"url": f"http://127.0.0.1:{RECEIVER_PORT}/hook", "eventTypes": ["*"]}
    made = httpx.post(f"http://127.0.0.1:{PORT}/api/v3/webhooks", json=body, headers={"apikey": TOKEN})
    assert made.status_code in (200, 201), made.text


def _receipts(wrk: str, contacts: Path, run: str) -> tuple[float, float]:
    args = [TOKEN, str(contacts), f"{run}w", "2"]
    run_wrk(wrk, f"http://127.0.0.1:{PORT}", "receipts.lua", CLIENTS, WARMUP, args)
    figures, _ = run_wrk(
        wrk, f"http://127.0.0.1:{PORT}", "receipts.lua", CLIENTS, SECONDS, [*args[:2], run, "2"]
    )
    if figures["errors"]:
        raise SystemExit(f"{int(figures['errors'])} receipts were not stored")
    return figures["requests"] / figures["seconds"], figures["p99_ms"]


async def _drained_lag(since_seq: int) -> tuple[int, float, float]:
    """Wait for every event after `since_seq` to be delivered; (count, lag p50, p99) in ms."""
    connection = await asyncpg.connect(f"{POSTGRES}/{DATABASE}")
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM outbox_events e WHERE e.seq > $1 AND (e.fanned_out_at IS NULL "
                "OR EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq AND d.status = 'pending'))",
                since_seq,
            )
            if waiting == 0:
                break
            await asyncio.sleep(0.5)
        row = await connection.fetchrow(
            """SELECT count(*) AS n,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
                      percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99
               FROM (SELECT extract(epoch FROM a.attempted_on - e.occurred_at) * 1000 + a.latency_ms AS lag
                     FROM outbox_events e
                     JOIN webhook_deliveries d ON d.event_seq = e.seq AND d.status = 'succeeded'
                     JOIN webhook_attempts a ON a.delivery_id = d.id AND a.status_code BETWEEN 200 AND 299
                     WHERE e.seq > $1) AS lags""",
            since_seq,
        )
        return int(row["n"]), float(row["p50"] or 0), float(row["p99"] or 0)
    finally:
        await connection.close()


async def _last_seq() -> int:
    connection = await asyncpg.connect(f"{POSTGRES}/{DATABASE}")
    try:
        return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM outbox_events"))
    finally:
        await connection.close()


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True
    # Two workers open up to 100 connections at once; the default backlog of 5 resets the rest.
    request_queue_size = 256


def _workers(count: int, scratch: Path) -> list[subprocess.Popen[bytes]]:
    patron = str(Path(sys.executable).with_name("patron"))
    return [
        start([patron, "worker", "--concurrency", "50"], ENV, scratch / f"worker-{count}-{n}.log")
        for n in range(count)
    ]


def measure(wrk: str, scratch: Path) -> list[Phase]:
    asyncio.run(recreate_postgres(database=DATABASE))
    patron = str(Path(sys.executable).with_name("patron"))
    server = start([patron, "serve", "--port", str(PORT), "--workers", "2"], ENV, scratch / "serve.log")
    receiver = _Receiver(("127.0.0.1", RECEIVER_PORT), _Accept)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    phases: list[Phase] = []
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/readyz", server, scratch / "serve.log")
        contacts = _seed(scratch)
        rate, p99 = _receipts(wrk, contacts, "none")
        phases.append(Phase("no endpoint subscribed", rate, p99))
        print(f"  no endpoint: {rate:,.0f} receipts/s, p99 {p99:.1f} ms", flush=True)
        _subscribe()
        for count in (1, 2):
            since = asyncio.run(_last_seq())
            workers = _workers(count, scratch)
            try:
                rate, p99 = _receipts(wrk, contacts, f"w{count}")
                delivered, lag50, lag99 = asyncio.run(_drained_lag(since))
            finally:
                for worker in workers:
                    stop(worker)
            name = f"one endpoint, {count} worker{'s' if count > 1 else ''}"
            phases.append(Phase(name, rate, p99, lag50, lag99, delivered))
            print(
                f"  {name}: {rate:,.0f} receipts/s, p99 {p99:.1f} ms; {delivered:,} delivered, "
                f"lag p50 {lag50:.0f} ms, p99 {lag99:.0f} ms",
                flush=True,
            )
    finally:
        receiver.shutdown()
        stop(server)
        asyncio.run(recreate_postgres(create=False, database=DATABASE))
    return phases


def table(phases: list[Phase]) -> str:
    base = phases[0].receipts_per_second
    lines = [
        "| receipts at 16 clients | receipts/s | ratio to no endpoint | p99 ms | delivered | lag p50 ms | lag p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in phases:
        lag = (
            ("-", "-", "-")
            if phase.delivered is None
            else (f"{phase.delivered:,}", f"{phase.lag_p50_ms:.0f}", f"{phase.lag_p99_ms:.0f}")
        )
        lines.append(
            f"| {phase.name} | {phase.receipts_per_second:,.0f} | {phase.receipts_per_second / base:.2f} "
            f"| {phase.p99_ms:.1f} | {' | '.join(lag)} |"
        )
    return "\n".join(lines)


def main() -> None:
    wrk = ensure_wrk()
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-outbox-"))
    print("outbox: receipts with and without a subscribed endpoint, 1 and 2 workers", flush=True)
    load = os.getloadavg()
    phases = measure(wrk, scratch)
    rendered = table(phases)
    print(rendered)
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `make bench` (bench/outbox.py); load average before: "
        f"{', '.join(f'{x:.2f}' for x in load)}. `patron serve --workers 2` on PostgreSQL, {CONTACTS} contacts, "
        f"wrk {CLIENTS} clients for {SECONDS:g} s after {WARMUP:g} s of warm-up; `patron worker --concurrency 50` "
        f"processes, a local receiver answering 204. Goals: the subscription costs at most 10 % of receipts/s "
        f"(ratio >= 0.90); lag p99 under 1 s."
    )
    write_doc(f"{note}\n\n{rendered}", BEGIN, END, "## Webhook delivery")
    print(f"written to {DOC.relative_to(DOC.parent.parent)}")


if __name__ == "__main__":
    main()
