"""Errors of the campaigns dialect. Keys are rendered in snake_case at its edge (a key
`NotFound` is answered as `not_found`, as the dialect's clients expect)."""

from __future__ import annotations

from patron.errors import PatronError, error


def _missing_customer(source_id: str) -> str:
    return f"Cannot find customer with source id {source_id}"


class CustomerNotFound(PatronError):
    """The seed's body for an unknown customer: key `not_found`, message `Resource not
    found`, and the source id in `details`."""

    status = 404
    key = "NotFound"
    default_message = "Resource not found"

    def __init__(self, source_id: str) -> None:
        super().__init__(None, _missing_customer(source_id))

    @classmethod
    def for_code(cls, code: str) -> CustomerNotFound:
        found = cls("")
        found.details = f"Cannot find customer with referral code {code}"
        return found


class CampaignNotFound(PatronError):
    status = 404
    key = "NotFound"
    default_message = "Resource not found"

    def __init__(self, campaign_id: str) -> None:
        super().__init__(None, f"Cannot find campaign with id {campaign_id}")


RuleInProgress = error(
    409, "RuleInProgress", "A rule customers have progress on cannot change; add a new rule instead."
)
ReferralCodeTaken = error(409, "ReferralCodeTaken", "Another customer has this referral code.")
EventInFuture = error(400, "EventInFuture", "The event's timestamp is more than 5 minutes in the future.")
CampaignEnded = error(409, "CampaignEnded", "An ended campaign cannot change.")
WalletNotFound = error(404, "NotFound", "Resource not found")
InsufficientBalance = error(400, "InsufficientBalance", "The wallet's balance does not cover this debit.")
CouponNotValid = error(400, "CouponNotValid", "A coupon cannot be used; details say why.")
CouponAlreadyRedeemed = error(409, "CouponAlreadyRedeemed", "The coupon has been redeemed already.")
CouponNotRedeemed = error(
    409, "CouponNotRedeemed", "The coupon is not redeemed, so there is nothing to revert."
)
