"""The wire format of bulk receipt batches (Engage's camelCase, as /contacts/bulk)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel

from patron.contacts.schemas import BulkRowError


class ReceiptRowResult(BaseModel):
    # From 0, as /contacts/bulk/status counts rows.
    row: int
    uniqueReceiptId: str | None
    outcome: Literal["Created", "Replayed", "Failed"]
    receiptId: uuid.UUID | None
    key: str | None
    message: str | None


class ReceiptBulkStatus(BaseModel):
    batchId: uuid.UUID
    status: Literal["Queued", "Running", "Done", "Failed"]
    total: int
    succeeded: int
    failed: int
    results: list[ReceiptRowResult]
    errors: list[BulkRowError]
