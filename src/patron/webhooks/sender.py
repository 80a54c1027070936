"""Sending one delivery attempt: the address checked again (SSRF), the signed body POSTed,
redirects not followed, any 2xx within the timeout a success."""

from __future__ import annotations

import httpx

from patron.config import Settings
from patron.kit import clock
from patron.webhooks import addresses, service
from patron.webhooks.errors import WebhookUrlRefused
from patron.webhooks.service import Claimed, Outcome


def client(settings: Settings, concurrency: int = 10) -> httpx.AsyncClient:
    """One worker's HTTP client: no redirects, no proxies from the environment, the timeout,
    and a connection kept open for each delivery it sends at once (fewer would be closed and
    opened again between deliveries to one receiver)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    )


async def send(http: httpx.AsyncClient, claimed: Claimed, settings: Settings) -> Outcome:
    started = clock.monotonic()

    def elapsed() -> int:
        return int((clock.monotonic() - started) * 1000)

    try:
        # At delivery time as well: a name that resolved to a public address when the endpoint
        # was saved may point inside the network now.
        destination = await addresses.destination(
            claimed.url,
            allow_insecure=settings.webhook_allow_insecure,
            allow_private=settings.webhook_allow_private,
        )
    except WebhookUrlRefused as exc:
        return Outcome(None, elapsed(), None, f"refused: {exc.message}")
    try:
        # Sent to the address just checked, under the endpoint's own name.
        request = http.build_request(
            "POST",
            destination.url,
            content=claimed.body.encode(),
            headers={**service.signed_headers(claimed, clock.now()), "host": destination.host_header},
            extensions={"sni_hostname": destination.server_name},
        )
        response = await http.send(request, stream=True)
        try:
            # Only the first 1 KB of the answer is kept, so only that much is read.
            head = b""
            async for part in response.aiter_bytes():
                head += part
                if len(head) >= service.ANSWER_BYTES:
                    break
        finally:
            await response.aclose()
    except httpx.TimeoutException:
        return Outcome(None, elapsed(), None, f"no answer within {settings.webhook_timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, elapsed(), None, f"{type(exc).__name__}: {exc}".rstrip(": "))
    answer = head[: service.ANSWER_BYTES].decode("utf-8", errors="replace")
    error = None if 200 <= response.status_code < 300 else f"answered {response.status_code}"
    return Outcome(response.status_code, elapsed(), answer, error)
