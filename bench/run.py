"""`make bench`: start Patron on SQLite and on PostgreSQL, seed it, run every scenario of
bench/scenarios.py with wrk (and the raw-SQL baselines with asyncpg), print one table and
write it into docs/PERFORMANCE.md. Knobs (BENCH_*) are described in bench/README.md."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines
import seed
from scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
DOC = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
CORES = os.cpu_count() or 1
HERTZ = os.sysconf("SC_CLK_TCK")

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
CONTACTS = {
    "postgresql": int(os.environ.get("BENCH_CONTACTS", "100000")),
    "sqlite": int(os.environ.get("BENCH_SQLITE_CONTACTS", "100000")),
}
REDEEMS = int(os.environ.get("BENCH_REDEEMS", "160000"))
BATCHES = int(os.environ.get("BENCH_BATCHES", "50"))
WORKERS = {"sqlite": 1, "postgresql": int(os.environ.get("BENCH_WORKERS", "2"))}
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "patron_bench")
FIRST_PORT = int(os.environ.get("BENCH_PORT", "8400"))
PORTS = {
    "trivial": FIRST_PORT,
    "sqlite": FIRST_PORT + 1,
    "postgresql": FIRST_PORT + 2,
    "floor": FIRST_PORT + 3,
    "stack floor": FIRST_PORT + 4,
}
BACKENDS = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
TOKEN = f"bench{secrets.token_hex(4)}.{secrets.token_hex(16)}"


@dataclass
class Row:
    scenario: str
    backend: str
    clients: int
    unit: str
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    cpu: str  # load generator, Patron, PostgreSQL, the rest: each a share of the whole machine
    baseline: str | None = None
    baseline_rate: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.rate / self.baseline_rate if self.baseline_rate else None


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(install, check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


async def postgres_version() -> str:
    try:
        connection = await asyncpg.connect(f"{POSTGRES}/postgres")
    except (OSError, asyncpg.PostgresError):
        return "?"
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "cpu": f"{CORES} x {model.group(1).strip() if model else platform.processor()}",
        "memory": f"{int(memory.group(1)) // 1024 // 1024} GiB" if memory else "?",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": asyncio.run(postgres_version()),
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip() or "?",
    }


@dataclass(frozen=True)
class Snapshot:
    """CPU ticks so far, per process and for the whole machine, to share out a row's CPU time."""

    at: float
    processes: dict[int, tuple[str, int, int]]  # pid -> (name, process group, utime + stime)
    machine_busy: int

    @staticmethod
    def take() -> Snapshot:
        processes = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue  # gone meanwhile
            fields = text[text.rindex(")") + 2 :].split()
            name = text[text.index("(") + 1 : text.rindex(")")]
            processes[int(stat.parent.name)] = (name, int(fields[2]), int(fields[11]) + int(fields[12]))
        ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return Snapshot(time.monotonic(), processes, sum(ticks) - ticks[3] - ticks[4])  # less idle, iowait

    def used_since(self, before: Snapshot, chosen: Callable[[int, str, int], bool]) -> float:
        """CPU seconds the chosen processes used between the snapshots (those that exited meanwhile
        are lost, which is why the baselines read the database's share before closing their pool)."""
        ticks = sum(
            used - before.processes.get(pid, (name, group, 0))[2]
            for pid, (name, group, used) in self.processes.items()
            if chosen(pid, name, group)
        )
        return ticks / HERTZ


def cpu_note(
    before: Snapshot,
    after: Snapshot,
    generator: str,
    generator_seconds: float,
    server: int | None,
    label: str = "Patron",
    database: bool = True,
) -> str:
    """Each CPU consumer's share of the whole machine during a row, e.g. "wrk 3% · Patron 95% · ..."."""
    elapsed = (after.at - before.at) * CORES
    me = os.getpid()
    parts = {generator: generator_seconds}
    if server is not None:
        parts[label] = after.used_since(before, lambda pid, name, group: group == server)
    if database:
        parts["PG"] = after.used_since(before, lambda pid, name, group: name == "postgres")
    busy = (after.machine_busy - before.machine_busy) / HERTZ
    mine = after.used_since(before, lambda pid, name, group: pid == me)
    parts["other"] = max(0.0, busy - sum(parts.values()) - (0 if generator == "driver" else mine))
    return " · ".join(f"{name} {seconds / elapsed:.0%}" for name, seconds in parts.items())


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def recreate_postgres(create: bool = True, database: str = DATABASE) -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()


