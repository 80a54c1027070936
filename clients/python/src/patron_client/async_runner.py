"""Sends a call with the retry rules, awaiting: one Idempotency-Key across all its tries."""

from __future__ import annotations

from typing import TypeVar

import httpx
import tenacity

from patron_client.errors import PatronError, PatronUnavailable
from patron_client.request import Operation
from patron_client.retry import RetryPolicy, failure_of, worth_retrying
from patron_client.wire import Endpoint, checked, new_idempotency_key

Answer = TypeVar("Answer")


def retrying(policy: RetryPolicy) -> tenacity.AsyncRetrying:
    return tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(policy.attempts) | tenacity.stop_after_delay(policy.deadline),
        wait=lambda state: policy.wait_after(failure_of(state), state.attempt_number),
        retry=tenacity.retry_if_exception(worth_retrying),
        reraise=True,
    )


async def run(
    http: httpx.AsyncClient,
    endpoint: Endpoint,
    operation: Operation[Answer],
    policy: RetryPolicy,
    idempotency_key: str | None = None,
) -> Answer:
    call = operation.call
    key = (idempotency_key or new_idempotency_key()) if call.changes_something else None
    tries = 0
    try:
        async for attempt in retrying(policy):
            with attempt:
                tries += 1
                response = checked(await http.send(endpoint.request(http, call, key)))
    except httpx.TransportError as error:
        unavailable = PatronUnavailable(f"no answer from {endpoint.url(call)}: {error!r}", tries)
        unavailable.idempotency_key = key
        raise unavailable from error
    except PatronError as error:
        error.idempotency_key = key
        raise
    return operation.read(response)
