"""The shapes of a contact's challenge as a checkpoint batch handles it.

A batch reads each pair's current challenge as a plain row (no ORM object to track: a
thousand of them would cost more than the query), starts the pairs that have none with a
`FirstChallenge` not yet stored, and checks under its locks that what it read is still there
(`StoredAt`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class ChallengeRow(Protocol):
    """A challenge's state as the engine needs it: an ORM object or a plain row read by Core."""

    @property
    def cycle(self) -> int: ...
    @property
    def completed_checkpoints(self) -> int: ...
    @property
    def status(self) -> int: ...
    @property
    def started_on(self) -> datetime: ...
    @property
    def ends_on(self) -> datetime | None: ...
    @property
    def completed_on(self) -> datetime | None: ...
    @property
    def latest_checkpoint_on(self) -> datetime | None: ...


class ReadChallenge(ChallengeRow, Protocol):
    """A pair's current challenge as a batch read it: its id and state, and on PostgreSQL
    where it was stored, its row version (xmin) and address (ctid); None on SQLite."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def row_version(self) -> int | None: ...
    @property
    def row_address(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StoredAt:
    """Where a challenge was stored, as a batch reads it (None on SQLite)."""

    row_version: int | None
    row_address: str | None


@dataclass(slots=True)
class FirstChallenge:
    """A contact's first challenge of a definition before it is stored, shaped as one read
    back; where it is stored is known once it is."""

    id: uuid.UUID
    contact_id: uuid.UUID
    definition_id: uuid.UUID
    required_checkpoints: int
    cycle: int
    completed_checkpoints: int
    status: int
    started_on: datetime
    ends_on: datetime | None
    completed_on: datetime | None
    latest_checkpoint_on: datetime | None
    is_current: bool
    row_version: int | None = None
    row_address: str | None = None

    def columns(self) -> dict[str, Any]:
        """The columns it is stored with."""
        return {
            "id": self.id,
            "contact_id": self.contact_id,
            "definition_id": self.definition_id,
            "cycle": self.cycle,
            "completed_checkpoints": self.completed_checkpoints,
            "status": self.status,
            "started_on": self.started_on,
            "ends_on": self.ends_on,
            "completed_on": self.completed_on,
            "latest_checkpoint_on": self.latest_checkpoint_on,
            "is_current": self.is_current,
            "required_checkpoints": self.required_checkpoints,
        }
