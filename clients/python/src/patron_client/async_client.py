"""`AsyncPatron`: the asyncio client, for web shops and services; the same calls as `Patron`."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from patron_client import async_runner, operations
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


class AsyncPatron:
    """Every call retried by the rules of `patron_client.retry` under one Idempotency-Key.
    The outbox's sender is a thread here too (it sends with a blocking client of its own), so
    queued calls go out whatever the event loop is doing; `send_later` is a local commit of a
    millisecond or so and is not awaited.

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
        transport: httpx.AsyncBaseTransport | None = None,
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
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._outbox = LocalOutbox.open(self.settings)

    async def run(self, operation: Operation[Answer], idempotency_key: str | None = None) -> Answer:
        return await async_runner.run(
            self._http, self._endpoint, operation, self.settings.retries, idempotency_key
        )

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

    async def find_contact_id(
        self, key: LookupKeyType, value: str, contact_type: str | None = None
    ) -> str | None:
        """The contact's id, from the cache when it is there; None when Patron knows no such contact."""
        if contact_type is None and (known := self.contact_ids.get(key, value)):
            return known
        try:
            found = await self.run(operations.find_contact_id(key, value, contact_type))
        except ContactNotFound:
            return None
        self.contact_ids.put(key, value, found)
        return found

    async def find_or_create_contact(self, contact: NewContact, store_external_id: str | None = None) -> str:
        """The guide's contact flow in one call: look the customer up by each unique key given,
        create them when none is known, and remember the id."""
        for key, value in contact.lookup_keys().items():
            if found := await self.find_contact_id(key, value):
                return found
        try:
            return (await self.create_contact(contact, store_external_id)).id
        except ContactAlreadyExists as taken:
            # Created by another till between the lookup and the create.
            if taken.contact_id is None:
                raise
            return taken.contact_id

    async def create_contact(self, contact: NewContact, store_external_id: str | None = None) -> Contact:
        created = await self.run(operations.create_contact(contact, store_external_id))
        self.contact_ids.remember(created)
        return created

    async def get_contact(self, contact_id: str) -> Contact:
        return await self._for_contact(contact_id, operations.get_contact(contact_id))

    async def update_contact(self, contact_id: str, changes: ContactChanges) -> Contact:
        updated = await self._for_contact(contact_id, operations.update_contact(contact_id, changes))
        self.contact_ids.remember(updated)
        return updated

    async def promote_to_member(self, contact_id: str, fields: ContactChanges | None = None) -> Contact:
        promoted = await self._for_contact(contact_id, operations.promote_to_member(contact_id, fields))
        self.contact_ids.remember(promoted)
        return promoted

    async def purchase_history(
        self, contact_id: str, offset: int = 0, count: int = 100
    ) -> operations.PurchaseHistory:
        return await self._for_contact(contact_id, operations.purchase_history(contact_id, offset, count))

    async def _for_contact(self, contact_id: str, operation: Operation[Answer]) -> Answer:
        try:
            return await self.run(operation)
        except ContactNotFound:
            # Erased, or never there: the next lookup must ask Patron, not the cache.
            self.contact_ids.forget(contact_id)
            raise

    # Receipts and offers.

    async def send_receipt(self, receipt: Receipt) -> StoredReceipt:
        return await self.run(operations.send_receipt(receipt))

    async def offers_for(self, contact_id: str, channel: OfferChannel | None = None) -> list[Offer]:
        return await self._for_contact(contact_id, operations.offers_for(contact_id, channel))

    async def redeem(self, assignment_id: str, channel: RedemptionChannel = "POS") -> Offer:
        return await self.run(operations.redeem(assignment_id, channel))

    # Activity.

    async def award_checkpoints(self, awards: list[CheckpointAward]) -> CheckpointsResult:
        return await self.run(operations.award_checkpoints(awards))

    async def add_point_transactions(self, rows: list[PointTransaction]) -> PointTransactionsResult:
        return await self.run(operations.add_point_transactions(rows))

    async def log_challenge_activity(self, log: ChallengeLog) -> LoggedActivity:
        return await self.run(operations.log_challenge_activity(log))

    async def log_streak_activity(self, log: StreakLog) -> LoggedActivity:
        return await self.run(operations.log_streak_activity(log))

    async def send_event(self, event: CustomerEvent) -> EventAnswer:
        return await self.run(operations.send_event(event))

    async def aclose(self) -> None:
        if self._outbox is not None:
            self._outbox.close()
        await self._http.aclose()

    async def __aenter__(self) -> AsyncPatron:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()
