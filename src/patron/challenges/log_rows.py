"""Checkpoint log rows as a batch writes them.

Every row a batch appends shares its kind, source, receipt and time; only the contact, the
definition and the amount vary. Kept as columns, a thousand rows are three lists, sent to
PostgreSQL as three arrays and four scalars, not a thousand dicts of seven values.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Pair = tuple[uuid.UUID, uuid.UUID]  # (contact id, definition id)


@dataclass(slots=True)
class LogRows:
    kind: str  # "checkpoint" or "assigned"
    source: str
    receipt_id: uuid.UUID | None
    at: datetime
    contact_ids: list[uuid.UUID] = field(default_factory=list)
    definition_ids: list[uuid.UUID] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)

    def add(self, pair: Pair, amounts: list[int]) -> None:
        """A pair's rows, one per amount, in order."""
        self.contact_ids += [pair[0]] * len(amounts)
        self.definition_ids += [pair[1]] * len(amounts)
        self.amounts += amounts

    def __len__(self) -> int:
        return len(self.amounts)

    def as_dicts(self) -> list[dict[str, Any]]:
        """One mapping of the log's columns per row, for an executemany."""
        return [
            {
                "contact_id": contact_id,
                "definition_id": definition_id,
                "kind": self.kind,
                "amount": amount,
                "source": self.source,
                "receipt_id": self.receipt_id,
                "recorded_on": self.at,
            }
            for contact_id, definition_id, amount in zip(
                self.contact_ids, self.definition_ids, self.amounts, strict=True
            )
        ]
