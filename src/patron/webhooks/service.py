"""Webhook use cases: subscriptions (admin), the fan-out of outbox events to endpoints, and the
bookkeeping of each delivery attempt. The sending itself is `webhooks.sender`'s."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.config import Settings
from patron.kit import clock, ids
from patron.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from patron.outbox.events import EventType, event_id
from patron.webhooks import addresses, repository, signing
from patron.webhooks.errors import WebhookDeliveryNotFound, WebhookNotFound
from patron.webhooks.schedule import next_attempt
from patron.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    NewWebhook,
    WebhookChanges,
    WebhookOut,
    WebhookWithSecret,
)

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
FANOUT_BATCH = 1000
# How long a fan-out waits for transactions that may still commit lower seqs, and how often it looks.
SETTLE_SECONDS = 1.0
SETTLE_POLL_SECONDS = 0.005
REPLAY_LIMIT = 10_000
ANSWER_BYTES = 1024


def webhook_out(row: WebhookEndpoint) -> WebhookOut:
    now = clock.now()
    overlap = (
        row.previous_secret_until if row.previous_secret_until and row.previous_secret_until > now else None
    )
    return WebhookOut(
        id=row.id,
        url=row.url,
        eventTypes=list(row.event_types),
        description=row.description,
        active=row.active,
        disabledReason=row.disabled_reason,
        previousSecretExpiresOn=overlap,
        createdOn=row.created_on,
        modifiedOn=row.modified_on,
    )


def with_secret(row: WebhookEndpoint) -> WebhookWithSecret:
    return WebhookWithSecret(**webhook_out(row).model_dump(), secret=row.secret)


async def _check_url(url: str, settings: Settings) -> None:
    await addresses.check_destination(
        url, allow_insecure=settings.webhook_allow_insecure, allow_private=settings.webhook_allow_private
    )


async def get(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    row = await repository.endpoint(session, endpoint_id)
    if row is None:
        raise WebhookNotFound()
    return row


async def page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[WebhookEndpoint], int]:
    return await repository.endpoints_page(session, offset, count)


async def create(session: AsyncSession, body: NewWebhook, settings: Settings) -> WebhookEndpoint:
    await _check_url(body.url, settings)
    now = clock.now()
    row = WebhookEndpoint(
        id=ids.new_id(),
        url=body.url,
        event_types=list(body.eventTypes),
        description=body.description,
        active=body.active,
        secret=signing.new_secret(),
        created_on=now,
        modified_on=now,
    )
    repository.add(session, row)
    await session.flush()
    return row


async def change(
    session: AsyncSession, endpoint_id: uuid.UUID, body: WebhookChanges, settings: Settings
) -> WebhookEndpoint:
    row = await get(session, endpoint_id)
    given = body.model_fields_set
    if "url" in given and body.url is not None:
        await _check_url(body.url, settings)
        row.url = body.url
    if "eventTypes" in given and body.eventTypes is not None:
        row.event_types = list(body.eventTypes)
    if "description" in given:
        row.description = body.description
    if "active" in given and body.active is not None:
        row.active = body.active
        if body.active:
            # Re-enabled by hand: what disabled it is history, and its failures start afresh.
            row.disabled_reason = None
            row.failing_since = None
    row.modified_on = clock.now()
    await session.flush()
    return row


async def remove(session: AsyncSession, endpoint_id: uuid.UUID) -> None:
    await repository.remove_endpoint(session, await get(session, endpoint_id))


async def rotate_secret(session: AsyncSession, endpoint_id: uuid.UUID, settings: Settings) -> WebhookEndpoint:
    row = await get(session, endpoint_id)
    now = clock.now()
    row.previous_secret = row.secret
    row.previous_secret_until = now + timedelta(hours=settings.webhook_secret_overlap_hours)
    row.secret = signing.new_secret()
    row.modified_on = now
    await session.flush()
    return row


def _new_delivery(
    endpoint_id: uuid.UUID, event: OutboxEvent, now: datetime, *, fanned_out: bool
) -> dict[str, Any]:
    return {
        "id": ids.new_id(),
        "endpoint_id": endpoint_id,
        "event_seq": event.seq,
        "fanout_seq": event.seq if fanned_out else None,
        "event_id": event.id,
        "event_type": event.type,
        "contact_id": event.contact_id,
        "payload": None,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": None,
        "lease_token": None,
        "created_on": now,
        "finished_on": None,
    }


def _subscribes(row: WebhookEndpoint, event_type: str) -> bool:
    return "*" in row.event_types or event_type in row.event_types


async def send_test(session: AsyncSession, endpoint_id: uuid.UUID) -> DeliveryOut:
    """Queue a `webhook.test` for the endpoint: delivered like any event, never in the outbox."""
    row = await get(session, endpoint_id)
    now = clock.now()
    delivery = WebhookDelivery(
        id=ids.new_id(),
        endpoint_id=row.id,
        event_seq=None,
        fanout_seq=None,
        event_id=event_id(),
        event_type=EventType.WEBHOOK_TEST.value,
        contact_id=None,
        payload=_body(
            EventType.WEBHOOK_TEST.value, now, {"webhookId": str(row.id), "sentOn": now.isoformat()}
        ),
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_on=now,
    )
    repository.add(session, delivery)
    await session.flush()
    return _delivery_out(delivery, [])


def _attempt_out(attempt: WebhookAttempt) -> AttemptOut:
    return AttemptOut(
        number=attempt.number,
        attemptedOn=attempt.attempted_on,
        statusCode=attempt.status_code,
        latencyMs=attempt.latency_ms,
        responseBody=attempt.response_body,
        error=attempt.error,
    )


def _delivery_out(delivery: WebhookDelivery, attempts: Sequence[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        eventId=delivery.event_id,
        eventType=delivery.event_type,
        contactId=delivery.contact_id,
        status=delivery.status,
        attemptCount=delivery.attempts,
        nextAttemptOn=delivery.next_attempt_at if delivery.status == PENDING else None,
        createdOn=delivery.created_on,
        finishedOn=delivery.finished_on,
        attempts=[_attempt_out(attempt) for attempt in attempts],
    )


async def deliveries(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    offset: int,
    count: int,
    status: str | None = None,
    event_type: str | None = None,
) -> tuple[list[DeliveryOut], int]:
    await get(session, endpoint_id)
    found, total = await repository.deliveries_page(session, endpoint_id, offset, count, status, event_type)
    by_delivery: dict[uuid.UUID, list[WebhookAttempt]] = {}
    for attempt in await repository.attempts_of(session, [row.id for row in found]):
        by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
    return [_delivery_out(row, by_delivery.get(row.id, [])) for row in found], total


async def retry(session: AsyncSession, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryOut:
    """Send the delivery again now, whatever became of it; a failure then is final unless
    retries remain in its schedule."""
    await get(session, endpoint_id)
    delivery = await repository.delivery(session, endpoint_id, delivery_id)
    if delivery is None:
        raise WebhookDeliveryNotFound()
    delivery.status = PENDING
    delivery.next_attempt_at = clock.now()
    delivery.finished_on = None
    await session.flush()
    attempts = await repository.attempts_of(session, [delivery.id])
    return _delivery_out(delivery, attempts)


async def replay(session: AsyncSession, endpoint_id: uuid.UUID, since: datetime) -> int:
    """Queue again every outbox event since `since` the endpoint subscribes to (at most
    REPLAY_LIMIT, oldest first; replay again from a later instant for more)."""
    row = await get(session, endpoint_id)
    types = None if "*" in row.event_types else list(row.event_types)
    events = await repository.events_since(session, since, types, REPLAY_LIMIT)
    now = clock.now()
    await repository.insert_deliveries(
        session, [_new_delivery(row.id, event, now, fanned_out=False) for event in events]
    )
    return len(events)


# The fan-out: outbox events become deliveries, one per subscribed endpoint.


async def _settled_seq(session: AsyncSession) -> int | None:
    """PostgreSQL: a seq up to which every event has committed or never will, so that none
    with a lower seq can appear after these are fanned out (None on SQLite, where writers take
    turns and commit in seq order).

    Concurrent transactions commit in any order: one that took seq 10 may commit after one
    that took 11. A writer has its transaction id before it takes a seq (outbox.service), so
    every seq taken before this transaction had its id belongs to a transaction with a lower
    id; once those have ended, every seq up to the last one taken then is settled. A
    transaction kept open longer than SETTLE_SECONDS is not waited for further: its events
    may then reach an endpoint after later ones of the same contact (docs/WEBHOOKS.md)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    taken = await repository.last_seq_taken(session)
    own = await repository.own_transaction_id(session)
    waited = 0.0
    while waited < SETTLE_SECONDS and await repository.older_transactions_open(session, own):
        await asyncio.sleep(SETTLE_POLL_SECONDS)
        waited += SETTLE_POLL_SECONDS
    return taken


