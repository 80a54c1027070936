"""The console's overview at scale: PostgreSQL (database patron_bench_console, recreated) with
1 000 000 receipts over 100 000 contacts spread across a year, plus redemptions, points,
record-challenge progress and webhook attempts; then `patron serve` and timed GETs of the
signed-in overview (every chart's aggregate query and the page's rendering) for 30, 90 and 365
days. Prints the table and writes it into docs/PERFORMANCE.md between the console markers.

    .venv/bin/python bench/console.py            # about 3 minutes on 2 cores
    BENCH_CONSOLE_SCREENSHOTS=1 ...              # also the overview and a contact page into docs/screenshots

Knobs: BENCH_CONSOLE_CONTACTS (100000), BENCH_CONSOLE_RECEIPTS (1000000), BENCH_CONSOLE_ROUNDS
(20), BENCH_CONSOLE_PORT (8790), BENCH_POSTGRES; BENCH_CONSOLE_KEEP=1 skips the load and measures the
database the last run left."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx

from patron.db import migrate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
SHOTS = ROOT / "docs" / "screenshots"
BEGIN, END = "<!-- console:begin -->", "<!-- console:end -->"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "patron_bench_console"
CONTACTS = int(os.environ.get("BENCH_CONSOLE_CONTACTS", "100000"))
RECEIPTS = int(os.environ.get("BENCH_CONSOLE_RECEIPTS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "20"))
PORT = int(os.environ.get("BENCH_CONSOLE_PORT", "8790"))
GOAL_MS = 500
RANGES = (30, 90, 365)

# Set-based, so the load takes seconds: every row derived from generate_series.
SEED = """
INSERT INTO contacts (id, contact_type, email, external_id, attributes, preferences, consents, created_on, modified_on)
SELECT md5('contact' || n)::uuid, 'Contact', 'member' || n || '@example.com', 'M-' || n,
       jsonb_build_object('firstName', (ARRAY['Ada','Grace','Maja','Olle','Noor','Sam','Lea','Ivo'])[1 + n % 8],
                          'lastName', 'Member ' || n),
       '{"acceptsEmail": true}', '[]', now() - interval '400 days', now() - interval '400 days'
FROM generate_series(1, $1) AS n;

INSERT INTO receipts (id, unique_receipt_id, fingerprint, contact_id, store_external_id, receipt_number,
                      created_date, currency, total_gross_price, used_promotions, recorded_on)
SELECT md5('receipt' || n)::uuid, 'bench-' || n, md5('f' || n), md5('contact' || (1 + n % $1))::uuid,
       'store-' || (n % 25), 'R' || n,
       date_trunc('day', now()) - (n % 365) * interval '1 day' + ((n::bigint * 7919) % 86400) * interval '1 second',
       'EUR', round((5 + (n * 37 % 20000) / 100.0)::numeric, 2), '[]', now()
FROM generate_series(1, $2) AS n;
"""

PROGRAMME = """
INSERT INTO promotions (id, name, state, start_date, time_zone, starts_at, redemption_channels, created_on, modified_on)
SELECT md5('promotion' || p)::uuid, 'Offer ' || p, 'Active', current_date - 400, 'UTC', now() - interval '400 days',
       '[{"type": "POS", "valueType": "PERCENT", "value": 10}]', now() - interval '400 days', now()
FROM generate_series(1, 10) AS p;

INSERT INTO promotion_assignments (id, contact_id, promotion_id, assigned_on, redeemed_on, redemption_channel)
SELECT md5('assignment' || n)::uuid, md5('contact' || (1 + n % $1))::uuid, md5('promotion' || (1 + n % 10))::uuid,
       now() - (n % 365) * interval '1 day',
       CASE WHEN n % 3 = 0 THEN now() - (n % 360) * interval '1 day' END,
       CASE WHEN n % 3 = 0 THEN (ARRAY['POS','ECOM','OTHER'])[1 + (n / 3) % 3] END
