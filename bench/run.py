"""`make bench`: start Patron on SQLite and on PostgreSQL, seed contacts, run every scenario of
bench/scenarios.py with wrk, print one table and write it into docs/PERFORMANCE.md."""

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
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import SCENARIOS, ScriptScenario

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
DOC = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SEEDED = int(os.environ.get("BENCH_CONTACTS", "2000"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432")
DATABASE = "patron_bench_harness"
PORTS = {"trivial": 8400, "sqlite": 8401, "postgresql": 8402}
TOKEN = f"bench{secrets.token_hex(4)}.{secrets.token_hex(16)}"


@dataclass
class Row:
    scenario: str
    backend: str
    unit: str
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    baseline_rate: float | None
    ratio: float | None
    errors: int = 0
    generator_cpu: str = ""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(install, check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    postgres = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{int(memory.group(1)) // 1024 // 1024} GiB" if memory else "?",
        "cpu": model.group(1).strip() if model else platform.processor(),
        "python": platform.python_version(),
        "postgresql": postgres or "?",
        "wrk": f"{THREADS} threads, {CONNECTIONS} connections, {SECONDS}s per scenario",
    }


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
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


def recreate_postgres() -> str:
    for statement in (f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"'):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)
    return f"{POSTGRES}/{DATABASE}"


def start_patron(backend: str, scratch: Path) -> subprocess.Popen[bytes]:
    if backend == "sqlite":
        url, workers = f"sqlite+aiosqlite:///{scratch / 'bench.db'}", 1
    else:
        url, workers = recreate_postgres(), 2
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": url,
        "PATRON_ACCESS_LOG": "false",
        "PATRON_LOG_LEVEL": "WARNING",
        "PATRON_BOOTSTRAP_ADMIN_KEY": TOKEN,
    }
    patron = Path(sys.executable).with_name("patron")
    port = PORTS[backend]
    log = scratch / f"{backend}.log"
    command = [str(patron), "serve", "--port", str(port), "--workers", str(workers)]
    process = start(command, env, log)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
    return process


async def seed(base_url: str) -> None:
    """SEEDED contacts bench-<n>@example.com, created over HTTP like a till would."""
    async with httpx.AsyncClient(base_url=base_url, headers={"apikey": TOKEN}, timeout=30) as http:
        queue = list(range(SEEDED))

        async def creator() -> None:
            while queue:
                n = queue.pop()
                answer = await http.post("/api/v3/contacts", json={"email": f"bench-{n}@example.com"})
                if answer.status_code not in (201, 409):
                    raise SystemExit(f"seeding failed: {answer.status_code} {answer.text[:200]}")

        await asyncio.gather(*(creator() for _ in range(8)))


def run_wrk(wrk: str, url: str, lua: str, args: list[str]) -> tuple[dict[str, float], str]:
    """Run wrk with the scenario's Lua plus the report; return its figures and its CPU share."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write((LUA / lua).read_text() + "\n" + (LUA / "report.lua").read_text())
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", script.name, url, "--", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    started = time.monotonic()
    output = process.stdout.read().decode() if process.stdout else ""
    _, _, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    os.unlink(script.name)
    found = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if not found:
        raise SystemExit(f"wrk gave no figures: {output}")
    cpu = (usage.ru_utime + usage.ru_stime) / elapsed / (os.cpu_count() or 1)
    return json.loads(found.group(1)), f"{cpu:.0%} of the machine"


def run_script(scenario: ScriptScenario, backend: str) -> list[Row]:
    command = [
        sys.executable, str(ROOT / "bench" / scenario.script), "--json",
        "--url", f"http://127.0.0.1:{PORTS[backend]}", "--token", TOKEN,
        "--backend", backend, "--seconds", str(SECONDS),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in output.splitlines():
        if line.startswith("{"):
            figures = json.loads(line)
            rows.append(Row(**{key: figures.get(key) for key in Row.__dataclass_fields__ if key in figures}))
    return rows


def measure(wrk: str, backend: str) -> list[Row]:
    rows: list[Row] = []
    rates: dict[str, float] = {}
    run_id = f"B{secrets.token_hex(3)}"
    for scenario in SCENARIOS:
        if isinstance(scenario, ScriptScenario):
            rows.extend(run_script(scenario, backend))
            continue
        url = f"http://127.0.0.1:{PORTS[backend]}{scenario.path}"
        args = [TOKEN, str(SEEDED) if scenario.lua == "contact_lookup.lua" else run_id]
        figures, cpu = run_wrk(wrk, url, scenario.lua, args)
        rate = figures["requests"] / figures["seconds"]
        rates[scenario.name] = rate
        baseline = rates.get(scenario.baseline or "trivial server")
        rows.append(
            Row(scenario.name, backend, scenario.unit, rate, figures["p50_ms"], figures["p95_ms"],
                figures["p99_ms"], baseline, rate / baseline if baseline else None, int(figures["errors"]), cpu)
        )  # fmt: skip
        print(f"  {scenario.name} on {backend}: {rate:,.0f} {scenario.unit}", flush=True)
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | backend | rate | p50 ms | p95 ms | p99 ms | baseline | ratio | errors | wrk CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        baseline = f"{row.baseline_rate:,.0f}" if row.baseline_rate else "-"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        lines.append(
            f"| {row.scenario} | {row.backend} | {row.rate:,.0f} {row.unit} | {row.p50_ms:.1f} | {row.p95_ms:.1f} "
            f"| {row.p99_ms:.1f} | {baseline} | {ratio} | {row.errors} | {row.generator_cpu} |"
        )
    return "\n".join(lines)


def write_doc(text: str) -> None:
    DOC.parent.mkdir(exist_ok=True)
    current = DOC.read_text() if DOC.exists() else "# Performance\n\n"
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + block + current[current.index(END) + len(END) :]
    else:
        current = current.rstrip() + "\n\n## `make bench`\n\n" + block + "\n"
    DOC.write_text(current)


def main() -> None:
    wrk = ensure_wrk()
    about = machine()
    scratch = Path(tempfile.mkdtemp(prefix="patron-bench-"))
    trivial = start(
        [sys.executable, str(ROOT / "bench" / "trivial_server.py"), str(PORTS["trivial"])],
        dict(os.environ),
        scratch / "trivial.log",
    )
    rows: list[Row] = []
    try:
        time.sleep(0.5)
        figures, cpu = run_wrk(wrk, f"http://127.0.0.1:{PORTS['trivial']}/", "plain.lua", [])
        trivial_rate = figures["requests"] / figures["seconds"]
        rows.append(Row("trivial server (generator check)", "-", "rps", trivial_rate, figures["p50_ms"],
                        figures["p95_ms"], figures["p99_ms"], None, None, int(figures["errors"]), cpu))  # fmt: skip
        print(f"  trivial server: {trivial_rate:,.0f} rps", flush=True)
    finally:
        stop(trivial)
    for backend in ("sqlite", "postgresql"):
        print(f"{backend}: starting and seeding {SEEDED} contacts", flush=True)
        server = start_patron(backend, scratch)
        try:
            asyncio.run(seed(f"http://127.0.0.1:{PORTS[backend]}"))
            measured = measure(wrk, backend)
            for row in measured:
                if row.scenario == "bare route":
                    row.baseline_rate, row.ratio = trivial_rate, row.rate / trivial_rate
            rows.extend(measured)
        finally:
            stop(server)
    shutil.rmtree(scratch, ignore_errors=True)
    rendered = table(rows)
    described = "\n".join(f"- {key}: {value}" for key, value in about.items())
    note = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} by `make bench` on:\n\n{described}\n\n"
        "wrk runs on the same machine as the server, so they share its cores. The bare route's "
        "baseline is the trivial server (the most wrk reaches here); every other scenario's "
        "baseline is the bare route on the same server. SQLite: one process; PostgreSQL: "
        "`patron serve --workers 2`."
    )
    print(rendered)
    write_doc(f"{note}\n\n{rendered}")
    print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
