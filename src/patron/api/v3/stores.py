"""The store register."""

from __future__ import annotations

from fastapi import APIRouter, status

from patron.api.deps import Admin, Integration, ListUrl, Page, Session, errors
from patron.api.dialect import Dialect, EngageDialect
from patron.api.pages import Paged
from patron.errors import BadRequest
from patron.kit.paging import page_body
from patron.stores import service as stores
from patron.stores.errors import StoreAlreadyExists, StoreNotFound
from patron.stores.schemas import NewStore, StoreFields, StoreOut
from patron.stores.service import store_out

router = APIRouter(tags=["stores"])


@router.get("/stores", response_model=Paged[StoreOut] | list[StoreOut], responses=errors(BadRequest))
async def list_stores(
    session: Session, caller: Integration, page: Page, url: ListUrl, dialect: EngageDialect
) -> dict[str, object] | list[StoreOut]:
    found, total = await stores.page(session, page.offset, page.count)
    items = [store_out(store) for store in found]
    # v2 clients read the stores as a bare array (`List[ApiStore]`).
    if dialect is Dialect.V2:
        return items
    return page_body(items, url, {}, page, total)


@router.post(
    "/stores",
    status_code=status.HTTP_201_CREATED,
    response_model=StoreOut,
    responses=errors(BadRequest, StoreAlreadyExists),
)
async def create_store(body: NewStore, session: Session, caller: Admin) -> StoreOut:
    return store_out(await stores.create(session, body))


@router.get("/stores/{externalId}", response_model=StoreOut, responses=errors(StoreNotFound))
async def get_store(externalId: str, session: Session, caller: Integration) -> StoreOut:
    return store_out(await stores.get(session, externalId))


@router.put("/stores/{externalId}", response_model=StoreOut, responses=errors(BadRequest, StoreNotFound))
async def replace_store(externalId: str, body: StoreFields, session: Session, caller: Admin) -> StoreOut:
    return store_out(await stores.replace(session, externalId, body))


# Engage v2 clients update a store with POST.
router.add_api_route(
    "/stores/{externalId}",
    replace_store,
    methods=["POST"],
    response_model=StoreOut,
    responses=errors(BadRequest, StoreNotFound),
    name="replace_store_v2",
)
