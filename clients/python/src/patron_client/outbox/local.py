"""The outbox a client opens from its settings: the file, and its sender when it has one."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

from patron_client.later import Later
from patron_client.outbox.sender import OutboxSender, wait_until_sent
from patron_client.outbox.store import Counts, OutboxStore
from patron_client.settings import ClientSettings


@dataclass(frozen=True)
class LocalOutbox:
    store: OutboxStore
    sender: OutboxSender | None

    @classmethod
    def open(
        cls, settings: ClientSettings, transport: httpx.BaseTransport | None = None
    ) -> LocalOutbox | None:
        if settings.outbox is None:
            return None
        writers = threading.Lock()
        store = OutboxStore(
            settings.outbox,
            power_safe=settings.outbox_power_safe,
            writers=writers,
            # With a sender here, it checkpoints; send_later only ever appends to the WAL.
            checkpoints=not settings.send_in_background,
        )
        sender = None
        if settings.send_in_background:
            sender = OutboxSender(
                settings.outbox,
                settings.endpoint,
                timeout=settings.timeout,
                policy=settings.outbox_retries,
                transport=transport,
                writers=writers,
            )
            sender.start()
        return cls(store, sender)

    @property
    def later(self) -> Later:
        return Later(self.store, self.sender)

    def counts(self) -> Counts:
        return self.store.counts()

    def wait_until_sent(self, timeout: float) -> bool:
        return wait_until_sent(self.store.path, timeout)

    def close(self) -> None:
        if self.sender is not None:
            self.sender.stop()
        self.store.close()
