"""Receipts and purchase history."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from starlette.types import Scope

from patron.api.deps import (
    CurrentSettings,
    EngageBase,
    Integration,
    ListUrl,
    Page,
    Session,
    app_state,
    authorised,
    engage_base_of,
    errors,
    session_of,
)
from patron.api.dialect import Dialect, EngageDialect
from patron.api.direct import Answer, body_as, json_answer
from patron.api.pages import Paged
from patron.auth.roles import INTEGRATIONS
from patron.contacts.errors import ContactNotFound
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.kit.paging import PageRequest, page_body
from patron.receipts import service as receipts
from patron.receipts.errors import ReceiptAlreadyExists, ReceiptNotFound
from patron.receipts.schemas import (
    PurchaseSummary,
    ReceiptIn,
    ReceiptOut,
    TransactionItemV2,
    TransactionsPageV2,
)
from patron.state import AppState
from patron.stores.errors import StoreNotFound

router = APIRouter(tags=["receipts"])


class TransactionsPage(Paged[ReceiptOut]):
    """A page of receipts, newest first, and the summary of the contact's whole history."""

    summary: PurchaseSummary


@router.post(
    "/receipts",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    responses={
        200: {"model": ReceiptOut, "description": "Replay: this receipt was stored already"},
        **errors(BadRequest, ContactNotFound, StoreNotFound, ReceiptAlreadyExists),
    },
)
async def create_receipt(body: ReceiptIn, request: Request, caller: Integration) -> Response:
    """Answered directly (`create_receipt_directly`) unless PATRON_DIRECT_ROUTES is off."""
    answer = await _recorded(body, request.scope, app_state(request))
    return Response(answer.body, status_code=answer.status, headers=dict(_decoded(answer.headers)))


async def create_receipt_directly(scope: Scope, state: AppState) -> Answer:
    """POST /receipts without FastAPI (patron.api.direct): a till's most frequent call."""
    body = await body_as(ReceiptIn, scope, lambda: authorised(scope, state, INTEGRATIONS))
    return await _recorded(body, scope, state)


async def _recorded(body: ReceiptIn, scope: Scope, state: AppState) -> Answer:
    settings = state.settings
    recorded = await receipts.record(
        session_of(scope), body, ContactRules.from_settings(settings), settings.zone, state.bus
    )
    answer = receipts.receipt_out(recorded.stored, settings.zone, engage_base_of(scope, settings))
    if recorded.replayed:
        return json_answer(
            status.HTTP_200_OK, answer.model_dump_json().encode(), [(b"idempotent-replayed", b"true")]
        )
    return json_answer(status.HTTP_201_CREATED, answer.model_dump_json().encode())


def _decoded(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


@router.get("/receipts/{receiptId}", response_model=ReceiptOut, responses=errors(ReceiptNotFound))
async def get_receipt(
    receiptId: uuid.UUID, session: Session, caller: Integration, settings: CurrentSettings, root: EngageBase
) -> ReceiptOut:
    return receipts.receipt_out(await receipts.get(session, receiptId), settings.zone, root)


async def _transactions(
    session: Any,
    contact_id: uuid.UUID,
    page: PageRequest,
    url: str,
    query: dict[str, Any],
    zone: Any,
    root: str,
    dialect: Dialect,
) -> dict[str, Any]:
    found, total, summary = await receipts.history(session, contact_id, page.offset, page.count)
    items = [receipts.receipt_out(stored, zone, root) for stored in found]
    if dialect is Dialect.V2:
        return {
            "items": [TransactionItemV2.of(item) for item in items],
            "totalCount": total,
            "offset": page.offset,
            "count": len(items),
        }
    body = page_body(items, url, query, page, total)
    body["summary"] = receipts.summary_out(summary, zone)
    return body


@router.get(
    "/contacts/transactions",
    response_model=TransactionsPage | TransactionsPageV2,
    responses=errors(BadRequest, ContactNotFound),
)
async def contact_transactions_by_query(
    contactId: Annotated[uuid.UUID, Query()],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    page: Page,
    url: ListUrl,
    root: EngageBase,
    dialect: EngageDialect,
) -> dict[str, Any]:
    """The integration guide's spelling: the contact id in the query string."""
    query = {"contactId": str(contactId)}
    return await _transactions(session, contactId, page, url, query, settings.zone, root, dialect)


@router.get(
    "/contacts/{contactId}/transactions",
    response_model=TransactionsPage | TransactionsPageV2,
    responses=errors(BadRequest, ContactNotFound),
)
async def contact_transactions(
    contactId: uuid.UUID,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    page: Page,
    url: ListUrl,
    root: EngageBase,
    dialect: EngageDialect,
) -> dict[str, Any]:
    return await _transactions(session, contactId, page, url, {}, settings.zone, root, dialect)
