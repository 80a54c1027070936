"""A real `patron serve` process on a local port, to be killed and restarted by the fault tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path

import httpx


def _port_block(text: str) -> range:
    first, last = text.split("-")
    return range(int(first), int(last) + 1)


def _share_of(block: range, worker: str, workers: int) -> range:
    """This pytest-xdist worker's own slice of the block: two workers probing one shared block
    could both find a port free before either server binds it."""
    size = len(block) // workers
    first = block.start + int(worker.removeprefix("gw")) * size
    return range(first, first + size)


# Fault tests listen on this block of ports (PATRON_TEST_PORTS="first-last" moves it, so two
# checkouts can run the suite side by side); benches use another.
PORTS = _port_block(os.environ.get("PATRON_TEST_PORTS", "8450-8499"))
if "PYTEST_XDIST_WORKER" in os.environ:
    PORTS = _share_of(PORTS, os.environ["PYTEST_XDIST_WORKER"], int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
STARTUP_SECONDS = 30.0


def free_port(taken: Collection[int] = ()) -> int:
    """The first port of the block nothing listens on, other than those `taken` by servers
    built but not yet started."""
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class ServerProcess:
    def __init__(
        self, database_url: str, log: Path, *, workers: int = 1, taken: Collection[int] = (), **settings: str
    ) -> None:
        self.port = free_port(taken)
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log = log
        self.environment = {
            **os.environ,
            "PATRON_DATABASE_URL": database_url,
            "PATRON_ACCESS_LOG": "false",
            "PATRON_LOG_LEVEL": "WARNING",
            **{f"PATRON_{name.upper()}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        patron = Path(sys.executable).with_name("patron")
        command = [str(patron), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"patron serve exited with {self.process.returncode}: {self.log.read_text()}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"patron serve did not answer within {STARTUP_SECONDS}s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flush, no goodbye."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
