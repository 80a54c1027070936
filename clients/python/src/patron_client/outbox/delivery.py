"""One try at delivering the outbox's oldest call, and what it means for the call."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from patron_client.errors import error_from
from patron_client.outbox.store import Entry, OutboxStore, State
from patron_client.retry import RetryPolicy, worth_retrying
from patron_client.wire import Endpoint


@dataclass(frozen=True)
class Delivered:
    status: int


@dataclass(frozen=True)
class Refused:
    """Patron said no for good: the call is set aside and the next one goes."""

    status: int
    key: str


@dataclass(frozen=True)
class NotYet:
    """No answer, or one worth waiting out; the call stays first in line."""

    error: str
    wait: float


Outcome = Delivered | Refused | NotYet

# The outbox never gives up on a call Patron may still take: it waits at most this long
# between tries, however many there were.
OUTBOX_RETRIES = RetryPolicy(attempts=1_000_000, first_wait=0.2, longest_wait=10.0, deadline=float("inf"))


def deliver(
    http: httpx.Client, endpoint: Endpoint, store: OutboxStore, entry: Entry, policy: RetryPolicy
) -> Outcome:
    """Send `entry` once under its stored key, and record the outcome in the store."""
    try:
        response = http.send(endpoint.request(http, entry.call, entry.idempotency_key))
    except httpx.TransportError as error:
        store.record_failed_attempt(entry.seq, repr(error))
        return NotYet(repr(error), policy.wait_after(error, entry.attempts + 1))
    if response.is_success:
        store.finish(entry.seq, State.DELIVERED, response.status_code, response.content)
        return Delivered(response.status_code)
    refusal = error_from(response)
    if worth_retrying(refusal):
        described = f"{refusal.status} {refusal.key}"
        store.record_failed_attempt(entry.seq, described)
        return NotYet(described, policy.wait_after(refusal, entry.attempts + 1))
    store.finish(entry.seq, State.REFUSED, response.status_code, response.content)
    return Refused(refusal.status, refusal.key)
