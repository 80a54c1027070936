"""`client.later`: the write calls, queued in the outbox instead of sent now.

Each returns as soon as the call is committed to the outbox file, and the background sender
delivers it in order. Pass `idempotency_key` to queue a call at most once whatever happens
(a till that replays its own journal after a crash); without it, a fresh key is made.
"""

from __future__ import annotations

from typing import TypeVar

from patron_client import operations
from patron_client.models import (
    ChallengeLog,
    CheckpointAward,
    ContactChanges,
    CustomerEvent,
    NewContact,
    PointTransaction,
    Receipt,
    StreakLog,
)
from patron_client.models.promotions import RedemptionChannel
from patron_client.outbox.sender import OutboxSender
from patron_client.outbox.store import OutboxStore, Queued
from patron_client.request import Operation
from patron_client.wire import new_idempotency_key

Answer = TypeVar("Answer")


class Later:
    def __init__(self, store: OutboxStore, sender: OutboxSender | None) -> None:
        self._store = store
        self._sender = sender

    def send(self, operation: Operation[Answer], idempotency_key: str | None = None) -> Queued:
        queued = self._store.put(operation.call, idempotency_key or new_idempotency_key())
        if self._sender is not None:
            self._sender.wake()
        return queued

    def send_receipt(self, receipt: Receipt, idempotency_key: str | None = None) -> Queued:
        return self.send(operations.send_receipt(receipt), idempotency_key)

    def redeem(
        self, assignment_id: str, channel: RedemptionChannel = "POS", idempotency_key: str | None = None
    ) -> Queued:
        return self.send(operations.redeem(assignment_id, channel), idempotency_key)

    def create_contact(
        self, contact: NewContact, store_external_id: str | None = None, idempotency_key: str | None = None
    ) -> Queued:
        return self.send(operations.create_contact(contact, store_external_id), idempotency_key)

    def update_contact(
        self, contact_id: str, changes: ContactChanges, idempotency_key: str | None = None
    ) -> Queued:
        return self.send(operations.update_contact(contact_id, changes), idempotency_key)

    def award_checkpoints(self, awards: list[CheckpointAward], idempotency_key: str | None = None) -> Queued:
        return self.send(operations.award_checkpoints(awards), idempotency_key)

    def add_point_transactions(
        self, rows: list[PointTransaction], idempotency_key: str | None = None
    ) -> Queued:
        return self.send(operations.add_point_transactions(rows), idempotency_key)

    def log_challenge_activity(self, log: ChallengeLog, idempotency_key: str | None = None) -> Queued:
        return self.send(operations.log_challenge_activity(log), idempotency_key)

    def log_streak_activity(self, log: StreakLog, idempotency_key: str | None = None) -> Queued:
        return self.send(operations.log_streak_activity(log), idempotency_key)

    def send_event(self, event: CustomerEvent, idempotency_key: str | None = None) -> Queued:
        return self.send(operations.send_event(event), idempotency_key)
