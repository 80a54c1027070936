"""Use cases of multichannel promotions.

Definitions live here: create a draft, read, update (drafts only), activate, deactivate,
delete (never-assigned only). Assignment and redemption live in `_assign` and `_redeem` and
are re-exported, including the two entry points other domains call:

- `assign(session, contact_id, promotion_id) -> PromotionAssignment`: assign an activated
  promotion to a contact, or return the contact's unredeemed, unexpired assignment of it
  (rewards call this, so a repeated reward never hands out a second copy).
- `redeem_for_receipt(session, *, contact_id, receipt_id, assignment_ids, channel) -> None`:
  a receipt's `usedPromotions`: link each of that contact's assignments to the receipt and
  redeem the unredeemed ones in `channel`; ids that are unknown or belong to another contact
  are ignored (see `_redeem`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import lock_row
from patron.errors import BadRequest, PatronError
from patron.kit import clock, ids
from patron.models import Promotion
from patron.promotions import repository, validity
from patron.promotions._assign import (
    assign,
    assign_request,
    assign_to_members,
    ensure_assignable,
    offers_for_contact,
    withdraw_offers,
)
from patron.promotions._redeem import REDEEM_DEADLINE_SECONDS, receipts_of, redeem, redeem_for_receipt
from patron.promotions._render import assignment_out, offer_out, validity_out
from patron.promotions._render import promotion_out as _promotion_out
from patron.promotions.errors import (
    PromotionAlreadyExists,
    PromotionHasAssignments,
    PromotionNotActive,
    PromotionNotDraft,
    PromotionNotFound,
)
from patron.promotions.schemas import (
    AssignedValidity,
    NewPromotion,
    PromotionChange,
    PromotionOut,
    ValidityChange,
    ValidityOut,
)

__all__ = [
    "REDEEM_DEADLINE_SECONDS",
    "activate",
    "assign",
    "assign_request",
    "assign_to_members",
    "assignment_out",
    "create_draft",
    "deactivate",
    "delete",
    "delete_by_external_id",
    "ensure_assignable",
    "get",
    "get_by_external_id",
    "offer_out",
    "offers_for_contact",
    "promotion_out",
    "receipts_of",
    "redeem",
    "redeem_for_receipt",
    "replace",
    "replace_validity",
    "status_of",
    "validity_of",
    "validity_out",
    "withdraw_offers",
]


def status_of(promotion: Promotion) -> validity.Status:
    return validity.status(promotion.state, promotion.starts_at, promotion.ends_at, clock.now())


def promotion_out(promotion: Promotion, zone: ZoneInfo) -> PromotionOut:
    return _promotion_out(promotion, zone, status_of(promotion))


def _local_date(value: date | datetime | None, zone: ZoneInfo) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value


def _invalid(field: str, message: str) -> PatronError:
    return BadRequest(f"{field}: {message}", details=[{"field": field, "message": message}])


def _write_validity(
    promotion: Promotion,
    start: date | datetime,
    end: date | datetime | None,
    assigned: AssignedValidity | None,
    zone: ZoneInfo,
) -> None:
    start_day = _local_date(start, zone)
    end_day = _local_date(end, zone)
    assert start_day is not None
    if end_day is not None and end_day > validity.LAST_END_DATE:
        raise _invalid("validity.endDate", f"the latest end date is {validity.LAST_END_DATE.isoformat()}")
    if end_day is not None and end_day < start_day:
        raise _invalid("validity.endDate", "the end date is before the start date")
    promotion.time_zone = zone.key
    promotion.start_date = start_day
    promotion.end_date = end_day
    promotion.starts_at = validity.start_of_day(start_day, zone)
    promotion.ends_at = None if end_day is None else validity.end_of_day(end_day, zone)
    promotion.validity_unit = None if assigned is None else assigned.unit
    promotion.validity_amount = None if assigned is None else assigned.amount


def _write_definition(promotion: Promotion, body: NewPromotion | PromotionChange) -> None:
    presentation = body.presentation
    promotion.external_id = body.externalId
    promotion.name = body.name
    promotion.heading = presentation.heading if presentation else None
    promotion.description = presentation.description if presentation else None
    promotion.link = presentation.link if presentation else None
    promotion.image_url = presentation.imageUrl if presentation else None
    promotion.redemption_channels = [channel.model_dump() for channel in body.redemptionChannels]


async def _refuse_taken_external_id(
    session: AsyncSession, external_id: str | None, excluding: uuid.UUID | None
) -> None:
    if external_id is not None and await repository.external_id_taken(session, external_id, excluding):
        raise PromotionAlreadyExists(details={"externalId": external_id})


async def _flush_guarding_external_id(session: AsyncSession, promotion: Promotion, *, new: bool) -> None:
    """Under a savepoint: a concurrent request may take the externalId after our check."""
    try:
        async with session.begin_nested():
            if new:
                repository.add(session, promotion)
    except IntegrityError as exc:
        raise PromotionAlreadyExists(details={"externalId": promotion.external_id}) from exc


async def create_draft(session: AsyncSession, body: NewPromotion, zone: ZoneInfo) -> Promotion:
    await _refuse_taken_external_id(session, body.externalId, None)
    now = clock.now()
    promotion = Promotion(id=ids.new_id(), state=validity.Status.DRAFT, created_on=now, modified_on=now)
    _write_definition(promotion, body)
    rules = body.validity
    _write_validity(promotion, rules.startDate, rules.endDate, rules.assignedValidity, zone)
    await _flush_guarding_external_id(session, promotion, new=True)
    return promotion


async def get(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    promotion = await repository.promotion(session, promotion_id)
    if promotion is None:
        raise PromotionNotFound(f"No promotion {promotion_id}.")
    return promotion


async def get_by_external_id(session: AsyncSession, external_id: str) -> Promotion:
    promotion = await repository.promotion_by_external_id(session, external_id)
    if promotion is None:
        raise PromotionNotFound(f"No promotion with externalId {external_id!r}.")
    return promotion


async def _locked(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    promotion = await lock_row(session, Promotion, promotion_id)
    if promotion is None:
        raise PromotionNotFound(f"No promotion {promotion_id}.")
    return promotion


async def _locked_draft(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    promotion = await _locked(session, promotion_id)
    if promotion.state != validity.Status.DRAFT:
        raise PromotionNotDraft(details={"status": status_of(promotion).value})
    return promotion


async def replace(
    session: AsyncSession, promotion_id: uuid.UUID, body: PromotionChange, zone: ZoneInfo
) -> Promotion:
    promotion = await _locked_draft(session, promotion_id)
    await _refuse_taken_external_id(session, body.externalId, promotion.id)
    _write_definition(promotion, body)
    rules = body.validity
    _write_validity(promotion, rules.startDate, rules.endDate, rules.assignedValidity, zone)
    promotion.modified_on = clock.now()
    await _flush_guarding_external_id(session, promotion, new=False)
    return promotion


async def validity_of(session: AsyncSession, promotion_id: uuid.UUID, zone: ZoneInfo) -> ValidityOut:
    return validity_out(await get(session, promotion_id), zone)


async def replace_validity(
    session: AsyncSession, promotion_id: uuid.UUID, body: ValidityChange, zone: ZoneInfo
) -> Promotion:
    promotion = await _locked_draft(session, promotion_id)
    _write_validity(promotion, body.startDate, body.endDate, body.assignedValidity, zone)
    promotion.modified_on = clock.now()
    await session.flush()
    return promotion


async def activate(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    """Draft → Active; it shows as Scheduled until its start date (computed, no job)."""
    promotion = await _locked_draft(session, promotion_id)
    promotion.state = validity.Status.ACTIVE
    promotion.activated_on = promotion.modified_on = clock.now()
    await session.flush()
    return promotion


async def deactivate(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    """Active or Scheduled → Ended; ending an ended promotion changes nothing."""
    promotion = await _locked(session, promotion_id)
    if promotion.state == validity.Status.DRAFT:
        raise PromotionNotActive("A draft promotion cannot be deactivated; delete it instead.")
    if promotion.state == validity.Status.ACTIVE:
        promotion.state = validity.Status.ENDED
        promotion.ended_on = promotion.modified_on = clock.now()
        await session.flush()
    return promotion


async def delete(session: AsyncSession, promotion_id: uuid.UUID) -> None:
    promotion = await _locked(session, promotion_id)
    if await repository.has_assignments(session, promotion.id):
        raise PromotionHasAssignments()
    await repository.delete_promotion(session, promotion.id)


async def delete_by_external_id(session: AsyncSession, external_id: str) -> None:
    await delete(session, (await get_by_external_id(session, external_id)).id)
