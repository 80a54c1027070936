"""Contact lookups as Engage v2 clients spell them: counts, and a contact by a key of a given
contact type. Served before /contacts/{contactId}, which would take `count` for an id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from patron.api.deps import CurrentSettings, Integration, Session, errors
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound, MultipleMatchesFound
from patron.contacts.schemas import ContactOut, LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import BadRequest

router = APIRouter(tags=["contacts"])

ContactType = Annotated[str, Path(max_length=50)]
KeyValue = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/contacts/count", response_model=int)
async def count_contacts(session: Session, caller: Integration) -> int:
    return await contacts.count(session)


@router.get("/contacts/{contactType}/count", response_model=int, responses=errors(BadRequest))
async def count_contacts_of_type(contactType: ContactType, session: Session, caller: Integration) -> int:
    return await contacts.count(session, contactType)


async def _found(session: Session, keys: LookupKeys, settings: CurrentSettings) -> ContactOut:
    contact_id = await contacts.lookup_id(session, keys, ContactRules.from_settings(settings))
    return contacts.contact_out(await contacts.get(session, contact_id), settings.zone)


@router.get(
    "/contacts/{contactType}/bykey/{keyValue}",
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, MultipleMatchesFound),
)
async def contact_by_key_in_path(
    contactType: ContactType,
    keyValue: KeyValue,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> ContactOut:
    """`keyValue` is any of the contact's unique keys, as `GET /contacts/id?any=` reads it."""
    return await _found(session, LookupKeys(any=keyValue, contactType=contactType), settings)


@router.get(
    "/contacts/{contactType}/bykey",
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, MultipleMatchesFound),
)
async def contact_by_key(
    contactType: ContactType,
    keyValue: Annotated[str, Query(min_length=1, max_length=200)],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> ContactOut:
    return await _found(session, LookupKeys(any=keyValue, contactType=contactType), settings)


@router.get(
    "/contacts/{contactType}/byexternalid/{externalId}",
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, MultipleMatchesFound),
)
async def contact_by_external_id(
    contactType: ContactType,
    externalId: KeyValue,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> ContactOut:
    return await _found(session, LookupKeys(externalId=externalId, contactType=contactType), settings)
