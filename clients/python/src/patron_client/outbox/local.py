"""The outbox a client opens from its settings: the file, and its sender when it has one."""

from __future__ import annotations

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
        store = OutboxStore(settings.outbox)
        sender = None
        if settings.send_in_background:
            sender = OutboxSender(
                settings.outbox,
                settings.endpoint,
                timeout=settings.timeout,
                policy=settings.outbox_retries,
                transport=transport,
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
