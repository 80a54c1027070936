"""The floor under Patron's receipts and checkpoint batches on Patron's own stack: FastAPI,
Pydantic and SQLAlchemy.

`POST /api/v3/receipts`: the body validated by a Pydantic model of the fields the bench
sends, then the raw-SQL baseline's rows (receipt, lines, payment) inserted with SQLAlchemy
Core through asyncpg in one transaction, and a two-field answer. No authentication,
middleware, contact or store lookup, uniqueness check, activity or rendering of the stored
receipt: everything Patron does for a receipt comes on top of this.

`POST /api/v3/challenges/checkpoints`: the rows validated by Pydantic (at most 1000), then
the raw-SQL baseline's two statements (every row into the log, one progress upsert per pair,
no requirement, completion, consent, expiry or reward) through SQLAlchemy in one transaction.

What it reaches bounds what those routes can reach on these libraries and this machine.

    STACK_DSN=postgresql+asyncpg://... uvicorn stack_floor:app --app-dir bench --workers 2
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from baselines import CHECKPOINT_LOG, CHECKPOINT_PROGRESS
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import MetaData, Table, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(
    os.environ["STACK_DSN"], pool_size=int(os.environ.get("STACK_POOL_SIZE", "8")), max_overflow=0
)
tables: dict[str, Table] = {}


class Match(BaseModel):
    matchKey: uuid.UUID
    matchKeyType: str


class Line(BaseModel):
    type: str
    sku: str
    articleNumber: str
    articleName: str
    articleGroup: str
    quantity: Decimal
    grossPaidPrice: Decimal
    taxAmount: Decimal
    taxPercent: Decimal


class Payment(BaseModel):
    type: str
    value: Decimal


class ReceiptIn(BaseModel):
    uniqueReceiptId: str
    receiptNumber: str
    createdDate: datetime
    storeExternalId: str
    currency: str
    totalGrossPrice: Decimal
    contact: Match
    paymentMethods: list[Payment]
    items: list[Line]


class CheckpointRow(BaseModel):
    definitionId: uuid.UUID
    contactId: uuid.UUID
    checkpointAmount: int = Field(ge=1)


class Stored(BaseModel):
    id: uuid.UUID
    uniqueReceiptId: str


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    metadata = MetaData()
    async with engine.connect() as connection:
        names = ["receipts", "receipt_lines", "receipt_payments"]
        await connection.run_sync(lambda sync: metadata.reflect(sync, only=names))
    tables.update(metadata.tables)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v3/receipts", status_code=201, response_model=Stored)
async def store_receipt(body: ReceiptIn) -> Stored:
    receipt_id, contact = uuid.uuid4(), body.contact.matchKey
    receipt = {
        "id": receipt_id,
        "unique_receipt_id": body.uniqueReceiptId,
        "fingerprint": "0" * 64,
        "contact_id": contact,
        "store_external_id": body.storeExternalId,
        "receipt_number": body.receiptNumber,
        "created_date": body.createdDate,
        "currency": body.currency,
        "total_gross_price": body.totalGrossPrice,
        "used_promotions": [],
        "recorded_on": body.createdDate,
    }
    lines = [
        {
            "id": uuid.uuid4(),
            "receipt_id": receipt_id,
            "contact_id": contact,
            "position": position,
            "type": item.type,
            "sku": item.sku,
            "article_number": item.articleNumber,
            "article_name": item.articleName,
            "article_group": item.articleGroup,
            "quantity": item.quantity,
            "gross_paid_price": item.grossPaidPrice,
            "tax_amount": item.taxAmount,
            "tax_percent": item.taxPercent,
            "discounts": [],
        }
        for position, item in enumerate(body.items)
    ]
    payments = [
        {
            "id": uuid.uuid4(),
            "receipt_id": receipt_id,
            "contact_id": contact,
            "position": position,
            "type": payment.type,
            "value": payment.value,
        }
        for position, payment in enumerate(body.paymentMethods)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(tables["receipts"]), receipt)
        await connection.execute(insert(tables["receipt_lines"]), lines)
        await connection.execute(insert(tables["receipt_payments"]), payments)
    return Stored(id=receipt_id, uniqueReceiptId=body.uniqueReceiptId)


_LOG = text(
    CHECKPOINT_LOG.replace("$1", "(:contacts)").replace("$2", "(:definitions)").replace("$3", "(:amounts)")
)
_PROGRESS = text(
    CHECKPOINT_PROGRESS.replace("$1", "(:contacts)")
    .replace("$2", "(:definitions)")
    .replace("$3", "(:amounts)")
)


@app.post("/api/v3/challenges/checkpoints")
async def award_checkpoints(
    rows: Annotated[list[CheckpointRow], Field(max_length=1000)],
) -> dict[str, list[str]]:
    summed: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()
    for row in rows:
        summed[(row.contactId, row.definitionId)] += row.checkpointAmount
    async with engine.begin() as connection:
        await connection.execute(
            _LOG,
            {
                "contacts": [row.contactId for row in rows],
                "definitions": [row.definitionId for row in rows],
                "amounts": [row.checkpointAmount for row in rows],
            },
        )
        await connection.execute(
            _PROGRESS,
            {
                "contacts": [contact for contact, _ in summed],
                "definitions": [definition for _, definition in summed],
                "amounts": list(summed.values()),
            },
        )
    return {"missingContactIds": [], "missingDefinitionIds": [], "notAccepted": []}
