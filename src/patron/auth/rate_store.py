"""Where the token buckets live: in this process, or in Redis, shared by every process and
host that points at it (PATRON_REDIS_URL)."""

from __future__ import annotations

import logging
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from patron.auth.token_bucket import Allowance, Decision, Level, decide, take
from patron.kit import clock

log = logging.getLogger("patron.rate_limits")


class Buckets(Protocol):
    async def take(self, key: str, allowance: Allowance) -> Decision: ...

    async def close(self) -> None: ...


class MemoryBuckets:
    """This process's buckets: a dict lookup and a few sums, microseconds a request."""

    def __init__(self, max_buckets: int = 100_000) -> None:
        self._levels: dict[str, Level] = {}
        self._max_buckets = max_buckets

    def take_now(self, key: str, allowance: Allowance) -> Decision:
        now = clock.monotonic()
        level, decision = take(self._levels.get(key), now, allowance)
        if len(self._levels) >= self._max_buckets and key not in self._levels:
            self._forget_full(now)
        self._levels[key] = level
        return decision

    async def take(self, key: str, allowance: Allowance) -> Decision:
        return self.take_now(key, allowance)

    def _forget_full(self, now: float) -> None:
        # A full bucket is the same as none; many callers (addresses) fill the dict with them.
        self._levels = {key: level for key, level in self._levels.items() if level.full_at > now}
        if len(self._levels) >= self._max_buckets:
            # Still full of live buckets: forgetting them all lets a few requests too many
            # through, which is better than growing without end.
            self._levels.clear()

    async def close(self) -> None:
        self._levels.clear()


# The same sums as token_bucket.take, atomically, on the Redis server's clock (so hosts whose
# clocks differ share one bucket); the bucket expires once it would be full again.
TOKEN_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local level = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(level[1])
if tokens == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - tonumber(level[2])) * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {allowed, string.format('%.17g', tokens)}
"""

# After Redis failed, how long this process counts alone before it tries Redis again, so an
# outage costs one failed connection a second, not one a request.
REDIS_RETRY_SECONDS = 1.0
# A Redis that does not answer within this is treated as down: a request waits no longer.
REDIS_TIMEOUT_SECONDS = 0.25


class RedisBuckets:
    """Buckets in Redis, one script call a request. While Redis cannot be reached, each process
    falls back to its own buckets (as without Redis) and says so in the log: the limit gets
    looser for a while, no request fails because of it."""

    def __init__(self, url: str, prefix: str, fallback: MemoryBuckets) -> None:
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._script = self._redis.register_script(TOKEN_BUCKET_SCRIPT)
        self._prefix = prefix
        self._fallback = fallback
        self._down_until = 0.0

    async def take(self, key: str, allowance: Allowance) -> Decision:
        if clock.monotonic() < self._down_until:
            return self._fallback.take_now(key, allowance)
        try:
            allowed, tokens = await self._script(
                keys=[self._prefix + key], args=[allowance.rate, allowance.burst]
            )
        except (RedisError, OSError) as exc:
            self._down_until = clock.monotonic() + REDIS_RETRY_SECONDS
            log.warning(
                "rate limits: Redis unreachable (%s); this process counts alone for %.0f s",
                exc,
                REDIS_RETRY_SECONDS,
            )
            return self._fallback.take_now(key, allowance)
        return decide(bool(allowed), float(tokens), allowance)

    async def close(self) -> None:
        await self._redis.aclose()
