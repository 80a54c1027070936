"""Use cases of the contacts flow: look up, create, read, update, erase, promote."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ActivityBus
from patron.config import Settings
from patron.contacts import repository
from patron.contacts.errors import AlreadyMember, ContactAlreadyExists, ContactNotFound, MultipleMatchesFound
from patron.contacts.keys import UNIQUE_KEYS, normalise_email, normalise_phone
from patron.contacts.schemas import ContactFields, ContactMeta, ContactOut, LookupKeys
from patron.errors import BadRequest, PatronError
from patron.kit import clock, ids
from patron.kit.bodies import log_ignored
from patron.kit.timefmt import local_iso
from patron.models import Contact
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ZONE, EventType, NewEvent, rendered
from patron.stores import service as stores

MEMBER = "Member"
DEFAULT_TYPE = "Contact"
# A lookup that matches several contacts names this many of them.
MAX_MATCHES_SHOWN = 100
_COLUMN_TO_WIRE = MappingProxyType({column: wire for wire, column in UNIQUE_KEYS.items()})


@dataclass(frozen=True)
class ContactRules:
    """What the deployment configures about contacts."""

    custom_attributes: frozenset[str]
    required_fields: tuple[str, ...]
    member_required_fields: tuple[str, ...]
    default_phone_region: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> ContactRules:
        return cls(
            frozenset(settings.contact_custom_attributes),
            tuple(settings.contact_required_fields),
            tuple(settings.member_required_fields),
            settings.default_phone_region or None,
        )


def contact_out(contact: Contact, zone: ZoneInfo) -> ContactOut:
    return ContactOut(
        id=contact.id,
        attributes=dict(contact.attributes),
        meta=ContactMeta(
            contactType=contact.contact_type,
            createdOn=local_iso(contact.created_on, zone) or "",
            modifiedOn=local_iso(contact.modified_on, zone) or "",
            storeExternalId=contact.store_external_id,
        ),
        preferences=dict(contact.preferences),
        consents=list(contact.consents),
    )


async def _tell(session: AsyncSession, event_type: EventType, contact: Contact) -> None:
    """The contact as the API renders it, as an event in this transaction."""
    data = rendered(contact_out(contact, EVENT_ZONE))
    await outbox.record(session, [NewEvent(event_type, data, contact.id)])


def _invalid(field: str, message: str) -> PatronError:
    return BadRequest(f"{field}: {message}", details=[{"field": field, "message": message}])


def _attributes_of(fields: ContactFields, rules: ContactRules, *, only_set: bool) -> dict[str, Any]:
    """The attribute changes a request carries, validated and normalised (None clears)."""
    sent = fields.model_fields_set if only_set else set(type(fields).model_fields)
    attributes: dict[str, Any] = {}
    for name in sent:
        if name in ("preferences", "consents", "contactType"):
            continue
        value = getattr(fields, name)
        attributes[name] = value.isoformat() if hasattr(value, "isoformat") else value
    custom = fields.custom_attributes()
    unknown = [name for name in custom if name not in rules.custom_attributes]
    if unknown:
        # An attribute that is neither Patron's nor configured is ignored, as every unknown
        # field of an Engage body is (kit/bodies.py): never stored, its name logged.
        log_ignored(type(fields).__name__, unknown)
    for name, value in custom.items():
        if name in unknown:
            continue
        if not isinstance(value, str | int | float | bool | None) or (
            isinstance(value, str) and len(value) > 1000
        ):
            raise _invalid(
                name, "a custom attribute is a string of at most 1000 characters, a number or a boolean"
            )
        attributes[name] = value
    if attributes.get("mobilePhone") is not None:
        try:
            attributes["mobilePhone"] = normalise_phone(attributes["mobilePhone"], rules.default_phone_region)
        except ValueError as exc:
            raise _invalid("mobilePhone", str(exc)) from exc
    return attributes


def _missing(attributes: dict[str, Any], required: tuple[str, ...]) -> list[str]:
    return [name for name in required if attributes.get(name) in (None, "")]


def _unique_keys(attributes: dict[str, Any]) -> dict[str, str]:
    return {
        column: attributes[wire] for wire, column in UNIQUE_KEYS.items() if attributes.get(wire) is not None
    }


async def _refuse_taken_keys(
    session: AsyncSession, keys: dict[str, str], excluding: uuid.UUID | None = None
) -> None:
    held = await repository.holders_of(session, keys, excluding=excluding)
    if held:
        column, holder = held[0]
        raise ContactAlreadyExists(
            f"Another contact has this {_COLUMN_TO_WIRE[column]}.",
            details={"contactId": str(holder), "key": _COLUMN_TO_WIRE[column]},
        )


async def _flush_guarding_keys(
    session: AsyncSession, contact: Contact, keys: dict[str, str], *, new: bool
) -> None:
    """Write under a savepoint: a concurrent writer may take a key after our check."""
    try:
        async with session.begin_nested():
            if new:
                repository.add(session, contact)
    except IntegrityError as exc:
        await _refuse_taken_keys(session, keys, excluding=contact.id)
        raise ContactAlreadyExists(details={"contactId": None, "key": None}) from exc


def _write_attributes(contact: Contact, attributes: dict[str, Any]) -> None:
    merged = {**contact.attributes, **attributes}
    contact.attributes = {name: value for name, value in merged.items() if value is not None}
    for wire, column in UNIQUE_KEYS.items():
        setattr(contact, column, contact.attributes.get(wire))


def _write_extras(contact: Contact, fields: ContactFields) -> None:
    if fields.preferences is not None:
        contact.preferences = {
            **contact.preferences,
            **fields.preferences.model_dump(exclude_none=True),
        }
    if fields.consents is not None:
        by_id = {consent["id"]: consent for consent in contact.consents}
        by_id.update({consent.id: consent.model_dump() for consent in fields.consents})
        contact.consents = list(by_id.values())


async def lookup_id(session: AsyncSession, query: LookupKeys, rules: ContactRules) -> uuid.UUID:
    matches: dict[str, Any] = {}
    for wire, column in UNIQUE_KEYS.items():
        value = getattr(query, wire)
        if value:
            matches[column] = _normalised_for_lookup(wire, value, rules)
    if query.any:
        for wire, column in UNIQUE_KEYS.items():
            matches.setdefault(column, _normalised_for_lookup(wire, query.any, rules))
    matches = {column: value for column, value in matches.items() if value is not None}
    if not matches and not (query.any or any(getattr(query, wire) for wire in UNIQUE_KEYS)):
        raise BadRequest(
            "Give one of email, mobilePhone, externalId, memberNumber, cardId or any.",
            details=[{"field": "query", "message": "no lookup key"}],
        )
    # Any key may name a different contact (`any` above all): then the caller must choose.
    found = await repository.find_ids(session, matches, query.contactType, limit=MAX_MATCHES_SHOWN)
    if not found:
        raise ContactNotFound()
    if len(found) > 1:
        raise MultipleMatchesFound(
            f"{len(found)} contacts match; look up by a key only one of them holds.",
            details={"multipleMatchesFound": [str(contact_id) for contact_id in found]},
        )
    return found[0]


def _normalised_for_lookup(wire: str, value: str, rules: ContactRules) -> str | None:
    """A lookup value in stored form; None when it cannot be that kind of key."""
    try:
        if wire == "email":
            return normalise_email(value)
        if wire == "mobilePhone":
            return normalise_phone(value, rules.default_phone_region)
    except ValueError:
        return None
    return value.strip()


async def count(session: AsyncSession, contact_type: str | None = None) -> int:
    return await repository.count(session, contact_type)


async def get(session: AsyncSession, contact_id: uuid.UUID) -> Contact:
    contact = await repository.get(session, contact_id)
    if contact is None:
        raise ContactNotFound(f"No contact {contact_id}.")
    return contact


async def ensure_exists(session: AsyncSession, contact_id: uuid.UUID) -> None:
    if not await repository.exists(session, contact_id):
        raise ContactNotFound(f"No contact {contact_id}.")


async def lock_present(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """Lock the contact for the rest of the transaction: 404 ContactNotFound when it is absent."""
    if not await repository.lock_present(session, contact_id):
        raise ContactNotFound(f"No contact {contact_id}.")


async def existing_ids(session: AsyncSession, contact_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return await repository.existing_ids(session, contact_ids)


def stored_key(wire_key: str, value: str, rules: ContactRules) -> tuple[str, str] | None:
    """(column, value in stored form) a contact is found by through its unique key `wire_key`;
    None when `value` cannot be that kind of key, so no contact has it (a receipt's contact)."""
    normalised = _normalised_for_lookup(wire_key, value, rules)
    return None if normalised is None else (UNIQUE_KEYS[wire_key], normalised)


async def create(
    session: AsyncSession, fields: ContactFields, rules: ContactRules, store_external_id: str | None = None
) -> Contact:
    attributes = _attributes_of(fields, rules, only_set=False)
    keys = _unique_keys(attributes)
    contact_type = fields.contactType or DEFAULT_TYPE
    required = rules.required_fields + (rules.member_required_fields if contact_type == MEMBER else ())
    missing = _missing(attributes, required)
    if missing:
        raise BadRequest(
            f"Missing mandatory fields: {', '.join(missing)}.",
            details=[{"field": name, "message": "mandatory"} for name in missing],
        )
    if not keys:
        raise BadRequest(
            "A contact needs at least one unique key: email, mobilePhone, externalId, memberNumber or cardId.",
            details=[{"field": "email", "message": "no unique key given"}],
        )
    if store_external_id is not None:
        await stores.get(session, store_external_id)
    await _refuse_taken_keys(session, keys)
    now = clock.now()
    contact = Contact(
        id=ids.new_id(),
        contact_type=contact_type,
        attributes={},
        preferences={},
        consents=[],
        store_external_id=store_external_id,
        created_on=now,
        modified_on=now,
    )
    _write_attributes(contact, attributes)
    _write_extras(contact, fields)
    await _flush_guarding_keys(session, contact, keys, new=True)
    await _tell(session, EventType.CONTACT_CREATED, contact)
    return contact


async def update(
    session: AsyncSession, contact_id: uuid.UUID, fields: ContactFields, rules: ContactRules
) -> Contact:
    contact = await get(session, contact_id)
    attributes = _attributes_of(fields, rules, only_set=True)
    merged = {**contact.attributes, **attributes}
    required = rules.required_fields + (
        rules.member_required_fields if (fields.contactType or contact.contact_type) == MEMBER else ()
    )
    missing = _missing(merged, required)
    if missing:
        raise BadRequest(
            f"Mandatory fields cannot be removed: {', '.join(missing)}.",
            details=[{"field": name, "message": "mandatory"} for name in missing],
        )
    if not _unique_keys(merged):
        raise BadRequest(
            "A contact keeps at least one unique key.",
            details=[{"field": "email", "message": "last unique key removed"}],
        )
    keys = _unique_keys(attributes)
    await _refuse_taken_keys(session, keys, excluding=contact.id)
    _write_attributes(contact, attributes)
    _write_extras(contact, fields)
    if fields.contactType:
        contact.contact_type = fields.contactType
    contact.modified_on = clock.now()
    await _flush_guarding_keys(session, contact, keys, new=False)
    await _tell(session, EventType.CONTACT_UPDATED, contact)
    return contact


async def upsert(session: AsyncSession, fields: ContactFields, rules: ContactRules) -> tuple[Contact, bool]:
    """Create, or update the contact holding one of the row's unique keys (bulk import)."""
    keys = _unique_keys(_attributes_of(fields, rules, only_set=True))
    holders = {holder for _, holder in await repository.holders_of(session, keys)}
    if len(holders) > 1:
        raise ContactAlreadyExists(
            "The row's unique keys belong to different contacts.",
            details={"contactIds": sorted(str(holder) for holder in holders)},
        )
    if holders:
        return await update(session, holders.pop(), fields, rules), False
    return await create(session, fields, rules), True


async def erase(session: AsyncSession, contact_id: uuid.UUID, bus: ActivityBus) -> None:
    """Wipe personal data; the row stays so receipts and rewards keep an anonymous reference.
    Every other place that keeps the contact's data hears of it on `bus`, in this transaction."""
    contact = await get(session, contact_id)
    contact.attributes = {}
    contact.preferences = {}
    contact.consents = []
    for column in UNIQUE_KEYS.values():
        setattr(contact, column, None)
    erased_on = contact.erased_on = contact.modified_on = clock.now()
    await session.flush()
    await bus.publish_erasure(session, contact_id)
    # Told after the subscribers ran: the erasure event is the one not redacted, and it holds
    # nothing but the id and the instant.
    data = {"id": str(contact_id), "erasedOn": local_iso(erased_on, EVENT_ZONE)}
    await outbox.record(session, [NewEvent(EventType.CONTACT_ERASED, data, contact_id, erased_on)])


async def promote_to_member(
    session: AsyncSession, contact_id: uuid.UUID, fields: ContactFields, rules: ContactRules
) -> Contact:
    contact = await get(session, contact_id)
    if contact.contact_type == MEMBER:
        raise AlreadyMember()
    promoted = fields.model_copy(update={"contactType": MEMBER})
    promoted.model_fields_set.add("contactType")
    return await update(session, contact_id, promoted, rules)