FROM generate_series(1, 300000) AS n;

INSERT INTO point_definitions (name, created_on, modified_on) VALUES ('Bonus points', now(), now());
INSERT INTO point_accounts (contact_id, definition_id, created_on)
SELECT md5('contact' || n)::uuid, (SELECT min(id) FROM point_definitions), now() FROM generate_series(1, $1) AS n;
INSERT INTO point_transactions (account_id, contact_id, amount, type, transaction_date, valid_from, created_on, modified_on)
SELECT a.id, a.contact_id, CASE WHEN n % 4 = 0 THEN -50 ELSE 10 + n % 90 END, CASE WHEN n % 4 = 0 THEN 'Spend' ELSE 'Earn' END,
       now() - (n % 365) * interval '1 day', now() - (n % 365) * interval '1 day', now(), now()
FROM generate_series(1, 500000) AS n JOIN point_accounts a ON a.id = (SELECT min(id) FROM point_accounts) + n % $1;

INSERT INTO record_definitions (id, kind, name, description, status, completion_target, aggregation_method,
                                aggregation_period, eud, eud_translations, created_on, modified_on)
SELECT md5('definition' || d)::uuid, 'challenge', (ARRAY['Spend 500 a month','10 visits a month','Weekly basket','Daily coffee','Green month'])[d],
       '', 'live', 500, 'sum', 'monthly', '{}', '{}', now() - interval '400 days', now()
FROM generate_series(1, 5) AS d;

INSERT INTO record_progress (contact_id, definition_id, period_key, id, kind, value, status, started_at, completed_at,
                             period_start, period_end, zone, period_value, run, modified_on)
SELECT md5('contact' || (1 + n % $1))::uuid, md5('definition' || (1 + n % 5))::uuid, 'm' || (n / $1),
       md5('progress' || n)::uuid, 'challenge', CASE WHEN n % 3 = 0 THEN 500 ELSE n % 500 END,
       CASE WHEN n % 3 = 0 THEN 'completed' ELSE 'in_progress' END, now() - (n % 365) * interval '1 day',
       CASE WHEN n % 3 = 0 THEN now() - (n % 365) * interval '1 day' END,
       date_trunc('month', now() - (n % 365) * interval '1 day'),
       date_trunc('month', now() - (n % 365) * interval '1 day') + interval '1 month',
       'UTC', 0, 0, now()
FROM generate_series(1, 200000) AS n
ON CONFLICT DO NOTHING;

INSERT INTO webhook_endpoints (id, url, event_types, active, secret, created_on, modified_on)
VALUES (md5('endpoint')::uuid, 'https://crm.example.com/patron', '[]', true, 'whsec_bench', now(), now());
INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, created_on)
SELECT md5('delivery' || n)::uuid, md5('endpoint')::uuid, 'evt_' || n, 'receipt.created',
       CASE WHEN n % 20 = 0 THEN 'failed' ELSE 'succeeded' END, 1, now(), now() - (n % 365) * interval '1 day'
FROM generate_series(1, 100000) AS n;
INSERT INTO webhook_attempts (delivery_id, number, attempted_on, status_code, latency_ms, error)
SELECT md5('delivery' || n)::uuid, 1, now() - (n % 365) * interval '1 day',
       CASE WHEN n % 20 = 0 THEN 503 ELSE 200 END, 40, NULL
