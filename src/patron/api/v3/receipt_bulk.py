"""Bulk receipts: up to PATRON_BULK_MAX_RECEIPTS at once, recorded by the worker."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, status

from patron.api.deps import CurrentSettings, Integration, Session, app_state, errors
from patron.contacts.errors import ImportNotFound
from patron.contacts.schemas import BulkAccepted
from patron.errors import BadRequest, PayloadTooLarge
from patron.imports import receipt_batches
from patron.imports.schemas import ReceiptBulkStatus

router = APIRouter(tags=["receipts"])


@router.post(
    "/receipts/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BulkAccepted,
    responses=errors(BadRequest, PayloadTooLarge),
)
async def bulk_receipts(
    request: Request,
    body: Annotated[list[Any], Body()],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> BulkAccepted:
    """Each item is the body of POST /receipts; per-row results at /receipts/bulk/status."""
    batch_id = await receipt_batches.accept(session, caller, body, settings.bulk_max_receipts)
    app_state(request).imports_queued.set()
    return BulkAccepted(batchId=batch_id)


@router.get("/receipts/bulk/status", response_model=ReceiptBulkStatus, responses=errors(ImportNotFound))
async def bulk_receipts_status(
    session: Session, caller: Integration, batchId: uuid.UUID
) -> ReceiptBulkStatus:
    return await receipt_batches.status(session, batchId, caller)
