"""Errors of multichannel promotions, with Engage's keys."""

from patron.errors import error

PromotionNotFound = error(404, "PromotionNotFound", "No promotion matches.")
PromotionAlreadyExists = error(
    409, "PromotionAlreadyExists", "A promotion with that externalId exists already."
)
PromotionNotDraft = error(409, "PromotionNotDraft", "Only a draft promotion can be changed.")
PromotionHasAssignments = error(
    409, "PromotionHasAssignments", "The promotion has been assigned and cannot be deleted."
)
PromotionNotActive = error(409, "PromotionNotActive", "The promotion is not active.")
InvalidContactId = error(400, "InvalidContactId", "contactId is not a valid id.")
InvalidPromotionId = error(400, "InvalidPromotionId", "promotionId is not a valid id.")
InvalidPromotionIdNoData = error(
    400, "InvalidPromotionIdNoData", "The promotion id is not valid or the request carries no data."
)
NotAValidRedemptionChannel = error(
    400, "NotAValidRedemptionChannel", "redemptionChannel must be POS or ECOM."
)
PromotionNotAssociatedWithContact = error(
    404, "PromotionNotAssociatedWithContact", "The promotion is not assigned to that contact."
)
PromotionNotValidForRedemptionChannel = error(
    409, "PromotionNotValidForRedemptionChannel", "The promotion cannot be redeemed in that channel."
)
PromotionAlreadyRedeemed = error(409, "PromotionAlreadyRedeemed", "The promotion has been redeemed already.")
PromotionExpired = error(409, "PromotionExpired", "The promotion has expired.")
GatewayTimeout = error(
    504, "GatewayTimeout", "The redemption could not be recorded in time; it was not redeemed. Retry."
)