FROM generate_series(1, 100000) AS n;
"""


async def load() -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    await admin.close()
    await asyncio.to_thread(migrate.upgrade, database_url())
    connection = await asyncpg.connect(f"{POSTGRES}/{DATABASE}")
    started = time.perf_counter()
    # The load skips foreign-key triggers, as bench/run.py does; every id it names exists.
    await connection.execute("SET session_replication_role = replica")
    for statement in [s for s in (SEED + PROGRAMME).split(";\n") if s.strip()]:
        uses = sorted(set(re.findall(r"\$(\d)", statement)))
        arguments = [CONTACTS, RECEIPTS][: len(uses)]
        await connection.execute(statement, *arguments)
    await connection.execute("SET session_replication_role = DEFAULT")
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    await connection.execute("VACUUM ANALYZE")
    await connection.close()


def admin_token() -> str:
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("patron")),
            "keys",
            "create",
            "--role",
            "admin",
            "--name",
            "bench",
        ],
        env={**os.environ, "PATRON_DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.findall(r"(pk_[0-9a-f]+\.\S+)", out)[0]


def database_url() -> str:
    return f"postgresql+asyncpg://{POSTGRES.removeprefix('postgresql://')}/{DATABASE}"


def serve(log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": database_url(),
        "PATRON_EMBEDDED_WORKER": "false",
        "PATRON_ACCESS_LOG": "false",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("patron")), "serve", "--port", str(PORT)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(log.read_text())


def signed_in(token: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=30)
    form = client.get("/console/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post("/console/sign-in", data={"token": token, "csrf": csrf.group(1), "next": "/console"})
    assert answer.status_code == 303, answer.text
    return client


def measure(client: httpx.Client) -> list[tuple[int, float, float, float]]:
    today = date.today()
    rows = []
    for days in RANGES:
        params = {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}
        for _ in range(3):  # warm the connection pool and the plans
            client.get("/console", params=params)
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            page = client.get("/console", params=params)
            times.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200 and "chart-data" in page.text
        times.sort()
        rows.append((days, statistics.median(times), times[int(len(times) * 0.95) - 1], max(times)))
    return rows


def screenshots(token: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{PORT}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/console/sign-in")
        page.fill("#token", token)
        page.click("form[action='/console/sign-in'] button")
        page.goto(f"{base}/console?from={(date.today() - timedelta(days=89)).isoformat()}")
        page.screenshot(path=str(SHOTS / "overview.png"), full_page=False)
        page.goto(f"{base}/console/contacts?q=member7@example.com")
        page.click("#results a")
        page.screenshot(path=str(SHOTS / "contact.png"), full_page=False)
        browser.close()


def write(rows: list[tuple[int, float, float, float]]) -> str:
    table = [
        f"PostgreSQL, {RECEIPTS:,} receipts over {CONTACTS:,} contacts across 365 days (plus 300,000 offers, "
        "500,000 point transactions, 200,000 challenge windows, 100,000 webhook attempts); "
        f"`GET /console` signed in, {ROUNDS} rounds after a warm-up, measured at the client "
        f"(`.venv/bin/python bench/console.py`, {date.today().isoformat()}; load average before: "
        f"{', '.join(f'{value:.2f}' for value in LOAD_BEFORE)}, on {os.cpu_count()} cores).",
        "",
        "| range | p50 ms | p95 ms | max ms | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for days, p50, p95, worst in rows:
        table.append(
            f"| {days} days | {p50:.0f} | {p95:.0f} | {worst:.0f} | < {GOAL_MS} ms {'yes' if p95 < GOAL_MS else '**no**'} |"
        )
    text = "\n".join(table)
    doc = DOC.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip() + f"\n\n## The console's overview\n\n{block}\n"
    DOC.write_text(doc)
    return text


LOAD_BEFORE: list[float] = []


def main() -> None:
    # BENCH_CONSOLE_KEEP=1 measures the database the last run loaded, without loading it again.
    if not os.environ.get("BENCH_CONSOLE_KEEP"):
        asyncio.run(load())
    LOAD_BEFORE.extend(os.getloadavg())
    token = admin_token()
    with tempfile.TemporaryDirectory() as scratch:
        process = serve(Path(scratch) / "serve.log")
        try:
            rows = measure(signed_in(token))
            if os.environ.get("BENCH_CONSOLE_SCREENSHOTS"):
                screenshots(token)
        finally:
            process.terminate()
            process.wait(timeout=20)
    print(write(rows))


if __name__ == "__main__":
    main()
