"""Errors of rewards."""

from patron.errors import error

PromotionRewardsUnavailable = error(
    503,
    "PromotionRewardsUnavailable",
    "No promotion issuer is registered in this deployment, so promotion rewards cannot be issued.",
)
