"""The token bucket every rate limit is: arithmetic on (tokens, instant), no I/O. The
in-process buckets run it as it is; the Redis script in auth.rate_store does the same sums
(and a test holds the two to the same answers)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Allowance:
    """What one bucket admits: refilled at `rate` tokens a second, holding at most `burst`.
    `name` is the policy's name in the RateLimit headers (reads, writes, auth-failures)."""

    name: str
    rate: float
    burst: int

    @property
    def window(self) -> int:
        """Seconds the policy is stated over: long enough to fill the bucket, at least one."""
        return max(1, math.ceil(self.burst / self.rate))

    @property
    def quota(self) -> int:
        """Requests the bucket refills over `window`: the sustained quota the policy states."""
        return max(1, math.floor(self.rate * self.window))


@dataclass(frozen=True, slots=True)
class Level:
    """A bucket's tokens at an instant (seconds on the monotonic clock), and when it is full."""

    tokens: float
    at: float
    full_at: float


@dataclass(frozen=True, slots=True)
class Decision:
    """One request's answer from a bucket, and what the bucket holds after it."""

    allowed: bool
    allowance: Allowance
    # Whole tokens left, seconds until the next one is there (0 when one is), seconds until the
    # bucket is full again.
    remaining: int
    retry_after: float
    full_in: float


def decide(allowed: bool, tokens: float, allowance: Allowance) -> Decision:
    """The decision for a bucket left holding `tokens` (here or in Redis)."""
    return Decision(
        allowed=allowed,
        allowance=allowance,
        remaining=math.floor(tokens),
        retry_after=max(0.0, (1 - tokens) / allowance.rate),
        full_in=max(0.0, (allowance.burst - tokens) / allowance.rate),
    )


def take(level: Level | None, now: float, allowance: Allowance) -> tuple[Level, Decision]:
    """Take one token if there is one: the bucket's new level and the decision. A bucket never
    seen is full; time that runs backwards (another host's clock) refills nothing."""
    if level is None:
        tokens = float(allowance.burst)
    else:
        tokens = min(float(allowance.burst), level.tokens + max(0.0, now - level.at) * allowance.rate)
    allowed = tokens >= 1
    if allowed:
        tokens -= 1
    full_at = now + (allowance.burst - tokens) / allowance.rate
    return Level(tokens, now, full_at), decide(allowed, tokens, allowance)
