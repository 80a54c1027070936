"""Engage point accounts: definitions, accounts with balances, the transaction ledger."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from patron.api.deps import Admin, CurrentSettings, EngageBase, Integration, ListUrl, Page, Session, errors
from patron.api.pages import Paged
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest, PayloadTooLarge
from patron.kit.paging import page_body
from patron.points import service as points
from patron.points.errors import PointAccountNotFound, PointDefinitionAlreadyExists, PointDefinitionNotFound
from patron.points.schemas import (
    IntId,
    NewPointDefinition,
    NewPointTransaction,
    PointAccountOut,
    PointDefinitionOut,
    PointTransactionOut,
    PointTransactionsResult,
    TransactionFilter,
)

router = APIRouter(tags=["point accounts"])


@router.get(
    "/point-accounts/definitions", response_model=Paged[PointDefinitionOut], responses=errors(BadRequest)
)
async def list_point_definitions(
    session: Session, caller: Integration, page: Page, url: ListUrl, base: EngageBase
) -> dict[str, object]:
    found, total = await points.definitions_page(session, page.offset, page.count)
    return page_body([points.definition_out(d, base) for d in found], url, {}, page, total)


@router.post(
    "/point-accounts/definitions",
    response_model=PointDefinitionOut,
    responses=errors(BadRequest, PointDefinitionAlreadyExists),
)
async def create_point_definition(
    body: NewPointDefinition, session: Session, caller: Admin, base: EngageBase
) -> PointDefinitionOut:
    return points.definition_out(await points.create_definition(session, body), base)


@router.get(
    "/point-accounts/definitions/{definitionId}",
    response_model=PointDefinitionOut,
    responses=errors(BadRequest, PointDefinitionNotFound),
)
async def get_point_definition(
    definitionId: IntId, session: Session, caller: Integration, base: EngageBase
) -> PointDefinitionOut:
    return points.definition_out(await points.get_definition(session, definitionId), base)


@router.get(
    "/point-accounts/transactions",
    response_model=Paged[PointTransactionOut],
    responses=errors(BadRequest, ContactNotFound, PointDefinitionNotFound, PointAccountNotFound),
)
async def list_point_transactions(
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
    contactId: Annotated[uuid.UUID | None, Query()] = None,
    definitionId: Annotated[IntId | None, Query()] = None,
    accountId: Annotated[IntId | None, Query()] = None,
    filter: TransactionFilter = TransactionFilter.ALL,
) -> dict[str, object]:
    if accountId is None and (contactId is None or definitionId is None):
        raise BadRequest("Give accountId, or contactId and definitionId.")
    items, total = await points.transactions(
        session,
        account_id=accountId,
        contact_id=contactId,
        definition_id=definitionId,
        which=filter,
        offset=page.offset,
        count=page.count,
        base_url=base,
        zone=settings.zone,
    )
    query = {
        "contactId": contactId and str(contactId),
        "definitionId": definitionId,
        "accountId": accountId,
        "filter": filter.value,
    }
    return page_body(items, url, query, page, total)


@router.post(
    "/point-accounts/transactions",
    response_model=PointTransactionsResult,
    responses=errors(BadRequest, PayloadTooLarge),
)
async def post_point_transactions(
    body: Annotated[list[NewPointTransaction], Body()], session: Session, caller: Integration
) -> PointTransactionsResult:
    if len(body) > points.MAX_ROWS:
        raise PayloadTooLarge(f"At most {points.MAX_ROWS} rows per request.")
    return await points.post_transactions(session, body)


@router.get(
    "/point-accounts", response_model=Paged[PointAccountOut], responses=errors(BadRequest, ContactNotFound)
)
async def list_point_accounts(
    contactId: Annotated[uuid.UUID, Query()],
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
) -> dict[str, object]:
    items, total = await points.accounts_of(session, contactId, page.offset, page.count, base, settings.zone)
    return page_body(items, url, {"contactId": str(contactId)}, page, total)


@router.get(
    "/point-accounts/{accountId}",
    response_model=PointAccountOut,
    responses=errors(BadRequest, PointAccountNotFound),
)
async def get_point_account(
    accountId: IntId, session: Session, caller: Integration, base: EngageBase, settings: CurrentSettings
) -> PointAccountOut:
    return await points.account(session, accountId, base, settings.zone)
