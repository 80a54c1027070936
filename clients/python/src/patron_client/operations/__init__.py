"""Every call the client makes, as an `Operation`: run it now, or hand it to the outbox."""

from patron_client.operations.activity import (
    add_point_transactions,
    award_checkpoints,
    log_challenge_activity,
    log_streak_activity,
    send_event,
)
from patron_client.operations.contacts import (
    create_contact,
    find_contact_id,
    get_contact,
    promote_to_member,
    update_contact,
)
from patron_client.operations.promotions import offers_for, redeem
from patron_client.operations.receipts import PurchaseHistory, purchase_history, send_receipt

__all__ = [
    "PurchaseHistory",
    "add_point_transactions",
    "award_checkpoints",
    "create_contact",
    "find_contact_id",
    "get_contact",
    "log_challenge_activity",
    "log_streak_activity",
    "offers_for",
    "promote_to_member",
    "purchase_history",
    "redeem",
    "send_event",
    "send_receipt",
    "update_contact",
]
