"""Redeeming an assignment exactly once: by the till or web shop, or by a receipt.

The assignment's row is locked before anything about it is read, so concurrent redeems on
any number of processes serialise on it and every one but the first sees it redeemed.
A redeem that cannot take its lock within REDEEM_DEADLINE_SECONDS gives up with 504 and
changes nothing; once the lock is held the request runs to its commit.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import is_lock_timeout, limit_lock_wait, lock_row_with, lock_rows
from patron.errors import PatronError
from patron.kit import clock, ids
from patron.models import Promotion, PromotionAssignment, PromotionAssignmentReceipt
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ZONE, EventType, NewEvent, rendered
from patron.promotions import repository, validity
from patron.promotions._assign import parse_id
from patron.promotions._render import assignment_out
from patron.promotions.errors import (
    GatewayTimeout,
    InvalidContactId,
    InvalidPromotionIdNoData,
    NotAValidRedemptionChannel,
    PromotionAlreadyRedeemed,
    PromotionExpired,
    PromotionNotActive,
    PromotionNotAssociatedWithContact,
    PromotionNotFound,
    PromotionNotValidForRedemptionChannel,
)
from patron.promotions.schemas import RedeemRequest

REDEEM_DEADLINE_SECONDS = 4.5
REDEMPTION_CHANNELS = ("POS", "ECOM")
# A receipt's outcome for an assignment it named and redeemed.
REDEEMED = "Redeemed"


def _redeemed(assignment: PromotionAssignment, promotion: Promotion) -> NewEvent:
    data = rendered(assignment_out(assignment, promotion, EVENT_ZONE))
    return NewEvent(EventType.PROMOTION_REDEEMED, data, assignment.contact_id, assignment.redeemed_on)


async def _lock_within_deadline(
    session: AsyncSession, assignment_id: uuid.UUID, started: float
) -> tuple[PromotionAssignment, Promotion] | None:
    """The assignment, locked, with its promotion (read in the same statement)."""
    try:
        await limit_lock_wait(session, REDEEM_DEADLINE_SECONDS - (clock.monotonic() - started))
        found = await lock_row_with(session, PromotionAssignment, assignment_id, Promotion)
    except DBAPIError as exc:
        if is_lock_timeout(exc):
            raise GatewayTimeout() from exc
        raise
    if clock.monotonic() - started > REDEEM_DEADLINE_SECONDS:
        # Locked, but too late for a caller that has given up: leave it unredeemed.
        raise GatewayTimeout()
    return found


def refusal(assignment: PromotionAssignment, promotion: Promotion, channel: str) -> PatronError | None:
    """Why the assignment cannot be redeemed in `channel` now, or None when it can: the one set
    of redemption rules, for the redeem endpoint and for a receipt's `usedPromotions` alike.
    Checked in this order, so a redeemed assignment is always `PromotionAlreadyRedeemed`."""
    if assignment.redeemed_on is not None:
        return PromotionAlreadyRedeemed(details={"redeemedOn": assignment.redeemed_on.isoformat()})
    now = clock.now()
    status = validity.status(promotion.state, promotion.starts_at, promotion.ends_at, now)
    if validity.is_expired(assignment.expires_on, now) or status is validity.Status.ENDED:
        return PromotionExpired()
    if status is not validity.Status.ACTIVE:
        return PromotionNotActive(details={"status": status.value})
    if not any(entry["type"] == channel for entry in promotion.redemption_channels):
        return PromotionNotValidForRedemptionChannel(
            details={"channels": [entry["type"] for entry in promotion.redemption_channels]}
        )
    return None


async def redeem(
    session: AsyncSession, assignment_id_text: str, body: RedeemRequest | None
) -> tuple[PromotionAssignment, Promotion]:
    """POST /promotion-assignments/{id}/redeem."""
    started = clock.monotonic()
    assignment_id = ids.parse_guid(assignment_id_text)
    if assignment_id is None or body is None or body.redemptionChannel is None:
        raise InvalidPromotionIdNoData()
    channel = body.redemptionChannel
    if channel not in REDEMPTION_CHANNELS:
        raise NotAValidRedemptionChannel(details={"redemptionChannel": channel})
    owner = None if body.contactId is None else parse_id(body.contactId, InvalidContactId)

    found = await _lock_within_deadline(session, assignment_id, started)
    # Everything below reads state under the lock.
    if found is None:
        raise PromotionNotFound(f"No promotion assignment {assignment_id}.")
    assignment, promotion = found
    if owner is not None and assignment.contact_id != owner:
        raise PromotionNotAssociatedWithContact()
    refused = refusal(assignment, promotion, str(channel))
    if refused is not None:
        raise refused
    assignment.redeemed_on = clock.now()
    assignment.redemption_channel = str(channel)
    await session.flush()
    await outbox.record(session, [_redeemed(assignment, promotion)])
    return assignment, promotion


async def redeem_for_receipt(
    session: AsyncSession,
    *,
    contact_id: uuid.UUID,
    receipt_id: uuid.UUID,
    assignment_ids: list[uuid.UUID],
    channel: str,
) -> None:
    """A receipt's `usedPromotions`: link each of the contact's assignments to the receipt, and
    redeem in `channel` (POS for a physical store, ECOM for an online one) those that the
    redeem endpoint would redeem (`refusal`, the same rules); the link records the outcome,
    `Redeemed` or the refusal's key (`PromotionAlreadyRedeemed`, `PromotionExpired`,
    `PromotionNotActive`, `PromotionNotValidForRedemptionChannel`).

    The receipt records a sale that happened, so it is never refused here: ids that are
    unknown or belong to another contact are neither linked nor redeemed. Calling it twice for
    one receipt changes nothing the second time.
    """
    if channel not in REDEMPTION_CHANNELS:
        raise NotAValidRedemptionChannel(details={"redemptionChannel": channel})
    now = clock.now()
    redeemed: list[NewEvent] = []
    for assignment in await lock_rows(session, PromotionAssignment, assignment_ids):
        if assignment.contact_id != contact_id:
            continue
        if await repository.receipt_link_exists(session, assignment.id, receipt_id):
            continue
        promotion = await repository.promotion(session, assignment.promotion_id)
        assert promotion is not None  # an assignment's promotion is never deleted
        refused = refusal(assignment, promotion, channel)
        if refused is None:
            assignment.redeemed_on = now
            assignment.redemption_channel = channel
            redeemed.append(_redeemed(assignment, promotion))
        repository.add(
            session,
            PromotionAssignmentReceipt(
                assignment_id=assignment.id,
                receipt_id=receipt_id,
                contact_id=contact_id,
                linked_on=now,
                outcome=REDEEMED if refused is None else refused.key,
            ),
        )
    await session.flush()
    await outbox.record(session, redeemed)


async def receipts_of(session: AsyncSession, assignment_id: uuid.UUID) -> list[uuid.UUID]:
    """The receipts linked to an assignment."""
    return await repository.receipts_of(session, assignment_id)