async def fan_out(session: AsyncSession) -> int:
    """Give the outbox's oldest settled events without deliveries theirs; how many events were
    read. An event of a rolled-back transaction never appears, and holds nothing up."""
    events = await repository.unfanned_events(session, FANOUT_BATCH, up_to=await _settled_seq(session))
    if not events:
        return 0
    now = clock.now()
    endpoints = await repository.active_endpoints(session)
    # An endpoint hears what happened once it existed: events written before it was created
    # (while no worker ran, say) are history, there for `replay` to send on request.
    rows = [
        _new_delivery(endpoint.id, event, now, fanned_out=True)
        for event in events
        for endpoint in endpoints
        if _subscribes(endpoint, event.type) and endpoint.created_on <= event.occurred_at
    ]
    await repository.insert_deliveries(session, rows)
    await repository.mark_fanned_out(session, [event.seq for event in events], now)
    return len(events)


# Delivery bookkeeping: claim, then record what the attempt gave.


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    token: uuid.UUID
    endpoint_id: uuid.UUID
    url: str
    event_id: str
    event_type: str
    body: str
    # The secrets that sign it: the current one, and the previous one during its overlap.
    secrets: tuple[str, ...]
    number: int


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    answer: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _body(event_type: str, occurred_at: datetime, data: Any) -> dict[str, Any]:
    # The Standard Webhooks payload: type, timestamp, data.
    return {"type": event_type, "timestamp": occurred_at.isoformat().replace("+00:00", "Z"), "data": data}


