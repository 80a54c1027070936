"""The worker's Prometheus metrics, on the registry it is given (the application's, or the
worker process's own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "patron_webhook_deliveries",
            "Webhook delivery attempts by what became of them (succeeded, retrying, failed, lost)",
            ["result"],
            registry=registry,
        )
        self.attempt_seconds = Histogram(
            "patron_webhook_attempt_duration_seconds",
            "Time a webhook delivery attempt took, answer or not",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
            registry=registry,
        )
        self.outbox_lag = Gauge(
            "patron_outbox_lag_seconds",
            "Age of the oldest event not delivered yet (0 when none waits)",
            registry=registry,
            multiprocess_mode="max",
        )
        self.queue_depth = Gauge(
            "patron_webhook_queue_depth",
            "Deliveries waiting (pending or retrying) per endpoint",
            ["endpoint"],
            registry=registry,
            multiprocess_mode="max",
        )
        self.disabled = Counter(
            "patron_webhook_endpoints_disabled",
            "Endpoints disabled by delivery (410 Gone, failing for days)",
            registry=registry,
        )
