"""patron-client: Patron's API for tills and shops, with retries that never apply a call
twice, a durable outbox for what cannot wait on the network, and remembered contact ids."""

from patron_client import models, operations
from patron_client.async_client import AsyncPatron
from patron_client.client import Patron
from patron_client.contact_ids import ContactIds
from patron_client.errors import (
    AlreadyMember,
    ApiError,
    ContactAlreadyExists,
    ContactNotFound,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    OutboxNotConfigured,
    PatronError,
    PatronUnavailable,
    PromotionAlreadyRedeemed,
    ReceiptAlreadyExists,
)
from patron_client.outbox.store import Counts, Entry, OutboxStore, Queued, State
from patron_client.request import Call, Operation
from patron_client.retry import NO_RETRIES, RetryPolicy, worth_retrying

__all__ = [
    "NO_RETRIES",
    "AlreadyMember",
    "ApiError",
    "AsyncPatron",
    "Call",
    "ContactAlreadyExists",
    "ContactIds",
    "ContactNotFound",
    "Counts",
    "Entry",
    "IdempotencyKeyInFlight",
    "IdempotencyKeyReused",
    "Operation",
    "OutboxNotConfigured",
    "OutboxStore",
    "Patron",
    "PatronError",
    "PatronUnavailable",
    "PromotionAlreadyRedeemed",
    "Queued",
    "ReceiptAlreadyExists",
    "RetryPolicy",
    "State",
    "models",
    "operations",
    "worth_retrying",
]
