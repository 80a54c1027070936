"""The generated Engage v2 Python client (`voyado-engage-client`, unmodified) against a real
`patron serve`: every call of it that touches a Patron feature, each a test, on both
databases. docs/COMPATIBILITY.md lists every call of the client and what becomes of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from voyado_engage_sdk import VoyadoEngageSdk
from voyado_engage_sdk.models import (
    ApiStore,
    AssignDateRange,
    CartApiModel,
    CartItemApiModel,
    ChallengeCheckPointDto,
    IApiContact,
    InteractionModel,
    InteractionSchemaModel,
    MultichannelBasePromotionModel,
    MultichannelPromotionModel,
    MultichannelPromotionRedemptionChannelModel,
    Order,
    OrderContact,
    OrderItem,
    OrderPaymentMethod,
    PointTransactionToAccount,
    ProductViewApiModel,
    PromotionBasicPresentationModel,
    PromotionValidityModel,
    Receipt,
    ReceiptContact,
    ReceiptItem,
    ReceiptPaymentMethod,
    Utm,
)
from voyado_engage_sdk.models.base import BaseModel as ClientModel
from voyado_engage_sdk.net.transport.request_error import RequestError

from tests.engage_clients.conftest import Served, World


class Attributes(ClientModel):
    """A contact body. The client types these bodies `any`, and its argument casting calls
    `any(**body)` on a plain dict, so an integration hands it a model of its own: anything
    with the `_map` the client serialises bodies by."""

    def __init__(self, **attributes: Any) -> None:
        self.attributes = attributes

    def _map(self) -> dict[str, Any]:
        return self.attributes


class Rows(ClientModel):
    """A bulk body (a list), for the same reason."""

    def __init__(self, *rows: dict[str, Any]) -> None:
        self.rows = list(rows)

    def _map(self) -> list[dict[str, Any]]:
        return self.rows


def _receipt(world: World, unique_id: str) -> Receipt:
    return Receipt(
        contact=ReceiptContact(match_key=world.contact_id, match_key_type="ContactId"),
        unique_receipt_id=unique_id,
        receipt_number="1001",
        created_date="2026-11-20T14:05:00+01:00",
        store_external_id=world.store,
        currency="SEK",
        total_gross_price=100.0,
        payment_methods=[ReceiptPaymentMethod(type_="Card", value=100.0)],
        items=[
            ReceiptItem(
                type_="PURCHASE",
                sku="SKU-1",
                quantity=1,
                gross_paid_price=100.0,
                tax_amount=20.0,
                tax_percent=25.0,
                article_number="A-1",
                article_name="Trail shoe",
            )
        ],
    )


def _account_id(sdk: VoyadoEngageSdk, world: World) -> int:
    accounts = sdk.point_accounts.point_account_point_account_get2(world.contact_id)
    [account] = [a for a in accounts.items if a.definition_id == world.point_definition_id]
    return int(account.id_)


# Contacts


def test_contacts_v_get_contact_by_id(sdk: VoyadoEngageSdk, world: World) -> None:
    contact = sdk.contacts.contacts_v_get_contact_by_id(world.contact_id)
    assert isinstance(contact, IApiContact)
    assert (contact.id_, contact.attributes["email"]) == (world.contact_id, world.email)


def test_contacts_v_create_contact_header_param(sdk: VoyadoEngageSdk, world: World) -> None:
    created = sdk.contacts.contacts_v_create_contact_header_param(
        Attributes(email=f"new-{world.tag}@example.com", firstName="Bo"),
        source="webshop",
        store_external_id=world.store,
        create_as_unapproved="false",
    )
    assert created.attributes["firstName"] == "Bo"
    assert created.meta["storeExternalId"] == world.store


def test_contacts_v_update_contact_post(sdk: VoyadoEngageSdk, world: World) -> None:
    updated = sdk.contacts.contacts_v_update_contact_post(Attributes(lastName="Lind"), world.contact_id)
    assert (updated.attributes["firstName"], updated.attributes["lastName"]) == ("Ann", "Lind")


def test_contacts_v_delete_with_header_param(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    sdk.contacts.contacts_v_delete_with_header_param(world.contact_id, source="helpdesk")
    assert served.v3.get(f"/api/v3/contacts/{world.contact_id}").status_code == 404


def test_contacts_v_promote_to_member(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    prospect = served.made(
        "/contacts", {"email": f"p-{world.tag}@example.com", "contactType": "Contact"}, 201
    )
    promoted = sdk.contacts.contacts_v_promote_to_member(Attributes(), prospect["id"], source="pos")
    assert promoted.meta["contactType"] == "Member"


def test_contact_overview_get_contact_id_async(sdk: VoyadoEngageSdk, world: World) -> None:
    assert sdk.contacts.contact_overview_get_contact_id_async(email=world.email) == world.contact_id
    assert sdk.contacts.contact_overview_get_contact_id_async(any=world.external_id) == world.contact_id


def test_contact_overview_get_contact_id_async_several_matches(
    sdk: VoyadoEngageSdk, world: World, served: Served
) -> None:
    other = served.made("/contacts", {"email": f"o-{world.tag}@example.com", "externalId": world.email}, 201)
    with pytest.raises(RequestError) as refused:
        sdk.contacts.contact_overview_get_contact_id_async(any=world.email)
    assert refused.value.status == 409
    body = refused.value.response.body
    assert sorted(body["messageDetails"]["multipleMatchesFound"]) == sorted([world.contact_id, other["id"]])


def test_contacts_v_count(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    before = sdk.contacts.contacts_v_count()
    served.made("/contacts", {"email": f"count-{world.tag}@example.com"}, 201)
    assert sdk.contacts.contacts_v_count() == before + 1


def test_contacts_v_count_by_contact_type(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    before = sdk.contacts.contacts_v_count_by_contact_type("Contact")
    served.made("/contacts", {"email": f"type-{world.tag}@example.com", "contactType": "Contact"}, 201)
    assert sdk.contacts.contacts_v_count_by_contact_type("Contact") == before + 1


def test_contacts_v_get_contact_by_type_and_key_value_async(sdk: VoyadoEngageSdk, world: World) -> None:
    contact = sdk.contacts.contacts_v_get_contact_by_type_and_key_value_async("Contact", world.email)
    assert contact.id_ == world.contact_id


def test_contacts_v_get_contact_by_type_and_key_value_in_url_async(
    sdk: VoyadoEngageSdk, world: World
) -> None:
    contact = sdk.contacts.contacts_v_get_contact_by_type_and_key_value_in_url_async(
        "Contact", world.external_id
    )
    assert contact.id_ == world.contact_id


def test_contacts_v_get_contact_by_external_id_async(sdk: VoyadoEngageSdk, world: World) -> None:
    contact = sdk.contacts.contacts_v_get_contact_by_external_id_async("Contact", world.external_id)
    assert contact.id_ == world.contact_id
    with pytest.raises(RequestError) as other_type:
        sdk.contacts.contacts_v_get_contact_by_external_id_async("Member", world.external_id)
    assert other_type.value.status == 404


def test_contact_bulk_create_contacts_in_bulk_and_status(sdk: VoyadoEngageSdk, world: World) -> None:
    batch = sdk.contacts.contact_bulk_create_contacts_in_bulk(
        Rows({"email": f"bulk-{world.tag}@example.com"})
    )
    status = sdk.contacts.contact_bulk_get_bulk_status(batch["batchId"])
    assert status["batchId"] == batch["batchId"]
    assert status["total"] == 1


def test_transactions_get_transactions_by_contact_id(sdk: VoyadoEngageSdk, world: World) -> None:
    sdk.transactions.import_transactions_import_receipts(_receipt(world, f"R-{world.tag}"))
    page = sdk.contacts.transactions_get_transactions_by_contact_id(world.contact_id)
    assert page.total_count == 1
    assert page.items[0].transaction_number == "1001"


def test_offer_promotions_get_promotions_for_contact(
    sdk: VoyadoEngageSdk, world: World, served: Served
) -> None:
    served.made("/promotion-assignments", {"contactId": world.contact_id, "promotionId": world.promotion_id})
    [offer] = sdk.contacts.offer_promotions_get_promotions_for_contact(world.contact_id)
    assert (offer.promotion_id, offer.redeemed) == (world.promotion_id, False)


def test_assign_promotion_assign(sdk: VoyadoEngageSdk, world: World) -> None:
    assigned = sdk.contacts.assign_promotion_assign(world.contact_id, world.promotion_id)
    assert assigned["promotionId"] == world.promotion_id
    [offer] = sdk.contacts.offer_promotions_get_promotions_for_contact(world.contact_id)
    assert offer.id_ == assigned["id"]


def test_offer_promotions_redeem(sdk: VoyadoEngageSdk, world: World) -> None:
    assigned = sdk.contacts.assign_promotion_assign(world.contact_id, world.promotion_id)
    from voyado_engage_sdk.models import RedeemBodyModel

    sdk.contacts.offer_promotions_redeem(
        RedeemBodyModel(redemption_channel="POS"), world.contact_id, assigned["id"]
    )
    [offer] = sdk.contacts.offer_promotions_get_promotions_for_contact(world.contact_id)
    assert offer.redeemed is True


# Receipts


def test_import_transactions_import_receipts(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    stored = sdk.transactions.import_transactions_import_receipts(_receipt(world, f"R2-{world.tag}"))
    again = served.v3.get(f"/api/v3/receipts/{stored['id']}").json()
    assert again["uniqueReceiptId"] == f"R2-{world.tag}"


# Promotions


def _channels(value: str) -> list[MultichannelPromotionRedemptionChannelModel]:
    return [MultichannelPromotionRedemptionChannelModel(type_="POS", value_type="PERCENT", value=value)]


def _new_promotion(world: World, suffix: str) -> MultichannelBasePromotionModel:
    return MultichannelBasePromotionModel(
        name="Spring",
        external_id=f"{world.promotion_external_id}-{suffix}",
        validity=PromotionValidityModel(
            start_date="2026-03-01", assigned_validity=AssignDateRange(unit="Months", amount=2)
        ),
        presentation=PromotionBasicPresentationModel(heading="Spring", description="All shoes"),
        redemption_channels=_channels("20"),
    )


def test_multichannel_promotions_create(sdk: VoyadoEngageSdk, world: World) -> None:
    created = sdk.promotions.multichannel_promotions_create(_new_promotion(world, "new"))
    assert isinstance(created, MultichannelPromotionModel)
    assert (created.status, created.redemption_channels[0].value) == ("Draft", 20)


def test_multichannel_promotions_get_by_id(sdk: VoyadoEngageSdk, world: World) -> None:
    promotion = sdk.promotions.multichannel_promotions_get_by_id(world.promotion_id)
    assert (promotion.external_id, promotion.status) == (world.promotion_external_id, "Active")
    assert promotion.presentation.heading == "20% off"


def test_multichannel_promotions_get_by_external_id(sdk: VoyadoEngageSdk, world: World) -> None:
    promotion = sdk.promotions.multichannel_promotions_get_by_external_id(world.promotion_external_id)
    assert promotion.id_ == world.promotion_id


def test_multichannel_promotions_get_validity_by_id(sdk: VoyadoEngageSdk, world: World) -> None:
    validity = sdk.promotions.multichannel_promotions_get_validity_by_id(world.promotion_id)
    assert (validity.assigned_validity.unit, validity.assigned_validity.amount) == ("Months", 3)


def test_multichannel_promotions_get_by_validity_external_id(sdk: VoyadoEngageSdk, world: World) -> None:
    validity = sdk.promotions.multichannel_promotions_get_by_validity_external_id(world.promotion_external_id)
    assert validity.start_date.startswith("2020-03-18")


def test_multichannel_promotions_update(sdk: VoyadoEngageSdk, world: World) -> None:
    draft = sdk.promotions.multichannel_promotions_create(_new_promotion(world, "upd"))
    draft.name = "Summer"
    draft.redemption_channels = _channels("25")
    updated = sdk.promotions.multichannel_promotions_update(draft, draft.id_)
    assert (updated.name, updated.redemption_channels[0].value) == ("Summer", 25)


def test_multichannel_promotions_update_validity(sdk: VoyadoEngageSdk, world: World) -> None:
    draft = sdk.promotions.multichannel_promotions_create(_new_promotion(world, "val"))
    validity = PromotionValidityModel(
        start_date="2026-04-01", assigned_validity=AssignDateRange(unit="Days", amount=10)
    )
    updated = sdk.promotions.multichannel_promotions_update_validity(validity, draft.id_)
    assert updated.validity.assigned_validity.unit == "Days"


def test_multichannel_promotions_delete_by_id(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    draft = sdk.promotions.multichannel_promotions_create(_new_promotion(world, "del"))
    answer = sdk.promotions.multichannel_promotions_delete_by_id(draft.id_)
    assert answer.status_code == "OK"
    assert served.v3.get(f"/api/v3/promotions/multichannels/{draft.id_}").status_code == 404


def test_multichannel_promotions_delete_by_external_id(
    sdk: VoyadoEngageSdk, world: World, served: Served
) -> None:
    draft = sdk.promotions.multichannel_promotions_create(_new_promotion(world, "dex"))
    answer = sdk.promotions.multichannel_promotions_delete_by_external_id(draft.external_id)
    assert answer.status_code == "OK"
    assert served.v3.get(f"/api/v3/promotions/multichannels/{draft.id_}").status_code == 404


# Challenges


def test_challenge_get_challenge_definitions(sdk: VoyadoEngageSdk, world: World) -> None:
    page = sdk.challenges.challenge_get_challenge_definitions(status="Active", count=1000)
    [mine] = [d for d in page.items if d.id_ == world.definition_id]
    assert (mine.status, mine.checkpoint_assign_on) == ("Active", "None")


def test_challenge_get_challenge_definition_by_id(sdk: VoyadoEngageSdk, world: World) -> None:
    definition = sdk.challenges.challenge_get_challenge_definition_by_id(world.definition_id)
    assert (definition.required_number_of_checkpoints, definition.status) == (5, "Active")


def test_challenge_consent(sdk: VoyadoEngageSdk, world: World) -> None:
    assert sdk.challenges.challenge_consent(world.definition_id, world.contact_id) is True
    assert sdk.challenges.challenge_consent(world.definition_id, world.contact_id) is True


def test_challenge_add_challenge_check_points(sdk: VoyadoEngageSdk, world: World) -> None:
    rows = [
        ChallengeCheckPointDto(
            definition_id=world.definition_id, contact_id=world.contact_id, checkpoint_amount=2
        )
    ]
    result = sdk.challenges.challenge_add_challenge_check_points(rows)
    assert (result.missing_contact_ids, result.not_accepted) == ([], [])


def test_challenge_get_challenges(sdk: VoyadoEngageSdk, world: World) -> None:
    rows = [
        ChallengeCheckPointDto(
            definition_id=world.definition_id, contact_id=world.contact_id, checkpoint_amount=2
        )
    ]
    sdk.challenges.challenge_add_challenge_check_points(rows)
    page = sdk.challenges.challenge_get_challenges(world.contact_id, definition_id=world.definition_id)
    [challenge] = page.items
    assert (challenge.completed_checkpoints, challenge.status) == (2, "Active")


def test_challenge_get_challenge_by_id(sdk: VoyadoEngageSdk, world: World) -> None:
    sdk.challenges.challenge_consent(world.definition_id, world.contact_id)
    [listed] = sdk.challenges.challenge_get_challenges(
        world.contact_id, definition_id=world.definition_id
    ).items
    challenge = sdk.challenges.challenge_get_challenge_by_id(listed.id_)
    assert (challenge.challenge_id, challenge.status) == (world.definition_id, "Active")


# Point accounts


def test_point_account_point_definitions(sdk: VoyadoEngageSdk, world: World) -> None:
    definitions = sdk.point_accounts.point_account_point_definitions(count=1000)
    assert world.point_definition_id in [d.id_ for d in definitions]


def test_point_account_point_definition(sdk: VoyadoEngageSdk, world: World) -> None:
    definition = sdk.point_accounts.point_account_point_definition(world.point_definition_id)
    assert definition.name == f"Bonus {world.tag}"


def test_point_account_point_account_get2(sdk: VoyadoEngageSdk, world: World) -> None:
    """Every contact holds an account in every definition from the start, at 0."""
    accounts = sdk.point_accounts.point_account_point_account_get2(world.contact_id)
    [account] = [a for a in accounts.items if a.definition_id == world.point_definition_id]
    assert account.balance == 0


def test_point_account_point_account_get(sdk: VoyadoEngageSdk, world: World) -> None:
    account_id = _account_id(sdk, world)
    account = sdk.point_accounts.point_account_point_account_get(account_id)
    assert (account.contact_id, account.definition_id) == (world.contact_id, world.point_definition_id)


def test_point_account_add_point_transactions(sdk: VoyadoEngageSdk, world: World) -> None:
    row = PointTransactionToAccount(
        contact_id=world.contact_id, amount=150.0, definition_id=world.point_definition_id
    )
    key = f"points-{world.tag}"
    first = sdk.point_accounts.point_account_add_point_transactions([row], idempotency_key=key)
    again = sdk.point_accounts.point_account_add_point_transactions([row], idempotency_key=key)
    assert first.not_accepted == again.not_accepted == []
    assert sdk.point_accounts.point_account_point_account_get(_account_id(sdk, world)).balance == 150


def test_point_account_point_transactions2(sdk: VoyadoEngageSdk, world: World) -> None:
    row = PointTransactionToAccount(
        contact_id=world.contact_id,
        amount=40.0,
        definition_id=world.point_definition_id,
        description="Welcome",
    )
    sdk.point_accounts.point_account_add_point_transactions([row], idempotency_key=f"tx-{world.tag}")
    page = sdk.point_accounts.point_account_point_transactions2(
        contact_id=world.contact_id, definition_id=world.point_definition_id, filter="Active"
    )
    assert [(t.amount, t.description) for t in page.items] == [(40, "Welcome")]


def test_point_account_point_transactions(sdk: VoyadoEngageSdk, world: World) -> None:
    row = PointTransactionToAccount(
        contact_id=world.contact_id, amount=7.0, definition_id=world.point_definition_id
    )
    sdk.point_accounts.point_account_add_point_transactions([row], idempotency_key=f"one-{world.tag}")
    [listed] = sdk.point_accounts.point_account_point_transactions2(account_id=_account_id(sdk, world)).items
    transaction = sdk.point_accounts.point_account_point_transactions(listed.id_)
    assert (transaction.id_, transaction.amount) == (listed.id_, 7)


# Interactions and their schemas


def _interaction(world: World, **payload: Any) -> InteractionModel:
    return InteractionModel(
        contact_id=world.contact_id,
        schema_id=world.schema_id,
        created_date="2026-12-01T10:00:00Z",
        payload=payload or {"sku": "SKU-1", "reason": "too small"},
    )


def test_interaction_schema_create_interaction_schema(sdk: VoyadoEngageSdk, world: World) -> None:
    schema = InteractionSchemaModel(
        id_=f"visit-{world.tag}", display_name="Service visit", json_schema={"type": "object"}
    )
    created = sdk.interactionschemas.interaction_schema_create_interaction_schema(schema)
    assert created.id_ == f"visit-{world.tag}"
    assert created.self_.href.endswith(f"/api/v2/interactionschemas/visit-{world.tag}")


def test_interaction_schema_get_interaction_schemas(sdk: VoyadoEngageSdk, world: World) -> None:
    schemas = sdk.interactionschemas.interaction_schema_get_interaction_schemas()
    assert ("Return", world.schema_id) in [(s.display_name, s.id_) for s in schemas]


def test_interaction_schema_get_interaction_schema(sdk: VoyadoEngageSdk, world: World) -> None:
    schema = sdk.interactionschemas.interaction_schema_get_interaction_schema(world.schema_id)
    assert schema.json_schema["required"] == ["sku"]


def test_interaction_schema_delete_interaction_schema(
    sdk: VoyadoEngageSdk, world: World, served: Served
) -> None:
    sdk.interactionschemas.interaction_schema_create_interaction_schema(
        InteractionSchemaModel(id_=f"gone-{world.tag}", display_name="Gone", json_schema={"type": "object"})
    )
    sdk.interactionschemas.interaction_schema_delete_interaction_schema(f"gone-{world.tag}")
    assert served.v3.get(f"/api/v3/interactionschemas/gone-{world.tag}").status_code == 404


def test_interaction_create_interaction(sdk: VoyadoEngageSdk, world: World) -> None:
    created = sdk.interactions.interaction_create_interaction(_interaction(world))
    assert created.self_.contact_id == world.contact_id
    assert created.self_.href.endswith(f"/api/v2/interactions/{created.id_}")


def test_interaction_create_interaction_refuses_a_payload_its_schema_does_not_allow(
    sdk: VoyadoEngageSdk, world: World
) -> None:
    with pytest.raises(RequestError) as refused:
        sdk.interactions.interaction_create_interaction(_interaction(world, sku=12))
    assert refused.value.status == 400
    assert refused.value.response.body["details"][0]["field"] == "payload.sku"


def test_interaction_get_interaction(sdk: VoyadoEngageSdk, world: World) -> None:
    created = sdk.interactions.interaction_create_interaction(_interaction(world))
    read = sdk.interactions.interaction_get_interaction(created.id_)
    assert (read.schema_id, read.payload["reason"]) == (world.schema_id, "too small")


def test_interaction_get_interactions(sdk: VoyadoEngageSdk, world: World) -> None:
    for day in ("01", "03", "02"):
        made = _interaction(world, sku=f"SKU-{day}")
        made.created_date = f"2026-12-{day}T10:00:00Z"
        sdk.interactions.interaction_create_interaction(made)
    page = sdk.interactions.interaction_get_interactions(world.contact_id, world.schema_id)
    assert [i.payload["sku"] for i in page.items] == ["SKU-03", "SKU-02", "SKU-01"]


def test_interaction_delete_interaction(sdk: VoyadoEngageSdk, world: World) -> None:
    created = sdk.interactions.interaction_create_interaction(_interaction(world))
    sdk.interactions.interaction_delete_interaction(created.id_)
    with pytest.raises(RequestError) as gone:
        sdk.interactions.interaction_get_interaction(created.id_)
    assert gone.value.status == 404


# Orders and tracking


def _order(world: World, status: str) -> Order:
    return Order(
        contact=OrderContact(match_key=world.email, match_key_type="Email"),
        order_number=f"O-{world.tag}",
        order_status=status,
        payment_status="Paid",
        created_date="2026-12-01T10:00:00+01:00",
        store_id=world.store,
        currency="SEK",
        total_gross_price=299.0,
        items=[
            OrderItem(
                type_="PURCHASE", sku="SKU-1", quantity=1.0, gross_paid_price=299.0, description="Trail shoe"
            )
        ],
        payment_methods=[OrderPaymentMethod(type_="Card", value=299.0)],
    )


def test_orders_register_order(sdk: VoyadoEngageSdk, world: World, served: Served) -> None:
    answer = sdk.orders.orders_register_order(_order(world, "Confirmed"))
    assert answer.status_code == "Accepted"
    sdk.orders.orders_register_order(_order(world, "Shipped"))
    orders = served.v3.get(f"/api/v3/contacts/{world.contact_id}/orders").json()
    assert [o["order"]["orderStatus"] for o in orders["items"]] == ["Shipped"]


def test_cart_register_cart(sdk: VoyadoEngageSdk, world: World) -> None:
    cart = CartApiModel(
        cart_reference=f"cart-{world.tag}",
        time="2026-12-01T10:00:00Z",
        contact_id=world.contact_id,
        language="sv-SE",
        url="https://shop.test/cart",
        items=[CartItemApiModel(sku="SKU-1", quantity=2)],
    )
    assert sdk.tracking.cart_register_cart(cart) is not None


def test_cart_register_carts(sdk: VoyadoEngageSdk, world: World) -> None:
    carts = [
        CartApiModel(cart_reference=f"c{n}-{world.tag}", contact_id=world.contact_id, items=[])
        for n in range(2)
    ]
    assert sdk.tracking.cart_register_carts(carts) is not None


def test_product_view_v_register_product_view(sdk: VoyadoEngageSdk, world: World) -> None:
    view = ProductViewApiModel(
        item_id="SKU-1",
        contact_id=world.contact_id,
        category="Shoes",
        time="2026-12-01T10:00:00Z",
        session_id=str(uuid.uuid4()),
        new_session=True,
        utm=[Utm(key="utm_source", value="mail")],
    )
    assert sdk.tracking.product_view_v_register_product_view(view) == {"request": {}}


def test_product_view_v_register_product_views(sdk: VoyadoEngageSdk, world: World) -> None:
    views = [ProductViewApiModel(item_id=f"SKU-{n}", contact_id=world.contact_id) for n in range(3)]
    assert sdk.tracking.product_view_v_register_product_views(views) == {"request": {}}


# Stores


def test_stores_v_create_store(sdk: VoyadoEngageSdk, world: World) -> None:
    store = ApiStore(name="Quay", external_id=f"Q-{world.tag}", type_="Online", city="Malmö")
    created = sdk.stores.stores_v_create_store(store)
    assert (created.external_id, created.type_, created.city) == (f"Q-{world.tag}", "Online", "Malmö")


def test_stores_v_update_store(sdk: VoyadoEngageSdk, world: World) -> None:
    updated = sdk.stores.stores_v_update_store(ApiStore(name="Harbour 2", type_="Physical"), world.store)
    assert (updated.external_id, updated.name) == (world.store, "Harbour 2")


def test_stores_v_get_stores(sdk: VoyadoEngageSdk, world: World) -> None:
    assert world.store in [s.external_id for s in sdk.stores.stores_v_get_stores()]


def test_stores_v_get_store(sdk: VoyadoEngageSdk, world: World) -> None:
    assert sdk.stores.stores_v_get_store(world.store).name == "Harbour"
