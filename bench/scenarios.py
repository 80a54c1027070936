"""The registry of `make bench`: every scenario, its concurrency, its baseline and its goal.

A wrk scenario is a Lua script under bench/lua/ (bench/lua/common.lua is prepended,
bench/lua/report.lua appended) that gets `token data run threads` as arguments, where `data`
is the seeded file or count named by `data`. A raw-SQL scenario is a function of
bench/baselines.py, driven from Python because wrk cannot speak the PostgreSQL protocol.
Ratios are to the row named `baseline` on the same backend, measured in the same run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

READ_CLIENTS = int(os.environ.get("BENCH_READ_CLIENTS", "32"))
WRITE_CLIENTS = int(os.environ.get("BENCH_WRITE_CLIENTS", "16"))
BATCH_CLIENTS = int(os.environ.get("BENCH_BATCH_CLIENTS", "4"))
BOTH = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Goal:
    """A performance goal of the project, judged on PostgreSQL with 2 server processes."""

    min_ratio: float | None = None
    max_p99_ms: float | None = None

    def verdict(self, ratio: float | None, p99_ms: float) -> str:
        """Each part of the goal with whether this run met it, e.g. "ratio ≥ 0.5 no, p99 < 20 ms yes"."""
        parts = []
        if self.min_ratio is not None:
            met = ratio is not None and ratio >= self.min_ratio
            parts.append(f"ratio ≥ {self.min_ratio:g} {'yes' if met else '**no**'}")
        if self.max_p99_ms is not None:
            parts.append(f"p99 < {self.max_p99_ms:g} ms {'yes' if p99_ms < self.max_p99_ms else '**no**'}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Scenario:
    name: str
    clients: int
    lua: str | None = None  # None: a raw-SQL baseline, `driver` in bench/baselines.py
    path: str = "/"
    data: str = ""  # "contacts", "count", "redeem", "redeem-floor", "checkpoints" or "" (none)
    driver: str = ""
    baseline: str | None = "bare route"
    unit: str = "rps"
    rows_per_request: int = 1
    goal: Goal | None = None
    backends: tuple[str, ...] = BOTH
    # "patron"; "floor": bench/floor_server.py, the same statements with no framework;
    # "stack floor": bench/stack_floor.py, the receipt's inserts on FastAPI and SQLAlchemy.
    server: str = "patron"


SCENARIOS: list[Scenario] = [
    # Reads first, while the database is as seeded; the bare route is their baseline.
    Scenario("bare route", READ_CLIENTS, "plain.lua", "/healthz", baseline="trivial server"),
    Scenario("contact lookup", READ_CLIENTS, "contact_lookup.lua", data="count"),
    Scenario(
        "promotions hot read",
        READ_CLIENTS,
        "hot_read.lua",
        data="contacts",
        goal=Goal(min_ratio=0.5, max_p99_ms=20),
    ),
    # What the hot read could reach at best in Python on this machine (bench/floor_server.py),
    # against the same baseline: the goal's ratio is only reachable if the floor's is higher.
    Scenario(
        "floor: bare route", READ_CLIENTS, "plain.lua", "/healthz", server="floor", backends=("postgresql",)
    ),
    Scenario(
        "floor: hot read",
        READ_CLIENTS,
        "hot_read.lua",
        data="contacts",
        server="floor",
        backends=("postgresql",),
    ),
    Scenario("redeem", READ_CLIENTS, "redeem.lua", data="redeem", goal=Goal(max_p99_ms=25)),
    Scenario(
        "floor: redeem",
        READ_CLIENTS,
        "redeem.lua",
        data="redeem-floor",
        server="floor",
        backends=("postgresql",),
    ),
    Scenario("contact create", WRITE_CLIENTS, "contact_create.lua"),
    Scenario(
        "receipts",
        WRITE_CLIENTS,
        "receipts.lua",
        data="contacts",
        baseline="receipts (raw SQL)",
        goal=Goal(min_ratio=0.5, max_p99_ms=50),
    ),
    Scenario("receipts (raw SQL)", WRITE_CLIENTS, driver="receipts", baseline=None, backends=("postgresql",)),
    Scenario(
        "floor: receipts",
        WRITE_CLIENTS,
        "receipts.lua",
        data="contacts",
        baseline="receipts (raw SQL)",
        server="floor",
        backends=("postgresql",),
    ),
    # The same receipts on Patron's libraries with nothing but the inserts (bench/stack_floor.py).
    Scenario(
        "floor (FastAPI + SQLAlchemy): receipts",
        WRITE_CLIENTS,
        "receipts.lua",
        data="contacts",
        baseline="receipts (raw SQL)",
        server="stack floor",
        backends=("postgresql",),
    ),
    Scenario(
        "checkpoint batches",
        BATCH_CLIENTS,
        "checkpoints.lua",
        data="checkpoints",
        baseline="checkpoints (raw SQL)",
        unit="rows/s",
        rows_per_request=1000,
        goal=Goal(min_ratio=0.3, max_p99_ms=250),
    ),
    Scenario(
        "checkpoints (raw SQL)",
        BATCH_CLIENTS,
        driver="checkpoints",
        baseline=None,
        unit="rows/s",
        rows_per_request=1000,
        backends=("postgresql",),
    ),
    # The raw-SQL row's statements behind FastAPI, Pydantic and SQLAlchemy (bench/stack_floor.py).
    Scenario(
        "floor (FastAPI + SQLAlchemy): checkpoints",
        BATCH_CLIENTS,
        "checkpoints.lua",
        data="checkpoints",
        baseline="checkpoints (raw SQL)",
        unit="rows/s",
        rows_per_request=1000,
        server="stack floor",
        backends=("postgresql",),
    ),
]
