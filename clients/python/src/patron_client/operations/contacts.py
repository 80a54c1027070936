"""Contact calls of the integration guide: look up, create, read, update, promote."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx

from patron_client.models.contacts import Contact, ContactChanges, LookupKeyType, NewContact
from patron_client.operations.answers import model_of
from patron_client.request import Call, Operation, json_body


def _contact_path(contact_id: str) -> str:
    return f"/contacts/{quote(contact_id, safe='')}"


def _read_id(response: httpx.Response) -> str:
    found = json.loads(response.content)
    if not isinstance(found, str):
        raise ValueError(f"expected a contact id, got {response.text[:200]!r}")
    return found


def find_contact_id(key: LookupKeyType, value: str, contact_type: str | None = None) -> Operation[str]:
    params = ((key, value),) + ((("contactType", contact_type),) if contact_type else ())
    return Operation(Call("GET", "/contacts/id", params=params, kind="contact lookup"), _read_id)


def create_contact(contact: NewContact, store_external_id: str | None = None) -> Operation[Contact]:
    params = (("storeExternalId", store_external_id),) if store_external_id else ()
    call = Call("POST", "/contacts", params=params, body=json_body(contact), kind="contact create")
    return Operation(call, model_of(Contact))


def get_contact(contact_id: str) -> Operation[Contact]:
    return Operation(Call("GET", _contact_path(contact_id), kind="contact read"), model_of(Contact))


def update_contact(contact_id: str, changes: ContactChanges) -> Operation[Contact]:
    body = json_body(changes, only_set=True)
    call = Call("PATCH", _contact_path(contact_id), body=body, kind="contact update")
    return Operation(call, model_of(Contact))


def promote_to_member(contact_id: str, fields: ContactChanges | None = None) -> Operation[Contact]:
    """Contact type `Member`, with the fields a member must have that it lacks."""
    body = json_body(fields or ContactChanges(), only_set=True)
    call = Call("POST", f"{_contact_path(contact_id)}/promote-to-member", body=body, kind="contact promote")
    return Operation(call, model_of(Contact))
