"""A till, as its own process: it rings up the sales of a plan one after another, handing each
to the outbox with `send_later`, and times every such call. Killed, it is started again on
the same outbox and plan, and goes on from the last sale it wrote down (queuing that one again
is harmless: its key is in the outbox already). Once every sale is queued it waits until the
outbox has sent them all, and exits 0.

    python till_process.py URL OUTBOX PLAN JOURNAL   (PATRON_TOKEN in the environment)

PLAN is a JSON list of sales: {"receipt": {...Receipt fields...}} or {"redeem": ASSIGNMENT_ID}.
JOURNAL gets one line per sale queued: `index milliseconds`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from patron_client import Patron, RetryPolicy, operations
from patron_client.models import Receipt

# A busy till: a sale every few milliseconds, far faster than a person rings one up.
SECONDS_BETWEEN_SALES = 0.02
# The outbox waits at most this long between tries: Patron comes back within seconds here.
OUTBOX_RETRIES = RetryPolicy(attempts=1_000_000, first_wait=0.05, longest_wait=0.5, deadline=float("inf"))


def _resume_at(journal: Path) -> int:
    if not journal.exists():
        return 0
    lines = [line for line in journal.read_text().splitlines() if line.strip()]
    # The last line written may name a sale whose queuing the kill cut short, or not: queue it again.
    return int(lines[-1].split()[0]) if lines else 0


def main(url: str, outbox: str, plan_path: str, journal_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    journal = Path(journal_path)
    start = _resume_at(journal)
    with (
        Patron(url, os.environ["PATRON_TOKEN"], outbox=outbox, outbox_retries=OUTBOX_RETRIES) as till,
        journal.open("a", buffering=1) as written,
    ):
        for index in range(start, len(plan)):
            sale = plan[index]
            key = f"till-7-sale-{index}"
            # The sale as the till has it when it is rung up; only the hand-over is timed.
            operation = (
                operations.send_receipt(Receipt.model_validate(sale["receipt"]))
                if "receipt" in sale
                else operations.redeem(sale["redeem"], "POS")
            )
            began = time.perf_counter()
            till.send_later(operation, idempotency_key=key)
            took = (time.perf_counter() - began) * 1000
            written.write(f"{index} {took:.3f}\n")
            time.sleep(SECONDS_BETWEEN_SALES)
        return 0 if till.outbox.wait_until_sent(timeout=120) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
