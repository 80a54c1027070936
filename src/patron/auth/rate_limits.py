"""Rate limits: which bucket a request draws from and what that bucket admits.

Each verified key has one bucket per route class: reads (GET, HEAD, OPTIONS) and writes
(everything else), so a runaway polling loop cannot starve the same key's receipts. What a
bucket admits is the key's own rate (`patron keys create --rate`) or its role's default
(PATRON_RATE_*); admin-only routes are reached by admin keys alone, so the admin role's rates
are the limits of administration. Credentials that do not verify are counted per client
address, and an address past PATRON_RATE_AUTH_FAILURES a minute is refused before its next
credentials are even looked at. docs/RATE_LIMITS.md says it for operators.
"""

from __future__ import annotations

from enum import StrEnum

from patron.auth.rate_store import Buckets, MemoryBuckets, RedisBuckets
from patron.auth.roles import Caller, Role
from patron.auth.token_bucket import Allowance, Decision
from patron.config import Settings
from patron.kit import clock


class RouteClass(StrEnum):
    READS = "reads"
    WRITES = "writes"


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def route_class(method: str) -> RouteClass:
    return RouteClass.READS if method in _READ_METHODS else RouteClass.WRITES


AUTH_FAILURES = "auth-failures"
# Addresses refused for failed authentications are remembered in this process; past this many
# the expired ones are forgotten.
_MAX_BLOCKED = 10_000


class RateLimiter:
    def __init__(self, settings: Settings, buckets: Buckets) -> None:
        self._buckets = buckets
        self._burst_seconds = settings.rate_burst_seconds
        self._role_rates = {
            (Role.ADMIN, RouteClass.READS): settings.rate_admin_reads,
            (Role.ADMIN, RouteClass.WRITES): settings.rate_admin_writes,
            (Role.INTEGRATION, RouteClass.READS): settings.rate_integration_reads,
            (Role.INTEGRATION, RouteClass.WRITES): settings.rate_integration_writes,
        }
        # Built once per (caller's rate, role, class): the hot path only looks one up.
        self._allowances: dict[tuple[Caller, RouteClass], Allowance] = {}
        failures = settings.rate_auth_failures
        self.auth_failures = Allowance(AUTH_FAILURES, rate=failures / 60, burst=failures)
        # Address -> instant (monotonic) until which it is refused without being verified.
        self._blocked: dict[str, float] = {}

    def allowance(self, caller: Caller, kind: RouteClass) -> Allowance:
        cached = self._allowances.get((caller, kind))
        if cached is not None:
            return cached
        if caller.rate is not None:
            rate = caller.rate.per_second
            burst = caller.rate.burst
        else:
            rate, burst = self._role_rates[(caller.role, kind)], None
        if burst is None:
            burst = max(1, round(rate * self._burst_seconds))
        allowance = Allowance(kind.value, rate=float(rate), burst=burst)
        if len(self._allowances) > 10_000:
            self._allowances.clear()
        self._allowances[(caller, kind)] = allowance
        return allowance

    async def admit(self, caller: Caller, kind: RouteClass) -> Decision:
        """Take one request from the caller's bucket for this route class."""
        return await self._buckets.take(f"key:{caller.key_id}:{kind.value}", self.allowance(caller, kind))

    def blocked_for(self, address: str) -> float:
        """Seconds this address is still refused for its failed authentications (0: it is not)."""
        until = self._blocked.get(address)
        if until is None:
            return 0.0
        left = until - clock.monotonic()
        if left <= 0:
            del self._blocked[address]
            return 0.0
        return left

    async def failed_authentication(self, address: str) -> Decision:
        """Count credentials from `address` that did not verify; refused once it is past its
        allowance, and then refused unverified until a failure may be counted again."""
        decision = await self._buckets.take(f"auth:{address}", self.auth_failures)
        if not decision.allowed:
            if len(self._blocked) >= _MAX_BLOCKED:
                now = clock.monotonic()
                self._blocked = {known: until for known, until in self._blocked.items() if until > now}
            self._blocked[address] = clock.monotonic() + decision.retry_after
        return decision

    async def close(self) -> None:
        await self._buckets.close()


def build_limiter(settings: Settings) -> RateLimiter:
    """In Redis when PATRON_REDIS_URL is set (shared by every process), else in this process."""
    memory = MemoryBuckets()
    if settings.redis_url:
        return RateLimiter(settings, RedisBuckets(settings.redis_url, settings.rate_redis_prefix, memory))
    return RateLimiter(settings, memory)