def _secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        return (endpoint.secret, endpoint.previous_secret)
    return (endpoint.secret,)


async def claim(session: AsyncSession, limit: int, lease_seconds: float) -> list[Claimed]:
    """Lease up to `limit` due deliveries to the caller, each ready to send."""
    now = clock.now()
    token = uuid.uuid4()
    leased = await repository.claim(session, now, now + timedelta(seconds=lease_seconds), token, limit)
    if not leased:
        return []
    endpoints = await repository.endpoints_by_id(session, {delivery.endpoint_id for delivery in leased})
    events = await repository.events_by_seq(
        session,
        [delivery.event_seq for delivery in leased if delivery.payload is None and delivery.event_seq],
    )
    claimed: list[Claimed] = []
    for delivery in leased:
        endpoint = endpoints.get(delivery.endpoint_id)
        if endpoint is None:
            continue
        if delivery.payload is not None:
            payload = delivery.payload
        else:
            event = events.get(delivery.event_seq or 0)
            if event is None:  # the event is gone (cannot happen while the outbox keeps its rows)
                delivery.status, delivery.finished_on = FAILED, now
                continue
            payload = _body(event.type, event.occurred_at, event.data)
        claimed.append(
            Claimed(
                delivery_id=delivery.id,
                token=token,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                event_id=delivery.event_id,
                event_type=delivery.event_type,
                body=json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
                secrets=_secrets(endpoint, now),
                number=delivery.attempts + 1,
            )
        )
    await session.flush()
    return claimed


def signed_headers(claimed: Claimed, sent_at: datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "Patron-Webhooks",
        **signing.headers(claimed.event_id, sent_at, claimed.body, claimed.secrets),
    }


@dataclass(frozen=True)
class Recorded:
    """What became of an attempt: `result` is succeeded, retrying, failed, or lost (another
    worker holds the delivery now: this attempt is logged but decides nothing)."""

    result: str
    endpoint_disabled: bool = False


@dataclass(frozen=True)
class Attempted:
    """A delivery sent, and what came back."""

    claimed: Claimed
    outcome: Outcome
    attempted_on: datetime


def _attempt_row(attempted: Attempted) -> dict[str, object]:
    outcome = attempted.outcome
    return {
        "delivery_id": attempted.claimed.delivery_id,
        "number": attempted.claimed.number,
        "attempted_on": attempted.attempted_on,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "response_body": (outcome.answer or "")[:ANSWER_BYTES] if outcome.answer is not None else None,
        "error": outcome.error[:500] if outcome.error else None,
    }


