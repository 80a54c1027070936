"""The raw-SQL baselines of `make bench`: the rows Patron writes, written by asyncpg directly.

wrk cannot speak the PostgreSQL protocol, so these are driven from Python. The driver is kept
light: one asyncio loop, one pooled connection per client, prepared statements, nothing
between the loop and asyncpg but the timing. Each client runs back to back for the given
seconds (a closed loop, like wrk's connections); latency is per transaction.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
from seed import STORE


@dataclass
class Measured:
    transactions: int
    seconds: float
    latencies_ms: list[float]
    cpu_seconds: float  # the driver's own CPU time while it ran
    probed: tuple[object, object]  # what `probe` returned as the measured loop began and ended

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


Probe = Callable[[], object]


async def closed_loop(
    clients: int, seconds: float, one: Callable[[int], Awaitable[None]], probe: Probe
) -> Measured:
    """`clients` loops calling `one` back to back for `seconds`; `probe` is called just before and
    just after (while the connections are still open, so the database's CPU can be read)."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def client(number: int) -> None:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            await one(number)
            latencies.append((time.perf_counter() - began) * 1000)

    before, cpu, started = probe(), time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Measured(len(latencies), elapsed, latencies, cpu, (before, probe()))


RECEIPT = """
INSERT INTO receipts (id, unique_receipt_id, fingerprint, contact_id, store_external_id, receipt_number,
  created_date, currency, total_gross_price, exchange_rate_to_group_currency, used_promotions, extra_data,
  recorded_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'SEK', 60, NULL, '[]'::jsonb, NULL, $7)
"""
LINES = """
INSERT INTO receipt_lines (id, receipt_id, contact_id, position, type, sku, article_number, article_name,
  article_group, quantity, gross_paid_price, tax_amount, tax_percent, discounts, extra_data)
VALUES ($1, $2, $3, $4, 'PURCHASE', $5, $6, $7, 'Bench', 1, $8, $9, 25, '[]'::jsonb, NULL)
"""
PAYMENT = """
INSERT INTO receipt_payments (id, receipt_id, contact_id, position, type, value, description)
VALUES ($1, $2, $3, 0, 'Card', 60, NULL)
"""


async def receipts(dsn: str, contact_ids: list[str], clients: int, seconds: float, probe: Probe) -> Measured:
    """One transaction per receipt: the receipt, its 3 lines and its payment, as Patron stores them."""
    contacts = [uuid.UUID(contact) for contact in contact_ids]
    run, counter = uuid.uuid4().hex[:8], iter(range(1 << 62))
    async with asyncpg.create_pool(dsn, min_size=clients, max_size=clients) as pool:

        async def one(client: int) -> None:
            number, receipt, contact = next(counter), uuid.uuid4(), random.choice(contacts)
            lines = [
                (
                    uuid.uuid4(),
                    receipt,
                    contact,
                    i - 1,
                    f"SKU-{i}",
                    f"A-{i}",
                    f"Article {i}",
                    Decimal(10 * i),
                    Decimal(2 * i),
                )
                for i in (1, 2, 3)
            ]
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    RECEIPT,
                    receipt,
                    f"sql-{run}-{number}",
                    "0" * 64,
                    contact,
                    STORE,
                    str(number),
                    datetime.now(UTC),
                )
                await connection.executemany(LINES, lines)
                await connection.execute(PAYMENT, uuid.uuid4(), receipt, contact)

        return await closed_loop(clients, seconds, one, probe)


# A challenge log of the record dialect: the log, then its member's progress in the month.
LOG_INSERT = """
INSERT INTO record_logs (contact_id, id, definition_id, kind, activity_at, activity_id, unique_identifier,
  activity_value, period_key, created_on)
VALUES ($1, $2, $3, 'challenge', $4, NULL, $5, 25, $6, $4)
ON CONFLICT DO NOTHING
"""
PROGRESS_UPSERT = """
INSERT INTO record_progress (contact_id, definition_id, period_key, id, kind, value, status, started_at,
  period_start, period_end, zone, period_value, run, modified_on)
VALUES ($1, $2, $3, $4, 'challenge', 25, 'in_progress', $5, $6, $7, 'UTC', 0, 0, $5)
ON CONFLICT (contact_id, definition_id, period_key)
DO UPDATE SET value = record_progress.value + 25, modified_on = excluded.modified_on
"""


CHECKPOINT_LOG = """
INSERT INTO challenge_checkpoints (contact_id, definition_id, kind, amount, source, recorded_on)
SELECT c, d, 'checkpoint', a, 'api', now() FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(c, d, a)
"""
# Sorted, so concurrent batches lock shared rows in one order, as Patron does.
CHECKPOINT_PROGRESS = """
INSERT INTO challenges (id, contact_id, definition_id, cycle, is_current, completed_checkpoints,
                        required_checkpoints, status, started_on, latest_checkpoint_on)
SELECT gen_random_uuid(), c, d, 0, true, a, 1000000, 1, now(), now()
FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS t(c, d, a)
ORDER BY c, d
ON CONFLICT (contact_id, definition_id, cycle) DO UPDATE
SET completed_checkpoints = challenges.completed_checkpoints + excluded.completed_checkpoints,
    latest_checkpoint_on = excluded.latest_checkpoint_on
"""


async def checkpoints(
    dsn: str, batches: list[list[tuple[str, str, int]]], clients: int, seconds: float, probe: Probe
) -> Measured:
    """One transaction per 1000-row batch: every row in the log, one progress upsert per
    (contact, definition) of the batch."""
    prepared = []
    for batch in batches:
        log = [
            [uuid.UUID(c) for c, _, _ in batch],
            [uuid.UUID(d) for _, d, _ in batch],
            [a for _, _, a in batch],
        ]
        summed: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()
        for contact, definition, amount in zip(*log, strict=True):
            summed[(contact, definition)] += amount
        progress = [[c for c, _ in summed], [d for _, d in summed], list(summed.values())]
        prepared.append((log, progress))
    turn = iter(range(1 << 62))
    async with asyncpg.create_pool(dsn, min_size=clients, max_size=clients) as pool:

        async def one(client: int) -> None:
            log, progress = prepared[next(turn) % len(prepared)]
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute(CHECKPOINT_LOG, *log)
                await connection.execute(CHECKPOINT_PROGRESS, *progress)

        return await closed_loop(clients, seconds, one, probe)