def start_patron(backend: str, scratch: Path) -> subprocess.Popen[bytes]:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{scratch / 'bench.db'}"
    else:
        asyncio.run(recreate_postgres())
        url = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{DATABASE}"
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
        "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
        # Each process sees up to 16 requests at once (32 connections over 2 workers): a pool
        # that size keeps its connections, and their prepared statements, instead of churning.
        "PATRON_DB_POOL_SIZE": os.environ.get("PATRON_DB_POOL_SIZE", "16"),
    }
    port = PORTS[backend]
    log = scratch / f"{backend}.log"
    command = [
        str(Path(sys.executable).with_name("patron")),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(WORKERS[backend]),
    ]
    process = start(command, env, log)
    wait_until_up(f"http://127.0.0.1:{port}/readyz", process, log)
    return process


def _start_uvicorn(name: str, module: str, env: dict[str, str], scratch: Path) -> subprocess.Popen[bytes]:
    """A floor server of bench/ under the same uvicorn, with Patron's process count."""
    command = [
        str(Path(sys.executable).with_name("uvicorn")),
        f"{module}:app",
        "--app-dir",
        str(Path(__file__).parent),
        "--workers",
        str(WORKERS["postgresql"]),
        "--port",
        str(PORTS[name]),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log = scratch / f"{module}.log"
    process = start(command, {**os.environ, **env}, log)
    wait_until_up(f"http://127.0.0.1:{PORTS[name]}/healthz", process, log)
    return process


def start_floor(name: str, scratch: Path, clients: int) -> subprocess.Popen[bytes]:
    """A floor server on the seeded PostgreSQL database, with a connection per request in flight
    (PostgreSQL's connection limit is shared with Patron's pools, which stay open)."""
    pool = str(-(-clients // WORKERS["postgresql"]))
    if name == "floor":
        env = {"FLOOR_DSN": f"{POSTGRES}/{DATABASE}", "FLOOR_POOL_SIZE": pool}
        return _start_uvicorn(name, "floor_server", env, scratch)
    dsn = f"{POSTGRES.replace('postgresql://', 'postgresql+asyncpg://')}/{DATABASE}"
    return _start_uvicorn(name, "stack_floor", {"STACK_DSN": dsn, "STACK_POOL_SIZE": pool}, scratch)


def seed_backend(backend: str, scratch: Path) -> seed.Seeded:
    began = time.monotonic()
    promotions, definitions, baseline_definitions = seed.through_the_api(
        f"http://127.0.0.1:{PORTS[backend]}", TOKEN
    )
    count = CONTACTS[backend]
    if backend == "sqlite":
        contact_ids, redeemable = seed.bulk_sqlite(scratch / "bench.db", count, promotions, REDEEMS)
    else:
        contact_ids, redeemable = asyncio.run(
            seed.bulk_postgres(f"{POSTGRES}/{DATABASE}", count, promotions, REDEEMS)
        )
    seeded = seed.write_files(
        scratch / backend, contact_ids, redeemable, definitions, baseline_definitions, BATCHES
    )
    print(
        f"  seeded {count:,} contacts, {count * seed.PROMOTIONS:,} assignments in {time.monotonic() - began:.0f} s",
        flush=True,
    )
    return seeded


def run_wrk(
    wrk: str, url: str, lua: str, clients: int, seconds: float, args: list[str]
) -> tuple[dict[str, float], float]:
    """Run wrk with common.lua + the scenario + report.lua; return its figures and its CPU seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join((LUA / name).read_text() for name in ("common.lua", lua, "report.lua")))
    threads = min(THREADS, clients)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        script.name,
        url,
        "--",
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode() if process.stdout else ""
    _, _, usage = os.wait4(process.pid, 0)
    os.unlink(script.name)
    found = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if not found:
        raise SystemExit(f"wrk gave no figures: {output}")
    return json.loads(found.group(1)), usage.ru_utime + usage.ru_stime


def data_argument(scenario: Scenario, seeded: seed.Seeded | None, warmup: bool) -> str:
    if seeded is None or not scenario.data:
        return ""
    return {
        "count": str(seeded.contacts),
        "contacts": str(seeded.contact_file),
        "redeem": str(seeded.redeem_files[0 if warmup else 1]),
        "redeem-floor": str(seeded.redeem_files[2 if warmup else 3]),
        "checkpoints": str(seeded.checkpoint_file),
    }[scenario.data]


async def _analyse() -> None:
    connection = await asyncpg.connect(f"{POSTGRES}/{DATABASE}")
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def settle_statistics(backend: str) -> None:
    """Refresh the planner's statistics after a row's warm-up, as autovacuum would on a server
    that runs it (this machine's does not). A table that was empty when last analysed (receipts,
    the checkpoint log, challenges: the seed analyses them empty) is otherwise planned as
    empty for good: the connections that wrote it first keep sequential scans of it in their
    cached plans, foreign-key checks included, and slow down as it grows. ANALYZE invalidates
    those plans, so every measured row runs on plans made for the tables as they are."""
    if backend == "postgresql":
        asyncio.run(_analyse())


def wrk_row(
    wrk: str, scenario: Scenario, backend: str, seeded: seed.Seeded | None, server: int | None
) -> Row:
    assert scenario.lua is not None
    port = (
        PORTS[scenario.server]
        if scenario.server != "patron"
        else PORTS["trivial" if backend == "-" else backend]
    )
    url = f"http://127.0.0.1:{port}{scenario.path}"
    threads = str(min(THREADS, scenario.clients))
    if WARMUP > 0:
        warm = [TOKEN, data_argument(scenario, seeded, True), f"W{secrets.token_hex(3)}", threads]
        run_wrk(wrk, url, scenario.lua, scenario.clients, WARMUP, warm)
    settle_statistics(backend)
    args = [TOKEN, data_argument(scenario, seeded, False), f"R{secrets.token_hex(3)}", threads]
    before = Snapshot.take()
    figures, wrk_cpu = run_wrk(wrk, url, scenario.lua, scenario.clients, SECONDS, args)
    label = "server" if backend == "-" else "Patron" if scenario.server == "patron" else scenario.server
    cpu = cpu_note(before, Snapshot.take(), "wrk", wrk_cpu, server, label, database=backend == "postgresql")
    elapsed = figures["seconds"]
    return Row(
        scenario.name, backend, scenario.clients, scenario.unit,
        figures["requests"] * scenario.rows_per_request / elapsed,
        figures["p50_ms"], figures["p95_ms"], figures["p99_ms"], int(figures["errors"]), cpu, scenario.baseline,
    )  # fmt: skip


def sql_row(scenario: Scenario, backend: str, seeded: seed.Seeded) -> Row:
    dsn = f"{POSTGRES}/{DATABASE}"

    def drive(seconds: float) -> baselines.Measured:
        if scenario.driver == "receipts":
            work = baselines.receipts(dsn, seeded.contact_ids, scenario.clients, seconds, Snapshot.take)
        else:
            work = baselines.checkpoints(
                dsn, seeded.baseline_batches, scenario.clients, seconds, Snapshot.take
            )
        return asyncio.run(work)

    if WARMUP > 0:
        drive(WARMUP)
    settle_statistics(backend)
    measured = drive(SECONDS)
    before, after = measured.probed
    assert isinstance(before, Snapshot) and isinstance(after, Snapshot)
    cpu = cpu_note(before, after, "driver", measured.cpu_seconds, None)
    elapsed = measured.seconds
    return Row(
        scenario.name, backend, scenario.clients, scenario.unit,
        measured.transactions * scenario.rows_per_request / elapsed,
        measured.percentile(0.50), measured.percentile(0.95), measured.percentile(0.99), 0, cpu, scenario.baseline,
    )  # fmt: skip


def measure(wrk: str, backend: str, scratch: Path) -> list[Row]:
    print(f"{backend}: starting Patron ({WORKERS[backend]} process(es)) and seeding", flush=True)
    server = start_patron(backend, scratch)
    floor: subprocess.Popen[bytes] | None = None
    floor_name = ""
    rows = []
    try:
        seeded = seed_backend(backend, scratch)
        for scenario in SCENARIOS:
            if backend not in scenario.backends or (ONLY and scenario.name not in ONLY):
                continue
            if floor is not None and scenario.server != floor_name:
                stop(floor)  # its connections count against PostgreSQL's limit
                floor = None
            if scenario.lua is None:
                row = sql_row(scenario, backend, seeded)
            elif scenario.server != "patron":
                if floor is None:
                    floor, floor_name = (
                        start_floor(scenario.server, scratch, scenario.clients),
                        scenario.server,
                    )
                row = wrk_row(wrk, scenario, backend, seeded, floor.pid)
            else:
                row = wrk_row(wrk, scenario, backend, seeded, server.pid)
            rows.append(row)
            print(
                f"  {row.scenario}: {row.rate:,.0f} {row.unit}, p99 {row.p99_ms:.1f} ms, {row.errors} errors",
                flush=True,
            )
    finally:
        stop(server)
        if floor is not None:
            stop(floor)
        if backend == "postgresql":
            asyncio.run(recreate_postgres(create=False))  # a million rows nobody needs afterwards
    return rows


def link_baselines(rows: list[Row]) -> None:
    rates = {(row.scenario, row.backend): row.rate for row in rows}
    trivial = rates.get(("trivial server", "-"))
    for row in rows:
        if row.baseline == "trivial server":
            row.baseline_rate = trivial
        elif row.baseline:
            row.baseline_rate = rates.get((row.baseline, row.backend))
            if row.baseline_rate is None:
                row.baseline = None


def table(rows: list[Row]) -> str:
    goals = {scenario.name: scenario.goal for scenario in SCENARIOS}
    lines = [
        "| scenario | backend | clients | rate | p50 ms | p95 ms | p99 ms | ratio | to baseline | goal (PostgreSQL) | errors | CPU used (share of the machine) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        goal = goals.get(row.scenario)
        verdict = goal.verdict(row.ratio, row.p99_ms) if goal and row.backend == "postgresql" else "-"
        lines.append(
            f"| {row.scenario} | {row.backend} | {row.clients} | {row.rate:,.0f} {row.unit} | {row.p50_ms:.1f} "
            f"| {row.p95_ms:.1f} | {row.p99_ms:.1f} | {ratio} | {row.baseline or '-'} | {verdict} | {row.errors} "
            f"| {row.cpu} |"
        )
    return "\n".join(lines)


def write_doc(
    text: str, begin: str = BEGIN, end: str = END, heading: str = "## Figures", doc: Path = DOC
) -> None:
    """Put `text` between the markers in `doc`, docs/PERFORMANCE.md unless told (under `heading`
    the first time)."""
    current = doc.read_text() if doc.exists() else "# Performance\n\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in current and end in current:
        current = current[: current.index(begin)] + block + current[current.index(end) + len(end) :]
    else:
        current = current.rstrip() + f"\n\n{heading}\n\n" + block + "\n"
    doc.write_text(current)


def main() -> None:
    wrk = ensure_wrk()
    about = machine()
    load_before = os.getloadavg()
    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-"))
    rows: list[Row] = []
    trivial = start(
        [sys.executable, str(ROOT / "bench" / "trivial_server.py"), str(PORTS["trivial"])],
        dict(os.environ),
        scratch / "trivial.log",
    )
    try:
        time.sleep(0.5)
        check = Scenario("trivial server", max(s.clients for s in SCENARIOS), "plain.lua", baseline=None)
        rows.append(wrk_row(wrk, check, "-", None, trivial.pid))
        print(f"trivial server: {rows[0].rate:,.0f} rps ({rows[0].cpu})", flush=True)
    finally:
        stop(trivial)
    try:
        for backend in BACKENDS:
            rows.extend(measure(wrk, backend, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    link_baselines(rows)
    rendered = table(rows)
    print(rendered)
    if ONLY or BACKENDS != ["sqlite", "postgresql"]:
        print("a partial run (BENCH_ONLY or BENCH_BACKENDS): docs/PERFORMANCE.md left as it was")
        return
    load_after = os.getloadavg()
    described = "\n".join(f"- {key}: {value}" for key, value in about.items())
    scale = ", ".join(f"{backend} {CONTACTS[backend]:,} contacts x {seed.PROMOTIONS}" for backend in BACKENDS)
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `make bench` in {(time.monotonic() - began) / 60:.1f} min on:\n\n"
        f"{described}\n- load average (1, 5, 15 min) before the run: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}\n\n"
        f"Servers: SQLite, `patron serve` (1 process); PostgreSQL, `patron serve --workers {WORKERS['postgresql']}`; "
        f"wrk with {THREADS} threads on the same machine. {SECONDS:g} s measured per row after {WARMUP:g} s of "
        f"warm-up. Seeded: {scale} promotion assignments ({seed.TILL_PROMOTIONS} usable at the till); "
        f"{seed.DEFINITIONS} challenge definitions; checkpoint batches of {seed.BATCH_ROWS} rows."
    )
    write_doc(f"{note}\n\n{rendered}")
    print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
