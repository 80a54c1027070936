"""The receipt-driven definitions, kept per process for a few seconds.

Every stored receipt asks which definitions award checkpoints for receipts, and the answer
changes only when a definition is written. A process keeps the answer for
`PATRON_DEFINITION_CACHE_SECONDS` and drops it when it commits a change to a definition itself,
so another server process applies a new or changed definition to receipts within that time.
A definition's schedule is kept, not its status at load time: a definition that goes live or
ends while the answer is kept does so on time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from patron.challenges import repository
from patron.kit import clock


@dataclass(frozen=True)
class ReceiptRule:
    """What a receipt needs to know about one receipt-driven definition."""

    id: uuid.UUID
    assign_on: int
    assign_on_amount: Decimal | None
    article_filter: Mapping[str, Any] | None
    status: int
    is_scheduled: bool
    scheduled_from: datetime | None
    scheduled_to: datetime | None

    @property
    def reads_register(self) -> bool:
        """Groups and brands are the article register's; numbers are on the receipt line."""
        return bool(
            self.article_filter and (self.article_filter.get("groups") or self.article_filter.get("brands"))
        )


class ReceiptRules:
    """One application's kept answer, for `ttl` seconds (PATRON_DEFINITION_CACHE_SECONDS)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._rules: tuple[ReceiptRule, ...] | None = None
        self._loaded_at = 0.0

    async def current(self, session: AsyncSession) -> tuple[ReceiptRule, ...]:
        if self._rules is not None and clock.monotonic() - self._loaded_at < self.ttl:
            return self._rules
        loaded_at = clock.monotonic()
        rules = tuple(
            ReceiptRule(
                id=definition.id,
                assign_on=definition.assign_on,
                assign_on_amount=definition.assign_on_amount,
                article_filter=definition.article_filter,
                status=definition.status,
                is_scheduled=definition.is_scheduled,
                scheduled_from=definition.scheduled_from,
                scheduled_to=definition.scheduled_to,
            )
            for definition in await repository.receipt_driven_definitions(session)
        )
        self._rules, self._loaded_at = rules, loaded_at
        return rules

    def forget(self) -> None:
        self._rules = None

    def forget_after_commit(self, session: AsyncSession) -> None:
        """Drop the answer now and again once the session's change is committed (a receipt in
        between may have loaded the definitions as they were before)."""
        self.forget()
        event.listen(session.sync_session, "after_commit", lambda _session: self.forget(), once=True)
