"""The console's aggregate queries: one statement per chart, grouped by local day in SQL, so a
range of a million receipts costs one index range scan, never a row per receipt in Python."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, case, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.types import Money
from patron.models import Challenge as EngageChallenge
from patron.models import (
    ChallengeDefinition,
    Contact,
    ContactImport,
    PointTransaction,
    Promotion,
    PromotionAssignment,
    Receipt,
    RecordDefinition,
    RecordProgress,
    WebhookAttempt,
)


def local_day(session: AsyncSession, column: Any, zone: ZoneInfo, offset_minutes: int) -> ColumnElement[Any]:
    """The local day an instant falls on, in the deployment's zone: a timestamp at the day's
    midnight on PostgreSQL, which knows the zone's rules (date_trunc of a timestamp is cheaper
    per row than formatting text); `YYYY-MM-DD` text on SQLite, which does not, so there the
    zone's offset at the range's start stands for the whole range (a DST change inside it
    moves an hour of sales to the neighbouring day)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("day", func.timezone(zone.key, column))
    return func.strftime("%Y-%m-%d", column, f"{offset_minutes:+d} minutes")


def _money_sum(column: Any) -> Any:
    return type_coerce(func.coalesce(func.sum(column), 0), Money())


async def receipts_per_day(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo, offset: int
) -> Sequence[Any]:
    day = local_day(session, Receipt.created_date, zone, offset).label("day")
    stmt = (
        select(day, func.count().label("receipts"), _money_sum(Receipt.total_gross_price).label("revenue"))
        .where(Receipt.created_date >= start, Receipt.created_date < end)
        .group_by(day)
        .order_by(day)
    )
    return (await session.execute(stmt)).all()


async def redemptions_per_day(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo, offset: int
) -> Sequence[Any]:
    day = local_day(session, PromotionAssignment.redeemed_on, zone, offset).label("day")
    channel = func.coalesce(PromotionAssignment.redemption_channel, "OTHER").label("channel")
    stmt = (
        select(day, channel, func.count().label("redemptions"))
        .where(PromotionAssignment.redeemed_on >= start, PromotionAssignment.redeemed_on < end)
        .group_by(day, channel)
        .order_by(day, channel)
    )
    return (await session.execute(stmt)).all()


async def challenge_outcomes(
    session: AsyncSession, start: datetime, end: datetime, now: datetime
) -> Sequence[Any]:
    """Completions and failures per definition: record challenges and streaks (a window that
    closed below target failed, whether or not the worker has written it yet) and Engage
    challenges (completed; they expire rather than fail)."""
    closed_until = min(end, now)
    completed = and_(RecordProgress.completed_at >= start, RecordProgress.completed_at < end)
    failed = and_(
        RecordProgress.completed_at.is_(None),
        or_(
            and_(RecordProgress.kind == "streak", RecordProgress.status == "broken"),
            RecordProgress.kind == "challenge",
        ),
        RecordProgress.period_end >= start,
        RecordProgress.period_end < closed_until,
    )
    records = (
        select(
            RecordProgress.definition_id.label("definition_id"),
            func.sum(case((completed, 1), else_=0)).label("completed"),
            func.sum(case((failed, 1), else_=0)).label("failed"),
        )
        .where(or_(completed, failed))
        .group_by(RecordProgress.definition_id)
        .subquery()
    )
    record_rows = select(
        type_coerce(RecordDefinition.name, String()).label("name"),
        literal("record").label("source"),
        records.c.completed,
        records.c.failed,
    ).join(records, records.c.definition_id == RecordDefinition.id)
    engage = (
        select(
            EngageChallenge.definition_id.label("definition_id"),
            func.count().label("completed"),
        )
        .where(EngageChallenge.completed_on >= start, EngageChallenge.completed_on < end)
        .group_by(EngageChallenge.definition_id)
        .subquery()
    )
    engage_rows = select(
        type_coerce(ChallengeDefinition.name, String()).label("name"),
        literal("engage").label("source"),
        engage.c.completed,
        literal(0).label("failed"),
    ).join(engage, engage.c.definition_id == ChallengeDefinition.id)
    both = union_all(record_rows, engage_rows).subquery()
    stmt = select(both).order_by(both.c.completed.desc(), both.c.name)
    return (await session.execute(stmt)).all()


