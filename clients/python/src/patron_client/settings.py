"""What both clients are built from: where Patron is, the key, timeouts and retry rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from patron_client.credentials import ApiKey
from patron_client.outbox.delivery import OUTBOX_RETRIES
from patron_client.retry import DEFAULT_RETRIES, RetryPolicy
from patron_client.wire import Endpoint

# Patron answers in milliseconds; a till waits this long at most for one answer, then retries.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    token: str
    timeout: httpx.Timeout
    engage_prefix: str = "/api/v3"
    retries: RetryPolicy = DEFAULT_RETRIES
    # The outbox file; without one, send_later is refused.
    outbox: Path | None = None
    outbox_retries: RetryPolicy = OUTBOX_RETRIES
    # The outbox's sender in a thread of this process; off for a process that only queues
    # while another one (or `patron-client outbox flush`) sends.
    send_in_background: bool = True
    # Every queued call fsynced before send_later returns (see outbox/store.py).
    outbox_power_safe: bool = False

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.base_url, ApiKey.from_token(self.token), self.engage_prefix)
