"""One call to Patron as it goes on the wire: what the outbox stores and the sender replays.

The body is kept as the exact bytes first sent, so a retry (even one sent after a reboot)
carries the same body under the same Idempotency-Key, and Patron replays its first answer
instead of refusing the key as reused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx
from pydantic import BaseModel

from patron_client.credentials import Dialect

Answer = TypeVar("Answer")

# Calls that change nothing when repeated; every other one needs an Idempotency-Key.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    dialect: Dialect = Dialect.ENGAGE
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    # What the call does, in the retailer's words: shown by `patron-client outbox status`.
    kind: str = ""

    @property
    def changes_something(self) -> bool:
        return self.method not in _SAFE_METHODS

    def body_json(self) -> object:
        return None if self.body is None else json.loads(self.body)


def json_body(model: BaseModel | list[BaseModel], *, only_set: bool = False) -> bytes:
    """A model (or a list of them) as the JSON Patron reads: field names as on the wire, absent
    fields left out. `only_set` keeps the fields the caller set, `None` included, for partial
    updates where `null` clears a value."""
    if isinstance(model, list):
        rows = [row.model_dump(mode="json", by_alias=True, exclude_none=True) for row in model]
        return json.dumps(rows, separators=(",", ":")).encode()
    if only_set:
        return model.model_dump_json(by_alias=True, exclude_unset=True).encode()
    return model.model_dump_json(by_alias=True, exclude_none=True).encode()


@dataclass(frozen=True)
class Operation(Generic[Answer]):
    """A call and how to read its successful answer."""

    call: Call
    read: Callable[[httpx.Response], Answer] = field(repr=False)
