"""Contact ids remembered by e-mail, phone, card and the other unique keys, for a while.

The integration guide's advice: keep the id Patron gave you and use it, rather than looking
the customer up at every sale. Entries expire after `ttl` so a contact erased or re-keyed in
the back office is looked up afresh, and an id Patron no longer knows is forgotten at once.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from patron_client.models.contacts import Contact, LookupKeyType

_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
LOOKUP_KEYS: tuple[LookupKeyType, ...] = ("email", "mobilePhone", "externalId", "memberNumber", "cardId")


def normalised(kind: LookupKeyType, value: str) -> str:
    """The key as Patron matches it: e-mail compatibility-normalised and case-folded, a phone
    number without its spaces and dashes (Patron's own E.164 form needs the region rules, so
    two spellings of one number may still take two entries, both right)."""
    value = value.strip()
    if kind == "email":
        return unicodedata.normalize("NFKC", value).casefold()
    if kind == "mobilePhone":
        return _PHONE_PUNCTUATION.sub("", value)
    return value


@dataclass(frozen=True)
class _Remembered:
    contact_id: str
    expires_at: float


class ContactIds:
    """Thread-safe; shared by a sync and an async client alike. Holds at most `max_entries`,
    dropping the oldest first."""

    def __init__(
        self,
        ttl_seconds: float = 24 * 3600,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[LookupKeyType, str], _Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: LookupKeyType, value: str) -> str | None:
        entry_key = (kind, normalised(kind, value))
        with self._lock:
            found = self._entries.get(entry_key)
            if found is None:
                return None
            if found.expires_at <= self._clock():
                del self._entries[entry_key]
                return None
            return found.contact_id

    def put(self, kind: LookupKeyType, value: str, contact_id: str) -> None:
        entry_key = (kind, normalised(kind, value))
        with self._lock:
            self._entries.pop(entry_key, None)
            self._entries[entry_key] = _Remembered(contact_id, self._clock() + self.ttl_seconds)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def remember(self, contact: Contact) -> None:
        """Every unique key the contact has now, and none it had before."""
        self.forget(contact.id)
        for kind in LOOKUP_KEYS:
            value = contact.attributes.get(kind)
            if isinstance(value, str) and value:
                self.put(kind, value, contact.id)

    def forget(self, contact_id: str) -> None:
        with self._lock:
            for entry_key in [k for k, entry in self._entries.items() if entry.contact_id == contact_id]:
                del self._entries[entry_key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
