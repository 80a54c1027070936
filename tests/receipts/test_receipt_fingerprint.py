"""The receipt fingerprint: one value per receipt, whatever the spelling of its amounts and instants."""

from __future__ import annotations

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
