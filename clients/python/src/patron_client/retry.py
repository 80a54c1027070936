"""When a call is tried again, and how long to wait first.

Tried again: no answer (connection refused or cut, a timeout), 500, 502, 503, 504, 429, and
409 IdempotencyKeyInFlight (the first attempt under the same key has not finished; Patron
frees a dead one's key after its lease). Never any other 4xx: the request itself is wrong,
and sending it again cannot make it right. Every retry carries the Idempotency-Key of the
first attempt, so a call whose answer was lost is replayed, never applied twice.

Waits grow exponentially with full jitter (AWS's "exponential backoff and jitter"), so tills
that lost Patron at the same moment do not come back at the same moment; a `Retry-After`
from Patron is honoured instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx
import tenacity

from patron_client.errors import ApiError, IdempotencyKeyInFlight, PatronUnavailable

RETRIED_STATUSES = frozenset({500, 502, 503, 504, 429})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_wait: float = 0.2
    longest_wait: float = 10.0
    # A Retry-After longer than this is cut to it: a till does not wait minutes on one call.
    longest_retry_after: float = 30.0
    # No call keeps the till waiting longer than this in all, whatever the attempts left.
    deadline: float = 30.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait before try number `attempt + 1` (attempt counts from 1): uniform between 0
        and the exponential ceiling."""
        ceiling = min(self.longest_wait, self.first_wait * 2 ** (attempt - 1))
        return (rng or random).uniform(0, ceiling)

    def wait_after(self, error: BaseException, attempt: int) -> float:
        retry_after = error.retry_after if isinstance(error, ApiError) else None
        if retry_after is not None:
            return min(retry_after, self.longest_retry_after)
        return self.backoff(attempt)


DEFAULT_RETRIES = RetryPolicy()
NO_RETRIES = RetryPolicy(attempts=1)


def worth_retrying(error: BaseException) -> bool:
    """Whether trying the call again (under its key) may still succeed."""
    if isinstance(error, PatronUnavailable | IdempotencyKeyInFlight):
        return True
    if isinstance(error, ApiError):
        return error.status in RETRIED_STATUSES
    return isinstance(error, httpx.TransportError)


def failure_of(state: tenacity.RetryCallState) -> BaseException:
    """The error of the attempt tenacity is deciding about (it only asks after a failure)."""
    assert state.outcome is not None
    error = state.outcome.exception()
    assert error is not None
    return error
