"""`account_user` records: integrations create and change members (Patron's contacts, keyed by
`externalId`), admins erase them; staff read every member, an end user themselves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from patron.api.deps import Admin, CurrentSettings, Integration, Session, State, errors
from patron.api.records.access import ListParams, ReadsAs
from patron.contacts.errors import ContactAlreadyExists
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.records import members
from patron.records.errors import RecordNotFound
from patron.records.query import parse_list_query

router = APIRouter(tags=["records"])
PATH = "/schema/account_user/record"


@router.post(PATH, status_code=status.HTTP_201_CREATED, responses=errors(BadRequest, ContactAlreadyExists))
async def create_account_user(
    body: members.NewMember, session: Session, caller: Integration, settings: CurrentSettings
) -> dict[str, Any]:
    return {
        "data": members.member_out(await members.create(session, body, ContactRules.from_settings(settings)))
    }


@router.get(PATH, responses=errors(BadRequest))
async def list_account_users(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
    return dict(await members.page(session, parse_list_query(query, members.MEMBER_FIELDS), viewer))


@router.get(f"{PATH}/{{recordId}}", responses=errors(RecordNotFound))
async def get_account_user(
    recordId: str, session: Session, viewer: ReadsAs, settings: CurrentSettings
) -> dict[str, Any]:
    """`recordId` is the member's contact id or externalId."""
    contact = await members.one(session, recordId, viewer, ContactRules.from_settings(settings))
    return {"data": members.member_out(contact)}


@router.patch(f"{PATH}/{{recordId}}", responses=errors(BadRequest, RecordNotFound, ContactAlreadyExists))
async def update_account_user(
    recordId: str,
    body: members.MemberChanges,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> dict[str, Any]:
    contact = await members.change(session, recordId, body, ContactRules.from_settings(settings))
    return {"data": members.member_out(contact)}


@router.delete(
    f"{PATH}/{{recordId}}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(RecordNotFound)
)
async def erase_account_user(
    recordId: str, session: Session, caller: Admin, settings: CurrentSettings, state: State
) -> Response:
    """Erases the member's personal data, as DELETE /api/v3/contacts/{id} does."""
    await members.erase(session, recordId, ContactRules.from_settings(settings), state.bus)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
