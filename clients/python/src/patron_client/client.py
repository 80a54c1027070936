"""`Patron`: the blocking client, for tills and back-office scripts."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from patron_client import operations, sync_runner
from patron_client.contact_ids import ContactIds
from patron_client.errors import ContactAlreadyExists, ContactNotFound, OutboxNotConfigured
from patron_client.later import Later
from patron_client.models import (
    ChallengeLog,
    CheckpointAward,
    CheckpointsResult,
    Contact,
    ContactChanges,
    CustomerEvent,
    EventAnswer,
    LoggedActivity,
    NewContact,
    Offer,
    PointTransaction,
    PointTransactionsResult,
    Receipt,
    StoredReceipt,
    StreakLog,
)
from patron_client.models.contacts import LookupKeyType
from patron_client.models.promotions import OfferChannel, RedemptionChannel
from patron_client.outbox.delivery import OUTBOX_RETRIES
from patron_client.outbox.local import LocalOutbox
from patron_client.outbox.store import Queued
from patron_client.request import Operation
from patron_client.retry import DEFAULT_RETRIES, RetryPolicy
from patron_client.settings import DEFAULT_TIMEOUT, ClientSettings

Answer = TypeVar("Answer")


class Patron:
    """Every call retried by the rules of `patron_client.retry` under one Idempotency-Key.

    With `outbox=` a file, `send_later` and `later.*` queue write calls there and a
    background thread sends them; close the client (or use it as a context manager) to stop
    that thread. Contact ids found or created are remembered in `contact_ids`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        outbox: str | Path | None = None,
        retries: RetryPolicy = DEFAULT_RETRIES,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        engage_prefix: str = "/api/v3",
        outbox_retries: RetryPolicy = OUTBOX_RETRIES,
        send_in_background: bool = True,
        outbox_power_safe: bool = False,
        contact_ids: ContactIds | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = ClientSettings(
            base_url,
            token,
            timeout,
            engage_prefix=engage_prefix,
            retries=retries,
            outbox=Path(outbox) if outbox is not None else None,
            outbox_retries=outbox_retries,
            send_in_background=send_in_background,
            outbox_power_safe=outbox_power_safe,
        )
        self.contact_ids = contact_ids or ContactIds()
        self._endpoint = self.settings.endpoint
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._outbox = LocalOutbox.open(self.settings, transport)

    def run(self, operation: Operation[Answer], idempotency_key: str | None = None) -> Answer:
        return sync_runner.run(self._http, self._endpoint, operation, self.settings.retries, idempotency_key)

    # The outbox.

    @property
    def outbox(self) -> LocalOutbox:
        if self._outbox is None:
            raise OutboxNotConfigured("build the client with outbox=PATH to queue calls")
        return self._outbox

    @property
    def later(self) -> Later:
        return self.outbox.later

    def send_later(self, operation: Operation[Answer], idempotency_key: str | None = None) -> Queued:
        """Commits the call to the outbox file and returns; the sender delivers it in order."""
        return self.outbox.later.send(operation, idempotency_key)

    # Contacts.

    def find_contact_id(self, key: LookupKeyType, value: str, contact_type: str | None = None) -> str | None:
        """The contact's id, from the cache when it is there; None when Patron knows no such contact."""
        if contact_type is None and (known := self.contact_ids.get(key, value)):
            return known
        try:
            found = self.run(operations.find_contact_id(key, value, contact_type))
        except ContactNotFound:
            return None
        self.contact_ids.put(key, value, found)
        return found

    def find_or_create_contact(self, contact: NewContact, store_external_id: str | None = None) -> str:
        """The guide's contact flow in one call: look the customer up by each unique key given,
        create them when none is known, and remember the id."""
        for key, value in contact.lookup_keys().items():
            if found := self.find_contact_id(key, value):
                return found
        try:
            return self.create_contact(contact, store_external_id).id
        except ContactAlreadyExists as taken:
            # Created by another till between the lookup and the create.
            if taken.contact_id is None:
                raise
            return taken.contact_id

    def create_contact(self, contact: NewContact, store_external_id: str | None = None) -> Contact:
        created = self.run(operations.create_contact(contact, store_external_id))
        self.contact_ids.remember(created)
        return created

    def get_contact(self, contact_id: str) -> Contact:
        return self._for_contact(contact_id, operations.get_contact(contact_id))

    def update_contact(self, contact_id: str, changes: ContactChanges) -> Contact:
        updated = self._for_contact(contact_id, operations.update_contact(contact_id, changes))
        self.contact_ids.remember(updated)
        return updated

    def promote_to_member(self, contact_id: str, fields: ContactChanges | None = None) -> Contact:
        promoted = self._for_contact(contact_id, operations.promote_to_member(contact_id, fields))
        self.contact_ids.remember(promoted)
        return promoted

    def purchase_history(
        self, contact_id: str, offset: int = 0, count: int = 100
    ) -> operations.PurchaseHistory:
        return self._for_contact(contact_id, operations.purchase_history(contact_id, offset, count))

    def _for_contact(self, contact_id: str, operation: Operation[Answer]) -> Answer:
        try:
            return self.run(operation)
        except ContactNotFound:
            # Erased, or never there: the next lookup must ask Patron, not the cache.
            self.contact_ids.forget(contact_id)
            raise

    # Receipts and offers.

    def send_receipt(self, receipt: Receipt) -> StoredReceipt:
        return self.run(operations.send_receipt(receipt))

    def offers_for(self, contact_id: str, channel: OfferChannel | None = None) -> list[Offer]:
        return self._for_contact(contact_id, operations.offers_for(contact_id, channel))

    def redeem(self, assignment_id: str, channel: RedemptionChannel = "POS") -> Offer:
        return self.run(operations.redeem(assignment_id, channel))

    # Activity.

    def award_checkpoints(self, awards: list[CheckpointAward]) -> CheckpointsResult:
        return self.run(operations.award_checkpoints(awards))

    def add_point_transactions(self, rows: list[PointTransaction]) -> PointTransactionsResult:
        return self.run(operations.add_point_transactions(rows))

    def log_challenge_activity(self, log: ChallengeLog) -> LoggedActivity:
        return self.run(operations.log_challenge_activity(log))

    def log_streak_activity(self, log: StreakLog) -> LoggedActivity:
        return self.run(operations.log_streak_activity(log))

    def send_event(self, event: CustomerEvent) -> EventAnswer:
        return self.run(operations.send_event(event))

    def close(self) -> None:
        if self._outbox is not None:
            self._outbox.close()
        self._http.close()

    def __enter__(self) -> Patron:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
