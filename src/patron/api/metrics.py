"""An application's Prometheus metrics, in a registry of its own: built by create_app, recorded
by the request context, shown by /metrics. Two applications in one process count apart."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

_MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # What the default registry shows besides ours, in its order: the garbage collector
        # (nothing in multiprocess mode), the Python platform, the process.
        GCCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        ProcessCollector(registry=self.registry)
        self.request_seconds = Histogram(
            "patron_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route", "status"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text /metrics answers: this application's metrics or, when the server runs
        several processes (PROMETHEUS_MULTIPROC_DIR), what all of them wrote to that folder."""
        if _MULTIPROCESS in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
