"""What bench/records.py and bench/events.py share: a `patron serve` environment on a database
of its own, a wrk run reduced to its rate and p99, the floor server on that database, ANALYZE
between warm-up and run, and the table both print."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from run import SECONDS, THREADS, TOKEN, WARMUP, run_wrk, start, stop, wait_until_up


def patron_env(dsn: str) -> dict[str, str]:
    """`patron serve` on `dsn` with the bench's admin key, no access log, no rate limits and no
    embedded worker (nothing in the background competes with what is measured)."""
    return {
        **os.environ,
        "PATRON_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
        "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
        "PATRON_DB_POOL_SIZE": "16",
        "PATRON_RATE_LIMITS": "false",
        "PATRON_EMBEDDED_WORKER": "false",
    }


def wrk_rate(
    wrk: str, port: int, lua: str, clients: int, data: Path, run: str, seconds: float
) -> tuple[float, float]:
    """Requests per second and p99 ms of `lua` at `clients`; any failed request ends the bench."""
    figures, _ = run_wrk(
        wrk, f"http://127.0.0.1:{port}", lua, clients, seconds, [TOKEN, str(data), run, str(THREADS)]
    )
    if figures["errors"]:
        raise SystemExit(f"{lua}: {int(figures['errors'])} requests failed")
    return figures["requests"] / figures["seconds"], figures["p99_ms"]


def start_floor(port: int, dsn: str, clients: int, scratch: Path) -> subprocess.Popen[bytes]:
    """bench/floor_server.py on `dsn` under the same uvicorn and process count as Patron, a
    connection per request in flight."""
    command = [
        str(Path(sys.executable).with_name("uvicorn")),
        "floor_server:app",
        "--app-dir",
        str(Path(__file__).parent),
        "--workers",
        "2",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log = scratch / "floor.log"
    process = start(command, {**os.environ, "FLOOR_DSN": dsn, "FLOOR_POOL_SIZE": str(clients // 2)}, log)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
    return process


def floor_rate(
    wrk: str, port: int, dsn: str, lua: str, clients: int, data: Path, scratch: Path, label: str = ""
) -> tuple[float, float]:
    """Requests per second and p99 ms of `lua` at `clients` against the floor server, started
    for the measurement (warm-up first) and stopped after it. `label` keeps the runs' unique
    identifiers apart from those sent to Patron."""
    floor = start_floor(port, dsn, clients, scratch)
    try:
        wrk_rate(wrk, port, lua, clients, data, f"{label}warm", WARMUP)
        return wrk_rate(wrk, port, lua, clients, data, f"{label}run", SECONDS)
    finally:
        stop(floor)


async def analyse(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


@dataclass(frozen=True)
class Row:
    name: str
    per_second: float
    p99_ms: float
    baseline: str | None = None
    ratio: float | None = None


def table(rows: list[Row]) -> str:
    lines = ["| scenario | per second | p99 ms | baseline | ratio |", "|---|---:|---:|---|---:|"]
    for row in rows:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(
            f"| {row.name} | {row.per_second:,.0f} | {row.p99_ms:.1f} | {row.baseline or '-'} | {ratio} |"
        )
    return "\n".join(lines)
