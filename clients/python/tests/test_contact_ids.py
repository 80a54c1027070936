"""The contact ids a till remembers: found again by any spelling Patron matches, forgotten
when they expire, when the contact changes keys, and when Patron no longer knows them."""

from __future__ import annotations

import pytest
from patron_client import ContactIds
from patron_client.credentials import ApiKey
from patron_client.models import Contact


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _contact(contact_id: str, **attributes: str) -> Contact:
    meta = {"contactType": "Member", "createdOn": "2026-12-07", "modifiedOn": "2026-12-07"}
    return Contact.model_validate({"id": contact_id, "attributes": attributes, "meta": meta})


def test_an_id_is_found_by_email_in_any_case_and_by_phone_in_any_spacing() -> None:
    ids = ContactIds()
    ids.remember(_contact("c1", email="Anna@Example.com", mobilePhone="+46 70-123 45 67", cardId="CARD-9"))
    assert ids.get("email", "ANNA@example.COM") == "c1"
    assert ids.get("email", "\uff41nna@example.com") == "c1"  # a full-width a, as Patron folds it
    assert ids.get("mobilePhone", "+46701234567") == "c1"
    assert ids.get("cardId", "CARD-9") == "c1"
    assert ids.get("cardId", "card-9") is None  # a card number is matched as it is


def test_an_id_expires_after_its_ttl() -> None:
    clock = Clock()
    ids = ContactIds(ttl_seconds=60, clock=clock)
    ids.put("email", "anna@example.com", "c1")
    clock.now += 59
    assert ids.get("email", "anna@example.com") == "c1"
    clock.now += 1
    assert ids.get("email", "anna@example.com") is None
    assert len(ids) == 0


def test_a_contact_remembered_again_keeps_only_its_new_keys() -> None:
    ids = ContactIds()
    ids.remember(_contact("c1", email="old@example.com", externalId="ext-1"))
    ids.remember(_contact("c1", email="new@example.com", externalId="ext-1"))
    assert ids.get("email", "old@example.com") is None
    assert ids.get("email", "new@example.com") == "c1"
    ids.forget("c1")
    assert ids.get("externalId", "ext-1") is None


def test_the_oldest_entries_go_first_when_full() -> None:
    ids = ContactIds(max_entries=2)
    for n in range(3):
        ids.put("externalId", f"ext-{n}", f"c{n}")
    assert [ids.get("externalId", f"ext-{n}") for n in range(3)] == [None, "c1", "c2"]


def test_a_token_is_split_into_key_id_and_secret_and_never_shown() -> None:
    key = ApiKey.from_token("k_3f2a.s3cret.with.dots")
    assert (key.key_id, key.secret) == ("k_3f2a", "s3cret.with.dots")
    assert "s3cret" not in repr(key)
    with pytest.raises(ValueError):
        ApiKey.from_token("no-dot-here")
