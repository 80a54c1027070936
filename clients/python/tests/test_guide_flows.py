"""The integration guide's flows, done with the client against a real `patron serve` on
SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import pytest
from patron_client import (
    AlreadyMember,
    ApiError,
    AsyncPatron,
    ContactAlreadyExists,
    ContactNotFound,
    Patron,
    PromotionAlreadyRedeemed,
    ReceiptAlreadyExists,
)
from patron_client.models import (
    ChallengeLog,
    CheckpointAward,
    ContactChanges,
    CustomerEvent,
    NewContact,
    PointTransaction,
    Preferences,
    StreakLog,
)
from sales import receipt

from conftest import RunningPatron


def _email() -> str:
    return f"ann.{secrets.token_hex(4)}@example.com"


def test_a_new_customer_is_looked_up_created_remembered_updated_and_promoted(patron: RunningPatron) -> None:
    email = _email()
    with Patron(patron.url, patron.till_token) as till:
        assert till.find_contact_id("email", email) is None
        contact_id = till.find_or_create_contact(
            NewContact(
                email=email,
                first_name="Ann",
                contact_type="Subscriber",
                preferences=Preferences(accepts_email=True),
            )
        )
        # Found by Patron afterwards, in any case of the address, and remembered by the till.
        assert (
            patron.backoffice.http.get("/api/v3/contacts/id", params={"email": email.upper()}).json()
            == contact_id
        )
        assert till.contact_ids.get("email", email.upper()) == contact_id
        assert till.find_or_create_contact(NewContact(email=email)) == contact_id

        new_email = _email()
        updated = till.update_contact(contact_id, ContactChanges(email=new_email, city="Lund"))
        assert updated.attributes["email"] == new_email and updated.attributes["city"] == "Lund"
        assert till.contact_ids.get("email", email) is None
        assert till.contact_ids.get("email", new_email) == contact_id

        promoted = till.promote_to_member(contact_id)
        assert promoted.meta.contact_type == "Member"
        with pytest.raises(AlreadyMember):
            till.promote_to_member(contact_id)
        assert till.get_contact(contact_id).attributes["firstName"] == "Ann"


def test_another_till_creating_the_same_customer_first_gives_its_id(patron: RunningPatron) -> None:
    email = _email()
    first = patron.backoffice.contact(email=email)
    with Patron(patron.url, patron.till_token) as till:
        with pytest.raises(ContactAlreadyExists) as taken:
            till.create_contact(NewContact(email=email))
        assert taken.value.contact_id == first
        # The flow call takes that id instead of failing the sale.
        assert till.find_or_create_contact(NewContact(email=email)) == first


def test_an_erased_contact_is_forgotten_by_the_cache(patron: RunningPatron) -> None:
    email = _email()
    with Patron(patron.url, patron.till_token) as till:
        contact_id = till.find_or_create_contact(NewContact(email=email))
        assert patron.backoffice.http.delete(f"/api/v3/contacts/{contact_id}").status_code == 204
        with pytest.raises(ContactNotFound):
            till.get_contact(contact_id)
        assert till.contact_ids.get("email", email) is None


def test_a_receipt_is_stored_once_replayed_unchanged_and_refused_changed(patron: RunningPatron) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=_email())
    sale = receipt(f"R-{secrets.token_hex(5)}", store, contact_id)
    with Patron(patron.url, patron.till_token) as till:
        stored = till.send_receipt(sale)
        assert not stored.replayed and stored.contact_id == contact_id
        again = till.send_receipt(sale)
        assert again.replayed and again.id == stored.id
        with pytest.raises(ReceiptAlreadyExists):
            till.send_receipt(sale.model_copy(update={"total_gross_price": Decimal("1.00")}))
        history = till.purchase_history(contact_id)
    assert [item["id"] for item in history.items] == [stored.id]


def test_an_offer_is_shown_redeemed_once_and_linked_to_its_receipt(patron: RunningPatron) -> None:
    store = patron.backoffice.store()
    contact_id = patron.backoffice.contact(email=_email())
    promotion = patron.backoffice.active_promotion()
    first_offer = patron.backoffice.assign(contact_id, promotion)
    with Patron(patron.url, patron.till_token) as till:
        offers = till.offers_for(contact_id, "POS")
        assert [(offer.id, offer.redeemed) for offer in offers] == [(first_offer, False)]
        redeemed = till.redeem(first_offer, "POS")
        assert redeemed.redeemed and redeemed.redeemed_on
        with pytest.raises(PromotionAlreadyRedeemed):
            till.redeem(first_offer, "POS")
        # The guide's other way: name the offer on the receipt, which redeems it.
        second_offer = patron.backoffice.assign(contact_id, patron.backoffice.active_promotion())
        till.send_receipt(receipt(f"R-{secrets.token_hex(5)}", store, contact_id, offer=second_offer))
        assert {offer.id: offer.redeemed for offer in till.offers_for(contact_id)}[second_offer]


def test_checkpoints_and_point_transactions_are_applied(patron: RunningPatron) -> None:
    contact_id = patron.backoffice.contact(email=_email())
    card = patron.backoffice.stamp_card(stamps=5)
    points = patron.backoffice.point_definition()
    with Patron(patron.url, patron.till_token) as till:
        result = till.award_checkpoints(
            [CheckpointAward(definition_id=card, contact_id=contact_id, checkpoint_amount=2)]
        )
        assert (result.missing_contact_ids, result.missing_definition_ids, result.not_accepted) == (
            [],
            [],
            [],
        )
        credited = till.add_point_transactions(
            [
                PointTransaction(
                    contact_id=contact_id,
                    definition_id=points,
                    amount=Decimal(150),
                    source="till 7",
                    time_stamp=dt.datetime.now(dt.UTC),
                )
            ]
        )
        assert credited.not_accepted == [] and credited.missing_contact_ids == []
        too_much = till.add_point_transactions(
            [PointTransaction(contact_id=contact_id, definition_id=points, amount=Decimal(-1000))]
        )
        assert len(too_much.not_accepted) == 1
    [challenge] = patron.backoffice.challenges_of(contact_id)
    assert challenge["completedCheckpoints"] == 2
    balances = {
        account["definitionId"]: Decimal(str(account["balance"]))
        for account in patron.backoffice.point_accounts(contact_id)
    }
    assert balances[points] == 150


def test_challenge_and_streak_logs_are_stored_once(patron: RunningPatron) -> None:
    external_id = f"member-{secrets.token_hex(4)}"
    patron.backoffice.contact(externalId=external_id)
    challenge, streak = patron.backoffice.record_challenge(), patron.backoffice.record_streak()
    with Patron(patron.url, patron.till_token) as till:
        spent = till.log_challenge_activity(
            ChallengeLog(
                challenge_id=challenge,
                owned_by_id=external_id,
                unique_identifier=f"sale-{secrets.token_hex(4)}",
                activity_value=Decimal("120.50"),
                activity_at=dt.datetime.now(dt.UTC),
            )
        )
        assert spent.owned_by_id and spent.progress is not None
        walked = till.log_streak_activity(
            StreakLog(
                streak_id=streak,
                owned_by_id=external_id,
                unique_identifier="walk-1",
                activity_value=Decimal(3200),
            )
        )
        assert walked.id
        with pytest.raises(ApiError) as twice:
            till.log_streak_activity(
                StreakLog(
                    streak_id=streak,
                    owned_by_id=external_id,
                    unique_identifier="walk-1",
                    activity_value=Decimal(10),
                )
            )
        assert twice.value.status == 409


def test_an_event_is_stored_once_per_event_id(patron: RunningPatron) -> None:
    external_id = f"member-{secrets.token_hex(4)}"
    patron.backoffice.contact(externalId=external_id)
    event = CustomerEvent(
        event_name="app_opened",
        source_id=external_id,
        metadata={"screen": "offers"},
        event_id=f"ev-{secrets.token_hex(4)}",
    )
    with Patron(patron.url, patron.till_token) as app:
        first = app.send_event(event)
        again = app.send_event(event)
    assert (first.event_id, first.source_id, first.status) == (event.event_id, external_id, "received")
    assert again == first


async def test_the_async_client_makes_the_same_calls(patron: RunningPatron) -> None:
    store = patron.backoffice.store()
    email = _email()
    async with AsyncPatron(patron.url, patron.till_token) as shop:
        contact_id = await shop.find_or_create_contact(NewContact(email=email, first_name="Bo"))
        assert await shop.find_contact_id("email", email) == contact_id
        stored = await shop.send_receipt(receipt(f"W-{secrets.token_hex(5)}", store, contact_id))
        assert (await shop.send_receipt(receipt(stored.unique_receipt_id, store, contact_id))).replayed
        offer = patron.backoffice.assign(contact_id, patron.backoffice.active_promotion())
        assert [o.id for o in await shop.offers_for(contact_id)] == [offer]
        assert (await shop.redeem(offer)).redeemed
        promoted = await shop.promote_to_member(contact_id)
        assert promoted.meta.contact_type == "Member"
