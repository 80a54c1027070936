"""`account_user` records: the record dialect's members, which are Patron's contacts keyed by
`externalId`. Created, read, changed and erased through the contacts service, so a member made
here is the contact every other dialect sees (and the other way round)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ActivityBus
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.keys import EmailAddress
from patron.contacts.schemas import ContactFields
from patron.contacts.service import ContactRules
from patron.kit.bodies import Body
from patron.kit.zones import ZoneName
from patron.models import Contact
from patron.models.contact import LIVE
from patron.records import repository
from patron.records.errors import MemberNotFound, RecordNotFound
from patron.records.fields import FieldKind, Order, RecordField, RecordFields, SortKey
from patron.records.intake import member_of
from patron.records.page import RecordPage, record_page
from patron.records.query import ListQuery
from patron.records.query_sql import count_statement, page_statement
from patron.records.reads import Viewer
from patron.records.render import instant

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# What a member record shows of its contact, besides its keys and times.
SHOWN = ("firstName", "lastName", "email", "timeZone")

MEMBER_FIELDS = RecordFields(
    (
        RecordField("id", Contact.id, FieldKind.ID),
        RecordField("externalId", Contact.external_id, FieldKind.TEXT),
        RecordField("createdAt", Contact.created_on, FieldKind.INSTANT),
        RecordField("updatedAt", Contact.modified_on, FieldKind.INSTANT),
    ),
    tie_breaker=Contact.id,
    default_sort=(SortKey("createdAt", Order.DESC),),
    shown=frozenset(SHOWN),
)


class NewMember(Body):
    externalId: ExternalId
    firstName: Name | None = None
    lastName: Name | None = None
    email: EmailAddress | None = None
    timeZone: ZoneName | None = None


class MemberChanges(Body):
    externalId: ExternalId | None = None
    firstName: Name | None = None
    lastName: Name | None = None
    email: EmailAddress | None = None
    timeZone: ZoneName | None = None


def member_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": str(contact.id),
        "externalId": contact.external_id,
        **{name: contact.attributes.get(name) for name in SHOWN},
        "createdAt": instant(contact.created_on),
        "updatedAt": instant(contact.modified_on),
    }


def _fields(body: NewMember | MemberChanges) -> ContactFields:
    # Only what the caller sent: a field left out is left as it is.
    return ContactFields(**body.model_dump(exclude_unset=True))


async def create(session: AsyncSession, body: NewMember, rules: ContactRules) -> Contact:
    return await contacts.create(session, _fields(body), rules)


async def _visible_id(session: AsyncSession, key: str, viewer: Viewer, rules: ContactRules) -> uuid.UUID:
    """The member named by `key` (a contact id or externalId), if the viewer may see them: staff
    see everyone, an end user themselves only."""
    try:
        contact_id = (await member_of(session, key, rules)).id
    except MemberNotFound as exc:
        raise RecordNotFound(f"No account_user {key!r}.") from exc
    if not (viewer.staff or viewer.member == contact_id):
        raise RecordNotFound(f"No account_user {key!r}.")
    return contact_id


async def one(session: AsyncSession, key: str, viewer: Viewer, rules: ContactRules) -> Contact:
    contact_id = await _visible_id(session, key, viewer, rules)
    try:
        return await contacts.get(session, contact_id)
    except ContactNotFound as exc:
        raise RecordNotFound(f"No account_user {key!r}.") from exc


async def change(session: AsyncSession, key: str, body: MemberChanges, rules: ContactRules) -> Contact:
    contact_id = await _visible_id(session, key, Viewer(staff=True), rules)
    return await contacts.update(session, contact_id, _fields(body), rules)


async def erase(session: AsyncSession, key: str, rules: ContactRules, bus: ActivityBus) -> None:
    """The member's personal data wiped, as for any contact (docs/PRIVACY.md)."""
    await contacts.erase(session, await _visible_id(session, key, Viewer(staff=True), rules), bus)


def _listed_by(viewer: Viewer) -> Select[Any]:
    # Admin lists read every shard; an end user's is their own row.
    stmt = select(Contact).where(LIVE)
    if viewer.staff:
        return stmt
    return stmt.where(false()) if viewer.member is None else stmt.where(Contact.id == viewer.member)


async def page(session: AsyncSession, listing: ListQuery, viewer: Viewer) -> RecordPage:
    stmt = _listed_by(viewer)
    rows = await repository.rows(session, page_statement(stmt, listing, MEMBER_FIELDS))
    total = (
        await repository.counted(session, count_statement(stmt, listing, MEMBER_FIELDS))
        if listing.fetch_total_count
        else None
    )
    return record_page([member_out(row) for row in rows], listing, total)
