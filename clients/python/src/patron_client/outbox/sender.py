"""The background sender: delivers the outbox's calls one at a time, oldest first.

It runs in a daemon thread of the till's own process, with a connection and an HTTP client
of its own, so `send_later` only ever waits for a local commit. Killed with its process, it
loses nothing: a call is marked delivered only after Patron's answer, and one sent but not
yet marked goes again under the same key, which Patron answers with its first answer.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import httpx

from patron_client.outbox.delivery import OUTBOX_RETRIES, Delivered, NotYet, deliver
from patron_client.outbox.store import OutboxStore
from patron_client.retry import RetryPolicy
from patron_client.wire import Endpoint

# How often an idle sender looks at the file for calls queued by another process.
IDLE_POLL_SECONDS = 1.0
# How long a queued call may wait in the system's caches before the sender has it synced.
SYNC_SECONDS = 0.25
# Delivered calls are kept this long, for `outbox status` and the till's own questions.
KEEP_DELIVERED = dt.timedelta(days=7)


class OutboxSender:
    def __init__(
        self,
        path: str | Path,
        endpoint: Endpoint,
        *,
        timeout: httpx.Timeout,
        policy: RetryPolicy = OUTBOX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        writers: threading.Lock | None = None,
    ) -> None:
        self.path = Path(path)
        self._writers = writers
        self.endpoint = endpoint
        self.policy = policy
        self._timeout = timeout
        self._transport = transport
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="patron-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        # Its commits never checkpoint either (a writer waiting on this one would wait for the
        # disk): `_DiskSync` checkpoints, outside the writers' lock.
        store = OutboxStore(self.path, writers=self._writers, checkpoints=False)
        http = httpx.Client(timeout=self._timeout, transport=self._transport)
        disk = _DiskSync(store)
        try:
            store.purge_delivered(KEEP_DELIVERED)
            while not self._stopping.is_set():
                disk.note(self._take_wake())
                entry = store.head()
                if entry is None:
                    disk.sync()
                    store.checkpoint()
                    self._wake.wait(IDLE_POLL_SECONDS)
                    continue
                outcome = deliver(http, self.endpoint, store, entry, self.policy)
                disk.note(True)
                disk.sync_if_due()
                if isinstance(outcome, NotYet):
                    self._pause(outcome.wait, disk)
        finally:
            store.checkpoint()
            http.close()
            store.close()

    def _take_wake(self) -> bool:
        woken = self._wake.is_set()
        self._wake.clear()
        return woken

    def _pause(self, seconds: float, disk: _DiskSync) -> None:
        """Waits out a backoff; calls queued meanwhile are synced, but do not cut it short (a
        busy till would have Patron asked again at every sale). A stop does."""
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._wake.wait(min(left, SYNC_SECONDS)):
                self._wake.clear()
                disk.note(True)
            disk.sync_if_due()


class _DiskSync:
    """Has what was written to the outbox (calls queued, outcomes recorded) synced to disk
    within SYNC_SECONDS, not at every write."""

    def __init__(self, store: OutboxStore) -> None:
        self._store = store
        self._unsynced = True
        self._since = time.monotonic()

    def note(self, queued: bool) -> None:
        if queued and not self._unsynced:
            self._unsynced, self._since = True, time.monotonic()

    def sync_if_due(self) -> None:
        if self._unsynced and time.monotonic() - self._since >= SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        if self._unsynced:
            self._store.sync_to_disk()
            self._unsynced = False


def wait_until_sent(path: str | Path, timeout: float, poll: float = 0.05) -> bool:
    """True once nothing is pending in the outbox file, False if `timeout` passed first."""
    store = OutboxStore(path)
    try:
        deadline = time.monotonic() + timeout
        while store.counts().pending:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)
        return True
    finally:
        store.close()


def flush(store: OutboxStore, http: httpx.Client, endpoint: Endpoint, policy: RetryPolicy) -> int:
    """Delivers what is pending, in order, in the foreground; stops at the first call that could
    not be delivered within the policy's attempts. The number of calls delivered."""
    delivered = 0
    tries = 0
    while (entry := store.head()) is not None:
        outcome = deliver(http, endpoint, store, entry, policy)
        if isinstance(outcome, NotYet):
            tries += 1
            if tries >= policy.attempts:
                break
            time.sleep(outcome.wait)
            continue
        tries = 0
        delivered += isinstance(outcome, Delivered)
    return delivered