async def points_per_day(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo, offset: int
) -> Sequence[Any]:
    day = local_day(session, PointTransaction.transaction_date, zone, offset).label("day")
    issued = _money_sum(case((PointTransaction.amount > 0, PointTransaction.amount), else_=None))
    spent = _money_sum(case((PointTransaction.amount < 0, -PointTransaction.amount), else_=None))
    stmt = (
        select(day, issued.label("issued"), spent.label("spent"))
        .where(PointTransaction.transaction_date >= start, PointTransaction.transaction_date < end)
        .group_by(day)
        .order_by(day)
    )
    return (await session.execute(stmt)).all()


async def webhook_failures_per_day(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo, offset: int
) -> Sequence[Any]:
    day = local_day(session, WebhookAttempt.attempted_on, zone, offset).label("day")
    failed = or_(
        WebhookAttempt.error.is_not(None),
        WebhookAttempt.status_code.is_(None),
        WebhookAttempt.status_code >= 300,
    )
    stmt = (
        select(day, func.count().label("failures"))
        .where(WebhookAttempt.attempted_on >= start, WebhookAttempt.attempted_on < end, failed)
        .group_by(day)
        .order_by(day)
    )
    return (await session.execute(stmt)).all()


async def contacts_named(session: AsyncSession, text: str, limit: int) -> Sequence[Contact]:
    """Contacts whose first or last name holds `text` (any case), newest first."""
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    first = func.lower(Contact.attributes["firstName"].as_string())
    last = func.lower(Contact.attributes["lastName"].as_string())
    full = func.lower(
        func.coalesce(Contact.attributes["firstName"].as_string(), "")
        + " "
        + func.coalesce(Contact.attributes["lastName"].as_string(), "")
    )
    stmt = (
        select(Contact)
        .where(
            Contact.erased_on.is_(None),
            or_(
                first.like(pattern, escape="\\"),
                last.like(pattern, escape="\\"),
                full.like(pattern, escape="\\"),
            ),
        )
        .order_by(Contact.created_on.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def promotions_with_counts(session: AsyncSession, limit: int) -> Sequence[Any]:
    """Each promotion with how many hold it and how many redeemed it, newest first."""
    counts = (
        select(
            PromotionAssignment.promotion_id.label("promotion_id"),
            func.count().label("assigned"),
            func.count(PromotionAssignment.redeemed_on).label("redeemed"),
        )
        .group_by(PromotionAssignment.promotion_id)
        .subquery()
    )
    stmt = (
        select(
            Promotion,
            func.coalesce(counts.c.assigned, 0).label("assigned"),
            func.coalesce(counts.c.redeemed, 0).label("redeemed"),
        )
        .outerjoin(counts, counts.c.promotion_id == Promotion.id)
        .order_by(Promotion.created_on.desc())
        .limit(limit)
    )
    rows: Sequence[Any] = (await session.execute(stmt)).all()
    return rows


async def counts_of(session: AsyncSession, promotion_id: uuid.UUID) -> Any:
    """How many hold one promotion and how many redeemed it (its index on promotion_id)."""
    stmt = select(
        func.count().label("assigned"), func.count(PromotionAssignment.redeemed_on).label("redeemed")
    ).where(PromotionAssignment.promotion_id == promotion_id)
    return (await session.execute(stmt)).one()


async def newest_promotions(session: AsyncSession, limit: int) -> Sequence[Promotion]:
    stmt = select(Promotion).order_by(Promotion.created_on.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def import_batches(session: AsyncSession, limit: int) -> Sequence[Any]:
    """The newest bulk contact imports, their progress but not their rows (which can be 4000)."""
    stmt = (
        select(
            ContactImport.id,
            ContactImport.caller,
            ContactImport.status,
            ContactImport.total,
            ContactImport.succeeded,
            ContactImport.failed,
            ContactImport.created_on,
            ContactImport.finished_on,
        )
        .order_by(ContactImport.created_on.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def assignments_of(session: AsyncSession, contact_id: uuid.UUID, limit: int) -> Sequence[Any]:
    """The contact's offers, held and redeemed, with their promotion's name, newest first."""
    stmt = (
        select(PromotionAssignment, Promotion.name)
        .join(Promotion, Promotion.id == PromotionAssignment.promotion_id)
        .where(PromotionAssignment.contact_id == contact_id)
        .order_by(PromotionAssignment.assigned_on.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).all()
