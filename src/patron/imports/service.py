"""Bulk create-or-update of contacts: accept a batch now, apply it row by row in the background."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth.roles import Caller
from patron.contacts import service as contacts
from patron.contacts.errors import ImportNotFound
from patron.contacts.schemas import BulkRowError, BulkStatus, ContactFields
from patron.contacts.service import ContactRules
from patron.errors import BadRequest, PatronError, PayloadTooLarge
from patron.imports import repository
from patron.kit import clock, ids
from patron.models import ContactImport

# A Running import older than this was abandoned by a crashed worker; it is safe to redo
# because every row is a create-or-update by unique key.
ABANDONED_AFTER = timedelta(minutes=10)


async def accept(session: AsyncSession, caller: Caller, rows: list[Any], limit: int) -> uuid.UUID:
    if len(rows) > limit:
        raise PayloadTooLarge(f"A bulk import takes at most {limit} contacts; this one has {len(rows)}.")
    if not rows:
        raise BadRequest(
            "A bulk import needs at least one contact.", details=[{"field": "body", "message": "empty"}]
        )
    batch = ContactImport(
        id=ids.new_id(),
        caller=caller.key_id,
        status="Queued",
        rows=rows,
        total=len(rows),
        succeeded=0,
        failed=0,
        errors=[],
        created_on=clock.now(),
    )
    repository.add(session, batch)
    await session.flush()
    return batch.id


async def status(session: AsyncSession, batch_id: uuid.UUID, caller: Caller) -> BulkStatus:
    batch = await repository.get(session, batch_id)
    if batch is None or (batch.caller != caller.key_id and not caller.is_admin):
        raise ImportNotFound()
    return BulkStatus(
        batchId=batch.id,
        status=batch.status,
        total=batch.total,
        succeeded=batch.succeeded,
        failed=batch.failed,
        errors=[BulkRowError(**error) for error in batch.errors],
    )


async def claim_next(session: AsyncSession) -> ContactImport | None:
    now = clock.now()
    return await repository.claim_next(session, now, now - ABANDONED_AFTER)


def _row_error(row: int, exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "row"
        return {"row": row, "key": "BadRequest", "message": f"{field}: {first['msg']}"}
    if isinstance(exc, PatronError):
        return {"row": row, "key": exc.key, "message": exc.message}
    raise exc


async def apply_rows(session: AsyncSession, batch: ContactImport, rules: ContactRules) -> None:
    """Apply every row under its own savepoint, so one bad row never undoes the others."""
    errors: list[dict[str, Any]] = []
    succeeded = 0
    for number, row in enumerate(batch.rows):
        try:
            fields = ContactFields.model_validate(row)
            async with session.begin_nested():
                await contacts.upsert(session, fields, rules)
            succeeded += 1
        except (ValidationError, PatronError) as exc:
            errors.append(_row_error(number, exc))
    batch.succeeded = succeeded
    batch.failed = len(errors)
    batch.errors = errors
    batch.status = "Done"
    # Applied: the contacts' data is in their rows now, and a batch keeps no copy of it.
    batch.rows = []
    batch.finished_on = clock.now()
    await session.flush()


async def running(session: AsyncSession, batch_id: uuid.UUID) -> ContactImport:
    batch = await repository.get(session, batch_id)
    if batch is None:
        raise ImportNotFound()
    return batch


async def mark_failed(session: AsyncSession, batch_id: uuid.UUID, reason: str) -> None:
    batch = await running(session, batch_id)
    batch.status = "Failed"
    batch.rows = []
    batch.errors = [{"row": -1, "key": "InternalError", "message": reason[:500]}]
    batch.finished_on = clock.now()
    await session.flush()
