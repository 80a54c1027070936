"""Claiming an Idempotency-Key, completing it with the response, and replaying it.

A request first claims the key in a short transaction of its own (so a concurrent retry
sees it in flight), then records its response in the same transaction as its work: the
work and the stored response commit together or not at all. A claim whose request died
without committing is taken over once its lease has run out.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts.errors import ContactNotFound
from patron.idempotency import repository
from patron.kit import clock


@dataclass(frozen=True)
class Acquired:
    lease: str


@dataclass(frozen=True)
class Replay:
    status_code: int
    headers: list[list[str]]
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used with another request."""


@dataclass(frozen=True)
class InFlight:
    """The first request with this key has not finished."""


Claim = Acquired | Replay | Mismatch | InFlight


async def claim(
    session: AsyncSession,
    *,
    caller: str,
    key: str,
    request_hash: str,
    lease_seconds: float,
    ttl: timedelta,
) -> Claim:
    now = clock.now()
    lease = secrets.token_hex(16)
    if await repository.insert_if_absent(
        session, caller=caller, key=key, request_hash=request_hash, lease=lease, now=now
    ):
        return Acquired(lease)
    record = await repository.find(session, caller, key)
    if record is None:  # purged between the two statements
        return InFlight()
    completed = record.completed_on is not None
    expired = completed and record.completed_on < now - ttl  # type: ignore[operator]
    abandoned = not completed and record.locked_on < now - timedelta(seconds=lease_seconds)
    if expired or abandoned:
        taken = await repository.take_over(
            session,
            record_id=record.id,
            old_lease=record.lease,
            lease=lease,
            request_hash=request_hash,
            now=now,
        )
        return Acquired(lease) if taken else InFlight()
    if record.request_hash != request_hash:
        return Mismatch()
    if not completed:
        return InFlight()
    return Replay(record.status_code or 200, record.response_headers or [], record.response_body or b"")


async def complete(
    session: AsyncSession,
    *,
    caller: str,
    key: str,
    lease: str,
    status_code: int,
    headers: list[list[str]],
    body: bytes,
) -> None:
    await repository.complete(
        session,
        caller=caller,
        key=key,
        lease=lease,
        status_code=status_code,
        headers=headers,
        body=body,
        now=clock.now(),
    )


async def release(session: AsyncSession, *, caller: str, key: str, lease: str) -> None:
    await repository.release(session, caller=caller, key=key, lease=lease)


async def forget_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """An erased contact's stored answers are redacted: a replay of its creation must not hand
    its name and address back, nor run again and bring the contact back. Every stored answer
    that names its id becomes 404 ContactNotFound, replayed as such for the rest of its time."""
    gone = ContactNotFound(f"No contact {contact_id}.")
    await repository.replace_answers_naming(
        session,
        str(contact_id),
        status_code=gone.status,
        headers=[["content-type", "application/json"]],
        body=json.dumps(gone.envelope(None)).encode(),
    )


async def purge_expired(session: AsyncSession, ttl: timedelta) -> int:
    return await repository.purge_completed_before(session, clock.now() - ttl)
