"""XML receipt imports on PostgreSQL against a raw-SQL COPY of the same rows, in the same run.

Writes an import file of BENCH_IMPORT_RECEIPTS receipts (20 000 by default; 1 000 000 for the
acceptance run) for 1 000 contacts at one store, then runs `patron import receipts` in a process
of its own, as an operator would, and measures its time and peak memory (the child's maximum
resident set). With BENCH_IMPORT_KILL_AT_HALF=1 the first run is killed (SIGKILL) once half the
rows are committed and the import is started again with --take-over; either way it is then
imported a second time, which must change nothing, and every receipt must be stored once.
The baseline COPYs the same receipts, lines and payments (built from the same bodies) into
tables made LIKE Patron's, indexes and unique constraints included. Prints a table and writes it
into docs/PERFORMANCE.md between its imports markers. Database: patron_bench_imports."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import POSTGRES, write_doc

from patron.config import Settings
from patron.contacts import service as contacts
from patron.contacts.schemas import ContactFields
from patron.contacts.service import ContactRules
from patron.db.engine import create_database
from patron.db.session import transaction
from patron.imports.xml_format import ImportKind
from patron.imports.xml_writer import write
from patron.stores import service as stores
from patron.stores.schemas import NewStore

DATABASE = "patron_bench_imports"
RECEIPTS = int(os.environ.get("BENCH_IMPORT_RECEIPTS", "20000"))
KILL_AT_HALF = os.environ.get("BENCH_IMPORT_KILL_AT_HALF", "") == "1"
CONTACTS = 1000
STORE = "S-1"
URL = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{DATABASE}"
RAW = f"{POSTGRES}/{DATABASE}"
ENV = {**os.environ, "PATRON_DATABASE_URL": URL, "PATRON_LOG_LEVEL": "WARNING", "PATRON_ACCESS_LOG": "false"}
BEGIN, END = "<!-- imports:begin -->", "<!-- imports:end -->"
COPY_CHUNK = 20_000
# Where the import file is written (it is large: about 275 bytes a receipt).
FOLDER = os.environ.get("BENCH_IMPORT_DIR", "/var/tmp")


def email(number: int) -> str:
    return f"bench{number}@example.com"


def receipt(number: int) -> dict[str, Any]:
    return {
        "uniqueReceiptId": f"BENCH-{number}",
        "receiptNumber": str(number),
        "createdDate": "2026-11-20T14:05:00+01:00",
        "storeExternalId": STORE,
        "currency": "SEK",
        "totalGrossPrice": "150.00",
        "contact": {"matchKey": email(number % CONTACTS), "matchKeyType": "Email"},
        "paymentMethods": [{"type": "Card", "value": "150.00"}],
        "items": [
            {
                "type": "PURCHASE",
                "articleNumber": "A-1",
                "articleName": "Trail shoe",
                "articleGroup": "Shoes",
                "quantity": "1",
                "grossPaidPrice": "100.00",
                "taxAmount": "20.00",
                "taxPercent": "25",
            },
            {
                "type": "PURCHASE",
                "articleNumber": "A-2",
                "articleName": "Socks",
                "quantity": "2",
                "grossPaidPrice": "50.00",
                "taxAmount": "10.00",
                "taxPercent": "25",
            },
        ],
    }


async def recreate() -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()


async def seed() -> dict[str, uuid.UUID]:
    """The store and the contacts, through their services (what the receipts refer to)."""
    settings = Settings(database_url=URL)
    database = create_database(settings)
    rules = ContactRules.from_settings(settings)
    try:
        async with transaction(database) as session:
            await stores.create(session, NewStore(externalId=STORE, name="Bench store", type="Physical"))
            ids = {}
            for number in range(CONTACTS):
                contact = await contacts.create(session, ContactFields(email=email(number)), rules)
                ids[email(number)] = contact.id
        return ids
    finally:
        await database.dispose()


def write_file(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        write(out, ImportKind.RECEIPTS, (receipt(number) for number in range(RECEIPTS)))


async def rows_done() -> int:
    """How far the import has got; 0 while the database is too busy to say."""
    try:
        connection = await asyncpg.connect(RAW)
    except (OSError, asyncpg.PostgresError):
        return 0
    try:
        found = await connection.fetchval("SELECT max(rows_done) FROM file_imports")
        return int(found or 0)
    finally:
        await connection.close()


def run_import(path: Path, *extra: str, kill_at: int | None = None) -> tuple[float, int, bool]:
    """(seconds, peak RSS in MiB, killed) of one `patron import receipts` process."""
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "patron",
        "import",
        "receipts",
        str(path),
        "--batch-rows",
        "1000",
        *extra,
    ]
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL)
    killed = False
    while kill_at is not None and process.poll() is None:
        if asyncio.run(rows_done()) >= kill_at:
            os.kill(process.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.5)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if not killed and os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"patron import failed: {status}")
    return seconds, usage.ru_maxrss // 1024, killed


async def stored() -> tuple[int, int, int]:
    connection = await asyncpg.connect(RAW)
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS receipts, count(DISTINCT unique_receipt_id) AS distinct_ids, "
            "(SELECT count(*) FROM receipt_lines) AS lines FROM receipts"
        )
        return int(row["receipts"]), int(row["distinct_ids"]), int(row["lines"])
    finally:
        await connection.close()


def _copy_rows(
    ids: dict[str, uuid.UUID], numbers: range
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    receipts, lines, payments = [], [], []
    for number in numbers:
        body = receipt(number)
        receipt_id, contact_id = uuid.uuid4(), ids[body["contact"]["matchKey"]]
        print_ = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        created = datetime.fromisoformat(body["createdDate"])
        receipts.append(
            (
                receipt_id,
                body["uniqueReceiptId"],
                print_,
                contact_id,
                STORE,
                body["receiptNumber"],
                created,
                "SEK",
                Decimal(body["totalGrossPrice"]),
                "[]",
                now,
            )
        )
        for position, item in enumerate(body["items"]):
            lines.append(
                (
                    uuid.uuid4(),
                    receipt_id,
                    contact_id,
                    position,
                    item["type"],
                    item["articleNumber"],
                    item["articleName"],
                    item.get("articleGroup"),
                    Decimal(item["quantity"]),
                    Decimal(item["grossPaidPrice"]),
                    Decimal(item["taxAmount"]),
                    Decimal(item["taxPercent"]),
                    "[]",
                )
            )
        for position, payment in enumerate(body["paymentMethods"]):
            payments.append(
                (uuid.uuid4(), receipt_id, contact_id, position, payment["type"], Decimal(payment["value"]))
            )
    return receipts, lines, payments


def _chunks() -> Iterator[range]:
    for start in range(0, RECEIPTS, COPY_CHUNK):
        yield range(start, min(start + COPY_CHUNK, RECEIPTS))


async def copy_baseline(ids: dict[str, uuid.UUID]) -> float:
    """Seconds to COPY the same receipts, lines and payments into tables LIKE Patron's."""
    connection = await asyncpg.connect(RAW)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS copy_bench CASCADE; CREATE SCHEMA copy_bench")
        for table in ("receipts", "receipt_lines", "receipt_payments"):
            await connection.execute(f"CREATE TABLE copy_bench.{table} (LIKE public.{table} INCLUDING ALL)")
        started = time.perf_counter()
        for numbers in _chunks():
            receipts, lines, payments = _copy_rows(ids, numbers)
            async with connection.transaction():
                await connection.copy_records_to_table(
                    "receipts",
                    schema_name="copy_bench",
                    records=receipts,
                    columns=[
                        "id",
                        "unique_receipt_id",
                        "fingerprint",
                        "contact_id",
                        "store_external_id",
                        "receipt_number",
                        "created_date",
                        "currency",
                        "total_gross_price",
                        "used_promotions",
                        "recorded_on",
                    ],
                )
                await connection.copy_records_to_table(
                    "receipt_lines",
                    schema_name="copy_bench",
                    records=lines,
                    columns=[
                        "id",
                        "receipt_id",
                        "contact_id",
                        "position",
                        "type",
                        "article_number",
                        "article_name",
                        "article_group",
                        "quantity",
                        "gross_paid_price",
                        "tax_amount",
                        "tax_percent",
                        "discounts",
                    ],
                )
                await connection.copy_records_to_table(
                    "receipt_payments",
                    schema_name="copy_bench",
                    records=payments,
                    columns=["id", "receipt_id", "contact_id", "position", "type", "value"],
                )
        return time.perf_counter() - started
    finally:
        await connection.close()


