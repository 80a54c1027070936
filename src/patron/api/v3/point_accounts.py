"""Engage point accounts: definitions, accounts with balances, the transaction ledger."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from patron.api.deps import (
    Admin,
    CurrentSettings,
    EngageBase,
    Integration,
    ListUrl,
    Page,
    Session,
    State,
    errors,
)
from patron.api.dialect import Dialect, EngageDialect, rendered, rendered_all
from patron.api.pages import Paged
from patron.contacts.errors import ContactNotFound
from patron.db.session import transaction
from patron.errors import BadRequest, PayloadTooLarge
from patron.kit.paging import page_body
from patron.points import by_account
from patron.points import service as points
from patron.points.errors import (
    PointAccountNotFound,
    PointDefinitionAlreadyExists,
    PointDefinitionNotFound,
    PointTransactionNotFound,
)
from patron.points.schemas import (
    FilterQuery,
    IntId,
    NewPointDefinition,
    NewPointTransaction,
    PointAccountOut,
    PointAccountV2,
    PointDefinitionOut,
    PointDefinitionV2,
    PointTransactionOut,
    PointTransactionsResult,
    PointTransactionV2,
    TransactionFilter,
)

router = APIRouter(tags=["point accounts"])


@router.get(
    "/point-accounts/definitions",
    response_model=Paged[PointDefinitionOut] | list[PointDefinitionV2],
    responses=errors(BadRequest),
)
async def list_point_definitions(
    session: Session, caller: Integration, page: Page, url: ListUrl, base: EngageBase, dialect: EngageDialect
) -> dict[str, object] | list[PointDefinitionV2]:
    found, total = await points.definitions_page(session, page.offset, page.count)
    items = [points.definition_out(d, base) for d in found]
    # v2 clients read the definitions as a bare array (`List[PointDefinitionModel]`).
    if dialect is Dialect.V2:
        return [PointDefinitionV2.model_validate(item.model_dump()) for item in items]
    return page_body(items, url, {}, page, total)


@router.post(
    "/point-accounts/definitions",
    response_model=PointDefinitionOut | PointDefinitionV2,
    responses=errors(BadRequest, PointDefinitionAlreadyExists),
)
async def create_point_definition(
    body: NewPointDefinition, session: Session, caller: Admin, base: EngageBase, dialect: EngageDialect
) -> PointDefinitionOut | PointDefinitionV2:
    created = await points.create_definition(session, body)
    return rendered(dialect, points.definition_out(created, base), PointDefinitionV2)


@router.get(
    "/point-accounts/definitions/{definitionId}",
    response_model=PointDefinitionOut | PointDefinitionV2,
    responses=errors(BadRequest, PointDefinitionNotFound),
)
async def get_point_definition(
    definitionId: IntId, session: Session, caller: Integration, base: EngageBase, dialect: EngageDialect
) -> PointDefinitionOut | PointDefinitionV2:
    found = await points.get_definition(session, definitionId)
    return rendered(dialect, points.definition_out(found, base), PointDefinitionV2)


@router.get(
    "/point-accounts/transactions",
    response_model=Paged[PointTransactionOut | PointTransactionV2],
    responses=errors(BadRequest, ContactNotFound, PointDefinitionNotFound, PointAccountNotFound),
)
async def list_point_transactions(
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
    contactId: Annotated[uuid.UUID | None, Query()] = None,
    definitionId: Annotated[IntId | None, Query()] = None,
    accountId: Annotated[IntId | None, Query()] = None,
    filter: FilterQuery = TransactionFilter.ALL,
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
    return page_body(rendered_all(dialect, items, PointTransactionV2), url, query, page, total)


@router.get(
    "/point-accounts/transactions/{transactionId}",
    response_model=PointTransactionOut | PointTransactionV2,
    responses=errors(BadRequest, PointTransactionNotFound),
)
async def get_point_transaction(
    transactionId: IntId,
    session: Session,
    caller: Integration,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> PointTransactionOut | PointTransactionV2:
    found = await by_account.transaction(session, transactionId, base, settings.zone)
    return rendered(dialect, found, PointTransactionV2)


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
    "/point-accounts",
    response_model=list[PointAccountOut] | Paged[PointAccountV2],
    responses=errors(BadRequest, ContactNotFound),
)
async def list_point_accounts(
    contactId: Annotated[uuid.UUID, Query()],
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    state: State,
    dialect: EngageDialect,
) -> list[PointAccountOut] | dict[str, object]:
    """Every contact holds an account in every point definition from the start: the first
    read gives those it holds no row in yet their rows (their ids), in a write of its own."""
    unopened = await by_account.unopened_definitions(session, contactId)
    zone = state.settings.zone
    if unopened:
        # Read back in the write that made them: the request's own read began before it.
        async with state.write_turn(), transaction(state.database) as writer:
            await by_account.open_accounts(writer, contactId, unopened)
            items, total = await points.accounts_of(writer, contactId, page.offset, page.count, base, zone)
    else:
        items, total = await points.accounts_of(session, contactId, page.offset, page.count, base, zone)
    # v3 answers a bare array, as Engage v3 does; v2 keeps the paged object its clients read.
    if dialect is Dialect.V3:
        return items
    return page_body(
        rendered_all(dialect, items, PointAccountV2), url, {"contactId": str(contactId)}, page, total
    )


@router.get(
    "/point-accounts/{accountId}",
    response_model=PointAccountOut | PointAccountV2,
    responses=errors(BadRequest, PointAccountNotFound),
)
async def get_point_account(
    accountId: IntId,
    session: Session,
    caller: Integration,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> PointAccountOut | PointAccountV2:
    return rendered(dialect, await points.account(session, accountId, base, settings.zone), PointAccountV2)
