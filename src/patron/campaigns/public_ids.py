"""The dialect's prefixed ids: `camp_`, `valr_`, `even_` and 21 letters or digits."""

from __future__ import annotations

import secrets
import string
import uuid

_ALPHABET = string.ascii_letters + string.digits
LENGTH = 21


def new(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(LENGTH))


def customer_id(contact_id: uuid.UUID) -> str:
    """A customer's id is its contact's, in the dialect's form."""
    return f"cust_{contact_id.hex}"


def wallet_id(account_id: int) -> str:
    return f"waty_{account_id}"


def account_of_wallet(wallet_id: str) -> int | None:
    digits = wallet_id.removeprefix("waty_")
    if not wallet_id.startswith("waty_") or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def transaction_id(point_transaction_id: int) -> str:
    return f"trhi_{point_transaction_id}"


def coupon_id(reward_id: uuid.UUID) -> str:
    return f"coup_{reward_id.hex}"
