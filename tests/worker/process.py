"""A real `patron worker` process, to be stopped or killed by the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class WorkerProcess:
    def __init__(
        self,
        database_url: str,
        log: Path,
        *,
        concurrency: int = 10,
        metrics_port: int | None = None,
        **settings: str,
    ) -> None:
        self.log = log
        self.concurrency = concurrency
        # `--metrics-port`: Prometheus metrics at metrics_url (take the port from free_port).
        self.metrics_port = metrics_port
        self.environment = {
            **os.environ,
            "PATRON_DATABASE_URL": database_url,
            "PATRON_LOG_LEVEL": "INFO",
            "PATRON_WEBHOOK_ALLOW_PRIVATE": "true",
            "PATRON_WEBHOOK_ALLOW_INSECURE": "true",
            "PATRON_WORKER_POLL_SECONDS": "0.1",
            **{f"PATRON_{name.upper()}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        patron = Path(sys.executable).with_name("patron")
        command = [str(patron), "worker", "--concurrency", str(self.concurrency)]
        if self.metrics_port is not None:
            command += ["--metrics-port", str(self.metrics_port)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def metrics_url(self) -> str:
        assert self.metrics_port is not None, "started without a metrics port"
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing recorded."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
