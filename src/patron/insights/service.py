"""The overview's figures over a date range, and the console's look-ups, as plain values."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.errors import BadRequest
from patron.insights import repository
from patron.kit import clock
from patron.models import Contact, Promotion, PromotionAssignment

# A year and a bit: enough for "this year against last", small enough to stay one index scan.
MAX_RANGE_DAYS = 400


@dataclass(frozen=True)
class DateRange:
    """Local calendar days `first` to `last`, both included, in the deployment's zone."""

    first: date
    last: date
    zone: ZoneInfo

    @classmethod
    def of(cls, first: date, last: date, zone: ZoneInfo) -> DateRange:
        if last < first:
            raise BadRequest("The range ends before it starts.")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadRequest(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
        return cls(first, last, zone)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    @property
    def offset_minutes(self) -> int:
        offset = self.start.utcoffset()
        return 0 if offset is None else int(offset.total_seconds() // 60)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class SalesDay:
    day: date
    receipts: int
    revenue: Decimal


@dataclass(frozen=True)
class RedemptionDay:
    day: date
    channel: str
    redemptions: int


@dataclass(frozen=True)
class ChallengeOutcome:
    name: str
    source: str  # "record" (challenges and streaks) or "engage"
    completed: int
    failed: int


@dataclass(frozen=True)
class PointsDay:
    day: date
    issued: Decimal
    spent: Decimal


@dataclass(frozen=True)
class FailureDay:
    day: date
    failures: int


@dataclass(frozen=True)
class Overview:
    range: DateRange
    sales: Sequence[SalesDay]
    redemptions: Sequence[RedemptionDay]
    challenges: Sequence[ChallengeOutcome]
    points: Sequence[PointsDay]
    webhook_failures: Sequence[FailureDay]


def _day(value: str | datetime) -> date:
    # SQLite answers `YYYY-MM-DD`; PostgreSQL the local midnight as a timestamp.
    return value.date() if isinstance(value, datetime) else date.fromisoformat(value)


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def overview(sessions: Sessions, span: DateRange) -> Overview:
    """The five charts' figures, each from one aggregate query; the queries run side by side,
    each on a connection of its own, so the page waits for the slowest rather than the sum."""
    start, end, zone, offset = span.start, span.end, span.zone, span.offset_minutes
    now = clock.now()

    async def on_own_connection(query: Callable[[AsyncSession], Awaitable[Sequence[Any]]]) -> Sequence[Any]:
        async with sessions() as session:
            return await query(session)

    sales, redemptions, challenges, points, failures = await asyncio.gather(
        on_own_connection(lambda s: repository.receipts_per_day(s, start, end, zone, offset)),
        on_own_connection(lambda s: repository.redemptions_per_day(s, start, end, zone, offset)),
        on_own_connection(lambda s: repository.challenge_outcomes(s, start, end, now)),
        on_own_connection(lambda s: repository.points_per_day(s, start, end, zone, offset)),
        on_own_connection(lambda s: repository.webhook_failures_per_day(s, start, end, zone, offset)),
    )
    return Overview(
        range=span,
        sales=[SalesDay(_day(row.day), int(row.receipts), Decimal(row.revenue)) for row in sales],
        redemptions=[
            RedemptionDay(_day(row.day), str(row.channel), int(row.redemptions)) for row in redemptions
        ],
        challenges=[
            ChallengeOutcome(str(row.name), str(row.source), int(row.completed or 0), int(row.failed or 0))
            for row in challenges
        ],
        points=[PointsDay(_day(row.day), Decimal(row.issued), Decimal(row.spent)) for row in points],
        webhook_failures=[FailureDay(_day(row.day), int(row.failures)) for row in failures],
    )


async def contacts_named(session: AsyncSession, text: str, limit: int = 50) -> Sequence[Contact]:
    return await repository.contacts_named(session, text.strip(), limit)


@dataclass(frozen=True)
class PromotionCounts:
    promotion: Promotion
    assigned: int
    redeemed: int


async def promotions(session: AsyncSession, limit: int = 200) -> list[PromotionCounts]:
    rows = await repository.promotions_with_counts(session, limit)
    return [PromotionCounts(row[0], int(row.assigned), int(row.redeemed)) for row in rows]


async def counts_of(session: AsyncSession, promotion: Promotion) -> PromotionCounts:
    row = await repository.counts_of(session, promotion.id)
    return PromotionCounts(promotion, int(row.assigned), int(row.redeemed))


async def newest_promotions(session: AsyncSession, limit: int = 200) -> Sequence[Promotion]:
    """The promotions to choose from when giving a contact an offer (no counting)."""
    return await repository.newest_promotions(session, limit)


@dataclass(frozen=True)
class ImportBatch:
    id: uuid.UUID
    key_id: str
    status: str
    total: int
    succeeded: int
    failed: int
    created_on: datetime
    finished_on: datetime | None


async def import_batches(session: AsyncSession, limit: int = 100) -> list[ImportBatch]:
    return [ImportBatch(*row) for row in await repository.import_batches(session, limit)]


@dataclass(frozen=True)
class HeldOffer:
    assignment: PromotionAssignment
    promotion_name: str


async def offers_of(session: AsyncSession, contact_id: uuid.UUID, limit: int = 200) -> list[HeldOffer]:
    rows = await repository.assignments_of(session, contact_id, limit)
    return [HeldOffer(row[0], str(row.name)) for row in rows]
