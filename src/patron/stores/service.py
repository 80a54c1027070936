"""Use cases of the store register."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock, ids
from patron.models import Store
from patron.stores import repository
from patron.stores.errors import StoreAlreadyExists, StoreNotFound
from patron.stores.schemas import NewStore, StoreFields, StoreOut


def store_out(store: Store) -> StoreOut:
    return StoreOut(
        externalId=store.external_id,
        name=store.name,
        city=store.city,
        countryCode=store.country_code,
        email=store.email,
        type=store.type,
    )


def _apply(store: Store, fields: StoreFields) -> None:
    store.name = fields.name
    store.city = fields.city
    store.country_code = fields.countryCode
    store.email = fields.email
    store.type = fields.type


async def get(session: AsyncSession, external_id: str) -> Store:
    store = await repository.by_external_id(session, external_id)
    if store is None:
        raise StoreNotFound(f"No store with externalId {external_id!r}.")
    return store


async def create(session: AsyncSession, fields: NewStore) -> Store:
    if await repository.by_external_id(session, fields.externalId) is not None:
        raise StoreAlreadyExists(details={"externalId": fields.externalId})
    now = clock.now()
    store = Store(id=ids.new_id(), external_id=fields.externalId, created_on=now, modified_on=now)
    _apply(store, fields)
    try:
        async with session.begin_nested():
            repository.add(session, store)
    except IntegrityError as exc:
        raise StoreAlreadyExists(details={"externalId": fields.externalId}) from exc
    return store


async def replace(session: AsyncSession, external_id: str, fields: StoreFields) -> Store:
    store = await get(session, external_id)
    _apply(store, fields)
    store.modified_on = clock.now()
    await session.flush()
    return store


async def page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[Store], int]:
    return await repository.page(session, offset, count)
