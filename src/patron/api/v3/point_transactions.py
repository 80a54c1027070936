"""Engage v3 point transactions: posted to an account by its id, one object or an array, and
read back by account or by contact. The same ledger as /point-accounts/transactions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from patron.api.deps import CurrentSettings, EngageBase, Integration, ListUrl, Page, Session, errors
from patron.api.dialect import EngageDialect, rendered_all
from patron.api.pages import Paged
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest, PayloadTooLarge
from patron.kit.paging import page_body
from patron.points import by_account
from patron.points import service as points
from patron.points.errors import PointAccountNotFound
from patron.points.schemas import (
    AccountTransaction,
    AccountTransactionOutcome,
    FilterQuery,
    IntId,
    PointTransactionOut,
    PointTransactionV2,
    TransactionFilter,
)

router = APIRouter(tags=["point accounts"])


@router.post(
    "/point-transactions",
    response_model=AccountTransactionOutcome | list[AccountTransactionOutcome],
    responses=errors(BadRequest, PayloadTooLarge),
)
async def post_account_transactions(
    body: Annotated[AccountTransaction | list[AccountTransaction], Body()],
    session: Session,
    caller: Integration,
) -> AccountTransactionOutcome | list[AccountTransactionOutcome]:
    """One object gets one outcome; an array gets one per row, in its order."""
    rows = body if isinstance(body, list) else [body]
    if len(rows) > points.MAX_ROWS:
        raise PayloadTooLarge(f"At most {points.MAX_ROWS} rows per request.")
    outcomes = await by_account.post(session, rows)
    return outcomes if isinstance(body, list) else outcomes[0]


@router.get(
    "/point-transactions",
    response_model=Paged[PointTransactionOut | PointTransactionV2],
    responses=errors(BadRequest, ContactNotFound, PointAccountNotFound),
)
async def list_account_transactions(
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
    accountId: Annotated[IntId | None, Query()] = None,
    contactId: Annotated[uuid.UUID | None, Query()] = None,
    filter: FilterQuery = TransactionFilter.ALL,
) -> dict[str, object]:
    if (accountId is None) == (contactId is None):
        raise BadRequest("Give accountId or contactId.")
    items, total = await by_account.transactions(
        session,
        account_id=accountId,
        contact_id=contactId,
        which=filter,
        offset=page.offset,
        count=page.count,
        base_url=base,
        zone=settings.zone,
    )
    query = {"accountId": accountId, "contactId": contactId and str(contactId), "filter": filter.value}
    return page_body(rendered_all(dialect, items, PointTransactionV2), url, query, page, total)
