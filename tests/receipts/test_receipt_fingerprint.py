"""The receipt fingerprint: one value per receipt, whatever the spelling of its amounts and instants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from patron.receipts.fingerprint import fingerprint


def test_key_order_and_amount_spelling_do_not_change_the_fingerprint() -> None:
    a = {"total": Decimal("10.0"), "lines": [{"q": Decimal("1"), "p": Decimal("0.00")}]}
    b = {"lines": [{"p": Decimal("0"), "q": Decimal("1.000")}], "total": Decimal("10")}
    assert fingerprint(a) == fingerprint(b)


def test_one_instant_in_two_offsets_has_one_fingerprint() -> None:
    utc = datetime(2026, 11, 20, 13, 5, tzinfo=UTC)
    cet = datetime(2026, 11, 20, 14, 5, tzinfo=timezone(timedelta(hours=1)))
    assert fingerprint({"at": utc}) == fingerprint({"at": cet})


def test_a_changed_amount_changes_the_fingerprint() -> None:
    assert fingerprint({"total": Decimal("10")}) != fingerprint({"total": Decimal("10.01")})


def test_line_order_matters() -> None:
    assert fingerprint({"items": ["a", "b"]}) != fingerprint({"items": ["b", "a"]})


def test_large_round_amounts_are_not_confused() -> None:
    assert fingerprint({"total": Decimal("100")}) != fingerprint({"total": Decimal("1")})


def test_the_fingerprint_of_a_stored_receipt_stays_what_it_was() -> None:
    """Fingerprints are stored with receipts: a new way of computing them must give the old
    values, or a till's retry of an old receipt would be refused as a changed one."""
    body = {
        "uniqueReceiptId": "R-1",
        "createdDate": datetime(2026, 11, 20, 14, 5, tzinfo=timezone(timedelta(hours=1))),
        "totalGrossPrice": Decimal("100.50"),
        "exchangeRateToGroupCurrency": Decimal("0.0912000"),
        "contact": {"matchKey": "ann@example.com", "matchKeyType": "Email"},
        "paymentMethods": [{"type": "Card", "value": Decimal("100.5"), "description": None}],
        "items": [
            {
                "articleName": "Trail shoe åäö",
                "quantity": Decimal("1"),
                "discounts": [{"value": Decimal("0E-4"), "type": "Coupon", "description": None}],
                "extraData": {"b": [1, 2.5, True, None], "a": {"z": "x"}},
            }
        ],
        "usedPromotions": [{"promotionId": uuid.UUID("2b0b5ad4-8a7a-4d0c-9a53-2a4f7d6f2f11")}],
        "extraData": None,
    }
    assert fingerprint(body) == "c2a223ce7f3bab926eec5de30f13dcf0cf2a36a645cde7d1f26c2075761f5a0f"
