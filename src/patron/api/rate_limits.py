"""Rate limits at the edge: a request draws from its key's bucket before anything else
touches it, and is answered 429 in the envelope when the bucket is empty.

It runs outside the request boundary, so a refused request opens no unit of work, claims no
Idempotency-Key (a retry after Retry-After is a first attempt, not a replay of the 429), and
waits for no write turn; and above the direct routes, so receipts and checkpoint batches are
limited like every other call. Answers carry the IETF RateLimit-Policy and RateLimit headers
(draft-ietf-httpapi-ratelimit-headers, structured fields): the policy's sustained quota `q`
over `w` seconds, and `r` requests left with `t` seconds until the bucket is full again (on a
429: until the next request may pass, as Retry-After says).
"""

from __future__ import annotations

import math

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patron.api.asgi import send_error
from patron.api.caller import caller_of
from patron.auth.credentials import read_credentials
from patron.auth.rate_limits import RateLimiter, route_class
from patron.auth.token_bucket import Allowance, Decision
from patron.errors import TooManyRequests
from patron.state import AppState

# What an orchestrator and Prometheus ask: never limited, so a busy key cannot make a healthy
# process look dead.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

Header = tuple[bytes, bytes]


def policy_header(allowance: Allowance) -> Header:
    return (
        b"ratelimit-policy",
        f'"{allowance.name}";q={allowance.quota};w={allowance.window}'.encode(),
    )


def _seconds(value: float) -> int:
    return max(1, math.ceil(value)) if value > 0 else 0


def rate_headers(decision: Decision, policy: Header) -> list[Header]:
    """The RateLimit headers for a decision; a refusal adds Retry-After (at least 1 s)."""
    allowance = decision.allowance
    if decision.allowed:
        state = f'"{allowance.name}";r={decision.remaining};t={_seconds(decision.full_in)}'
        return [policy, (b"ratelimit", state.encode())]
    wait = str(max(1, math.ceil(decision.retry_after))).encode()
    state = f'"{allowance.name}";r=0;t={wait.decode()}'
    return [policy, (b"ratelimit", state.encode()), (b"retry-after", wait)]


def _address(scope: Scope) -> str:
    # The connection's address; behind a proxy, uvicorn puts the forwarded client's there
    # when the proxy is trusted (--forwarded-allow-ips).
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimits:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self._policies: dict[Allowance, Header] = {}

    def _policy(self, allowance: Allowance) -> Header:
        found = self._policies.get(allowance)
        if found is None:
            if len(self._policies) > 10_000:
                self._policies.clear()
            found = self._policies[allowance] = policy_header(allowance)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        limiter: RateLimiter = self.state.limiter
        address = _address(scope)
        blocked = limiter.blocked_for(address)
        if blocked > 0:
            refusal = Decision(
                allowed=False,
                allowance=limiter.auth_failures,
                remaining=0,
                retry_after=blocked,
                full_in=blocked,
            )
            await self._refuse(scope, send, refusal, _AUTH_FAILURES)
            return
        try:
            caller = await caller_of(scope, self.state)
        except (DBAPIError, PoolTimeout):
            # The database could not verify the key; the layers inside meet the same error and
            # answer it as they always have (503). Not the limiter's to decide.
            await self.app(scope, receive, send)
            return
        if caller is None:
            if read_credentials(Headers(scope=scope)) is not None:
                failure = await limiter.failed_authentication(address)
                if not failure.allowed:
                    await self._refuse(scope, send, failure, _AUTH_FAILURES)
                    return
            # No key to count against: the route answers (401, or a guest's read).
            await self.app(scope, receive, send)
            return
        kind = route_class(scope["method"])
        decision = await limiter.admit(caller, kind)
        if not decision.allowed:
            await self._refuse(scope, send, decision, _key_limit(decision))
            return
        headers = rate_headers(decision, self._policy(decision.allowance))

        async def send_with_rate(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_with_rate)

    async def _refuse(self, scope: Scope, send: Send, decision: Decision, reason: str) -> None:
        headers = rate_headers(decision, self._policy(decision.allowance))
        wait = headers[-1][1].decode()
        error = TooManyRequests(f"{reason}; retry in {wait} s.")
        await send_error(send, error, scope.get("patron.request_id"), headers)


def _per(window: int) -> str:
    return "a second" if window == 1 else f"every {window} seconds"


def _key_limit(decision: Decision) -> str:
    allowance = decision.allowance
    return f"This key may make {allowance.quota} {allowance.name} {_per(allowance.window)}"


_AUTH_FAILURES = "Too many failed authentications from this address"
