"""The bodies Patron takes and the answers it gives, as typed models."""

from patron_client.models.challenges import CheckpointAward, CheckpointsResult
from patron_client.models.contacts import (
    Consent,
    Contact,
    ContactChanges,
    ContactMeta,
    NewContact,
    Preferences,
)
from patron_client.models.events import CustomerEvent, EventAnswer
from patron_client.models.points import PointTransaction, PointTransactionsResult
from patron_client.models.promotions import Offer, OfferRedemptionChannel
from patron_client.models.receipts import (
    ContactMatch,
    Discount,
    PaymentMethod,
    Receipt,
    ReceiptLine,
    StoredReceipt,
    UsedPromotion,
)
from patron_client.models.records import ActivityLog, ChallengeLog, LoggedActivity, StreakLog

__all__ = [
    "ActivityLog",
    "ChallengeLog",
    "CheckpointAward",
    "CheckpointsResult",
    "Consent",
    "Contact",
    "ContactChanges",
    "ContactMatch",
    "ContactMeta",
    "CustomerEvent",
    "Discount",
    "EventAnswer",
    "LoggedActivity",
    "NewContact",
    "Offer",
    "OfferRedemptionChannel",
    "PaymentMethod",
    "PointTransaction",
    "PointTransactionsResult",
    "Preferences",
    "Receipt",
    "ReceiptLine",
    "StoredReceipt",
    "StreakLog",
    "UsedPromotion",
]
