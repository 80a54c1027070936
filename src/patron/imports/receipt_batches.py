"""Bulk receipts: accept up to PATRON_BULK_MAX_RECEIPTS now, record them in the background
through the receipt service, chunk by chunk, each chunk committed with the batch's progress."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth.roles import Caller
from patron.contacts.errors import ImportNotFound
from patron.contacts.schemas import BulkRowError
from patron.errors import BadRequest, PatronError, PayloadTooLarge
from patron.imports import receipt_batch_repository as repository
from patron.imports import rows
from patron.imports.rows import RowServices
from patron.imports.schemas import ReceiptBulkStatus, ReceiptRowResult
from patron.kit import clock, ids
from patron.models import ReceiptBatch

# A Running batch not renewed for this long was abandoned by a worker that died; the next one
# resumes it after its last committed chunk.
ABANDONED_AFTER = timedelta(minutes=2)
CHUNK_ROWS = 200


async def accept(session: AsyncSession, caller: Caller, bodies: list[Any], limit: int) -> uuid.UUID:
    if len(bodies) > limit:
        raise PayloadTooLarge(f"A bulk batch takes at most {limit} receipts; this one has {len(bodies)}.")
    if not bodies:
        raise BadRequest(
            "A bulk batch needs at least one receipt.", details=[{"field": "body", "message": "empty"}]
        )
    batch = ReceiptBatch(
        id=ids.new_id(),
        caller=caller.key_id,
        status="Queued",
        rows=bodies,
        total=len(bodies),
        rows_done=0,
        succeeded=0,
        failed=0,
        results=[],
        created_on=clock.now(),
    )
    repository.add(session, batch)
    await session.flush()
    return batch.id


async def status(session: AsyncSession, batch_id: uuid.UUID, caller: Caller) -> ReceiptBulkStatus:
    batch = await repository.get(session, batch_id)
    if batch is None or (batch.caller != caller.key_id and not caller.is_admin):
        raise ImportNotFound()
    results = [ReceiptRowResult.model_validate(result) for result in batch.results]
    return ReceiptBulkStatus(
        batchId=batch.id,
        status=batch.status,
        total=batch.total,
        succeeded=batch.succeeded,
        failed=batch.failed,
        results=results,
        errors=[
            BulkRowError(row=result.row, key=result.key or "", message=result.message or "")
            for result in results
            if result.outcome == "Failed"
        ],
    )


async def claim_next(session: AsyncSession) -> uuid.UUID | None:
    now = clock.now()
    return await repository.claim_next(session, now, now - ABANDONED_AFTER)


def _unique_id(body: Any) -> str | None:
    value = body.get("uniqueReceiptId") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def _recorded(session: AsyncSession, row: int, body: Any, services: RowServices) -> dict[str, Any]:
    try:
        if not isinstance(body, dict):
            raise BadRequest("A receipt is a JSON object.")
        async with session.begin_nested():
            applied = await rows.apply_receipt(session, body, services)
    except (ValidationError, PatronError) as exc:
        failure = rows.failure_of(exc)
        return ReceiptRowResult(
            row=row,
            uniqueReceiptId=_unique_id(body),
            outcome="Failed",
            receiptId=None,
            key=failure.key,
            message=failure.message,
        ).model_dump(mode="json")
    return ReceiptRowResult(
        row=row,
        uniqueReceiptId=_unique_id(body),
        outcome="Replayed" if applied.replayed else "Created",
        receiptId=applied.receipt_id,
        key=None,
        message=None,
    ).model_dump(mode="json")


async def apply_chunk(session: AsyncSession, batch_id: uuid.UUID, services: RowServices) -> bool:
    """Record the batch's next chunk of receipts; True once the batch is done."""
    batch = await repository.get(session, batch_id)
    if batch is None:
        raise ImportNotFound()
    if batch.status != "Running":
        return True
    start = batch.rows_done
    chunk = batch.rows[start : start + CHUNK_ROWS]
    outcomes = [await _recorded(session, start + offset, body, services) for offset, body in enumerate(chunk)]
    failed = sum(outcome["outcome"] == "Failed" for outcome in outcomes)
    batch.results = [*batch.results, *outcomes]
    batch.rows_done = start + len(chunk)
    batch.failed += failed
    batch.succeeded += len(chunk) - failed
    batch.renewed_on = clock.now()
    if batch.rows_done >= batch.total:
        batch.status = "Done"
        # Recorded: the receipts are in their tables now, and the batch keeps no copy of them.
        batch.rows = []
        batch.finished_on = clock.now()
    await session.flush()
    return batch.status == "Done"
