"""Contacts: look up, create, read, update, erase, promote, bulk import."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response, status

from patron.api.deps import CurrentSettings, Integration, Session, State, app_state, errors
from patron.contacts import service as contacts
from patron.contacts.errors import (
    AlreadyMember,
    ContactAlreadyExists,
    ContactNotFound,
    ImportNotFound,
    MultipleMatchesFound,
)
from patron.contacts.schemas import BulkAccepted, BulkStatus, ContactFields, ContactOut, LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import BadRequest, PayloadTooLarge
from patron.imports import service as imports
from patron.stores.errors import StoreNotFound

router = APIRouter(tags=["contacts"])


async def rules(settings: CurrentSettings) -> ContactRules:
    return ContactRules.from_settings(settings)


Rules = Annotated[ContactRules, Depends(rules)]


@router.get(
    "/contacts/id",
    response_model=uuid.UUID,
    responses=errors(BadRequest, ContactNotFound, MultipleMatchesFound),
)
async def lookup_contact_id(
    session: Session, caller: Integration, rules: Rules, query: Annotated[LookupKeys, Query()]
) -> uuid.UUID:
    return await contacts.lookup_id(session, query, rules)


@router.post(
    "/contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactOut,
    responses=errors(BadRequest, ContactAlreadyExists, StoreNotFound),
)
async def create_contact(
    body: ContactFields,
    session: Session,
    caller: Integration,
    rules: Rules,
    settings: CurrentSettings,
    storeExternalId: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=200)] = None,
    createAsUnapproved: Annotated[bool | None, Query()] = None,
    store_header: Annotated[str | None, Header(alias="storeExternalId", max_length=200)] = None,
    source_header: Annotated[str | None, Header(alias="source", max_length=200)] = None,
    unapproved_header: Annotated[bool | None, Header(alias="createAsUnapproved")] = None,
) -> ContactOut:
    """v3 clients send `source`, `storeExternalId` and `createAsUnapproved` as query
    parameters, v2 clients as headers; either is read, the query first. `source` and
    `createAsUnapproved` are taken (and checked) but change nothing: Patron keeps no
    approval state and no per-contact source."""
    store = storeExternalId if storeExternalId is not None else store_header
    contact = await contacts.create(session, body, rules, store)
    return contacts.contact_out(contact, settings.zone)


@router.post(
    "/contacts/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BulkAccepted,
    responses=errors(BadRequest, PayloadTooLarge),
)
async def bulk_contacts(
    request: Request,
    body: Annotated[list[Any], Body()],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> BulkAccepted:
    batch_id = await imports.accept(session, caller, body, settings.bulk_max_contacts)
    app_state(request).imports_queued.set()
    return BulkAccepted(batchId=batch_id)


@router.get("/contacts/bulk/status", response_model=BulkStatus, responses=errors(ImportNotFound))
async def bulk_status(session: Session, caller: Integration, batchId: uuid.UUID) -> BulkStatus:
    return await imports.status(session, batchId, caller)


@router.get("/contacts/{contactId}", response_model=ContactOut, responses=errors(ContactNotFound))
async def get_contact(
    contactId: uuid.UUID, session: Session, caller: Integration, settings: CurrentSettings
) -> ContactOut:
    return contacts.contact_out(await contacts.get(session, contactId), settings.zone)


@router.patch(
    "/contacts/{contactId}",
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, ContactAlreadyExists),
)
async def update_contact(
    contactId: uuid.UUID,
    body: ContactFields,
    session: Session,
    caller: Integration,
    rules: Rules,
    settings: CurrentSettings,
) -> ContactOut:
    return contacts.contact_out(await contacts.update(session, contactId, body, rules), settings.zone)


# Engage v2 clients update a contact with POST.
router.add_api_route(
    "/contacts/{contactId}",
    update_contact,
    methods=["POST"],
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, ContactAlreadyExists),
    name="update_contact_v2",
)


@router.delete(
    "/contacts/{contactId}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(ContactNotFound)
)
async def erase_contact(
    contactId: uuid.UUID, session: Session, caller: Integration, state: State
) -> Response:
    await contacts.erase(session, contactId, state.bus)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/contacts/{contactId}/promote-to-member",
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, AlreadyMember, ContactAlreadyExists),
)
async def promote_to_member(
    contactId: uuid.UUID,
    session: Session,
    caller: Integration,
    rules: Rules,
    settings: CurrentSettings,
    body: Annotated[ContactFields | None, Body()] = None,
) -> ContactOut:
    fields = body or ContactFields()
    return contacts.contact_out(
        await contacts.promote_to_member(session, contactId, fields, rules), settings.zone
    )


# Engage v2 clients spell it this way.
router.add_api_route(
    "/contacts/{contactId}/promoteToMember",
    promote_to_member,
    methods=["POST"],
    response_model=ContactOut,
    responses=errors(BadRequest, ContactNotFound, AlreadyMember, ContactAlreadyExists),
    name="promote_to_member_v2",
)