def main() -> None:
    asyncio.run(recreate())
    subprocess.run([sys.executable, "-m", "patron", "db", "upgrade"], env=ENV, check=True)
    ids = asyncio.run(seed())
    with tempfile.TemporaryDirectory(prefix="patron-import-bench-", dir=FOLDER) as folder:
        path = Path(folder) / "receipts.xml"
        write_file(path)
        size = path.stat().st_size
        first, first_rss, killed = run_import(path, kill_at=RECEIPTS // 2 if KILL_AT_HALF else None)
        resumed = resumed_rss = 0.0
        if killed:
            resumed, resumed_rss, _ = run_import(path, "--take-over")
        after_first = asyncio.run(stored())
        again, again_rss, _ = run_import(path)
        after_again = asyncio.run(stored())
    assert after_first[0] == after_first[1] == RECEIPTS, after_first
    assert after_again == after_first, (after_first, after_again)
    copy_seconds = asyncio.run(copy_baseline(ids))
    import_seconds = first + resumed
    import_rate, copy_rate = RECEIPTS / import_seconds, RECEIPTS / copy_seconds
    rows = [
        ("file", f"{RECEIPTS:,} receipts (2 lines, 1 payment each), {size / 2**20:,.0f} MiB"),
        (
            "import",
            f"{import_seconds:,.1f} s, {import_rate:,.0f} receipts/s, peak RSS {max(first_rss, resumed_rss):,.0f} MiB"
            + (f" (killed at half, resumed in {resumed:,.1f} s)" if killed else ""),
        ),
        ("same file again", f"{again:,.1f} s, peak RSS {again_rss:,.0f} MiB, nothing changed"),
        (
            "stored",
            f"{after_first[0]:,} receipts, {after_first[1]:,} distinct uniqueReceiptIds, {after_first[2]:,} lines",
        ),
        ("COPY of the same rows", f"{copy_seconds:,.1f} s, {copy_rate:,.0f} receipts/s"),
        ("import / COPY", f"{import_rate / copy_rate:.2f}"),
    ]
    table = "| | |\n|---|---|\n" + "\n".join(f"| {name} | {value} |" for name, value in rows)
    print(table)
    write_doc(table, BEGIN, END, heading="## XML receipt imports (bench/imports.py)")


if __name__ == "__main__":
    main()