async def record(
    session: AsyncSession, attempts: Sequence[Attempted], settings: Settings
) -> dict[uuid.UUID, Recorded]:
    """Log the attempts and move each delivery on: done, retried later, or failed for good; a
    410 or days of nothing but failures disable the endpoint. By delivery id.

    The successes, nearly every attempt, are written together: their attempts in one insert,
    their deliveries in one update, whatever their number. A failure locks its endpoint's
    row, one endpoint after another in id order, so two workers recording failures for the
    same endpoints wait for each other instead of deadlocking."""
    await repository.insert_attempts(session, [_attempt_row(attempted) for attempted in attempts])
    now = clock.now()
    succeeded = [attempted.claimed for attempted in attempts if attempted.outcome.succeeded]
    done = await repository.finish_leased(
        session,
        [claimed.delivery_id for claimed in succeeded],
        {claimed.token for claimed in succeeded},
        SUCCEEDED,
        now,
    )
    recorded = {
        claimed.delivery_id: Recorded(SUCCEEDED if claimed.delivery_id in done else "lost")
        for claimed in succeeded
    }
    # No lock on an endpoint for a success: every delivery to it would queue on that one row.
    # Only an endpoint that was failing is written (and so locked).
    await repository.clear_failing(
        session, {claimed.endpoint_id for claimed in succeeded if claimed.delivery_id in done}
    )
    failures = sorted(
        (attempted for attempted in attempts if not attempted.outcome.succeeded),
        key=lambda attempted: attempted.claimed.endpoint_id,
    )
    for attempted in failures:
        recorded[attempted.claimed.delivery_id] = await _record_failure(session, attempted, now, settings)
    await session.flush()
    return recorded


async def _record_failure(
    session: AsyncSession, attempted: Attempted, now: datetime, settings: Settings
) -> Recorded:
    claimed, outcome = attempted.claimed, attempted.outcome
    delivery = await repository.leased(session, claimed.delivery_id, claimed.token)
    if delivery is None:
        return Recorded("lost")
    delivery.attempts = claimed.number
    delivery.lease_until = None
    delivery.lease_token = None
    endpoint = await repository.lock_endpoint(session, claimed.endpoint_id)
    retry_at = next_attempt(claimed.number, settings.webhook_retry_schedule, now)
    if outcome.status_code == 410 or retry_at is None:
        delivery.status, delivery.finished_on = FAILED, now
        result = FAILED
    else:
        delivery.next_attempt_at = retry_at
        result = "retrying"
    disabled = False
    if endpoint is not None and endpoint.active:
        if outcome.status_code == 410:
            disabled = _disable(endpoint, f"Disabled on {now.isoformat()}: the endpoint answered 410 Gone.")
        elif endpoint.failing_since is None:
            endpoint.failing_since = now
        elif now - endpoint.failing_since >= timedelta(hours=settings.webhook_disable_after_hours):
            disabled = _disable(
                endpoint,
                f"Disabled on {now.isoformat()}: every delivery failed since "
                f"{endpoint.failing_since.isoformat()}.",
            )
    # Written now: the next failure for this endpoint in the batch reads it again under its lock
    # (populate_existing), and would otherwise undo a disabling or count it a second time.
    await session.flush()
    return Recorded(result, disabled)


def _disable(endpoint: WebhookEndpoint, reason: str) -> bool:
    endpoint.active = False
    endpoint.disabled_reason = reason
    endpoint.modified_on = clock.now()
    return True


@dataclass(frozen=True)
class Backlog:
    # Seconds since the oldest event not delivered yet was written (0 when none waits).
    lag_seconds: float
    pending_by_endpoint: dict[uuid.UUID, int]


async def backlog(session: AsyncSession) -> Backlog:
    now = clock.now()
    oldest = [
        instant
        for instant in (
            await repository.oldest_pending_since(session),
            await repository.oldest_unfanned(session),
        )
        if instant is not None
    ]
    lag = max((now - min(oldest)).total_seconds(), 0.0) if oldest else 0.0
    return Backlog(lag, await repository.pending_by_endpoint(session))
