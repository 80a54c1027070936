"""Assigning promotions to contacts, and the list a till or web shop reads for a contact."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.kit import clock, ids
from patron.models import Promotion, PromotionAssignment
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ZONE, EventType, NewEvent, rendered
from patron.promotions import repository, validity
from patron.promotions._render import assignment_out
from patron.promotions.errors import (
    InvalidContactId,
    InvalidPromotionId,
    PromotionNotActive,
    PromotionNotFound,
)
from patron.promotions.repository import Offer
from patron.promotions.schemas import AssignmentRequest

# Statuses in which a promotion can be assigned: activated and not ended.
_ASSIGNABLE = frozenset({validity.Status.ACTIVE, validity.Status.SCHEDULED})


def parse_id(value: Any, error: type[Exception]) -> uuid.UUID:
    parsed = ids.parse_guid(value) if isinstance(value, str) else None
    if parsed is None:
        raise error()
    return parsed


def _validity_of(promotion: Promotion) -> validity.AssignedValidity | None:
    if promotion.validity_unit is None or promotion.validity_amount is None:
        return None
    return validity.AssignedValidity(validity.Unit(promotion.validity_unit), promotion.validity_amount)


async def assign(
    session: AsyncSession, contact_id: uuid.UUID, promotion_id: uuid.UUID, *, reuse_held: bool = True
) -> PromotionAssignment:
    """Assign the promotion to the contact, or return the assignment the contact holds unredeemed.

    The contact's row is locked first, so two concurrent assignments of one promotion to one
    contact (on any number of processes) make one assignment; everything is checked after.
    A reward (`reuse_held=False`) always gets an assignment of its own: a stamp card completed
    twice pays twice. Its exactly-once guarantee is the reward log's, so no lock is needed.
    """
    if reuse_held:
        await contacts.lock_present(session, contact_id)
    else:
        await contacts.ensure_exists(session, contact_id)
    promotion = await repository.promotion(session, promotion_id)
    if promotion is None:
        raise PromotionNotFound(f"No promotion {promotion_id}.")
    now = clock.now()
    status = validity.status(promotion.state, promotion.starts_at, promotion.ends_at, now)
    if status not in _ASSIGNABLE:
        raise PromotionNotActive(details={"status": status.value})
    held = (
        await repository.unredeemed_assignment(session, contact_id, promotion_id, now) if reuse_held else None
    )
    if held is not None:
        return held
    assignment = PromotionAssignment(
        id=ids.new_id(),
        contact_id=contact_id,
        promotion_id=promotion_id,
        assigned_on=now,
        expires_on=validity.expires_on(
            now, validity.zone_of(promotion.time_zone), _validity_of(promotion), promotion.ends_at
        ),
    )
    try:
        async with session.begin_nested():
            repository.add(session, assignment)
    except IntegrityError as exc:
        # The promotion was deleted by a concurrent request after we read it.
        raise PromotionNotFound(f"No promotion {promotion_id}.") from exc
    # Only a new assignment is told; one the contact held already was told when it was made.
    data = rendered(assignment_out(assignment, promotion, EVENT_ZONE))
    await outbox.record(session, [NewEvent(EventType.PROMOTION_ASSIGNED, data, contact_id, now)])
    return assignment


async def ensure_assignable(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion:
    """The promotion, when it can be assigned now (activated and not ended)."""
    promotion = await repository.promotion(session, promotion_id)
    if promotion is None:
        raise PromotionNotFound(f"No promotion {promotion_id}.")
    status = validity.status(promotion.state, promotion.starts_at, promotion.ends_at, clock.now())
    if status not in _ASSIGNABLE:
        raise PromotionNotActive(details={"status": status.value})
    return promotion


async def assign_to_members(
    session: AsyncSession, promotion_id: uuid.UUID, assignment_ids: Mapping[uuid.UUID, uuid.UUID]
) -> None:
    """Assign an activated promotion to many contacts at once, each under the id given (a
    segment's members: the caller has made sure each contact gets it once), each told as
    promotion.assigned."""
    promotion = await ensure_assignable(session, promotion_id)
    now = clock.now()
    expires_on = validity.expires_on(
        now, validity.zone_of(promotion.time_zone), _validity_of(promotion), promotion.ends_at
    )
    made = [
        PromotionAssignment(
            id=assignment_id,
            contact_id=contact_id,
            promotion_id=promotion_id,
            assigned_on=now,
            expires_on=expires_on,
        )
        for contact_id, assignment_id in sorted(assignment_ids.items())
    ]
    await repository.add_assignments(
        session,
        [
            {
                "id": a.id,
                "contact_id": a.contact_id,
                "promotion_id": a.promotion_id,
                "assigned_on": a.assigned_on,
                "expires_on": a.expires_on,
                "redeemed_on": None,
                "redemption_channel": None,
            }
            for a in made
        ],
    )
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.PROMOTION_ASSIGNED,
                rendered(assignment_out(a, promotion, EVENT_ZONE)),
                a.contact_id,
                now,
            )
            for a in made
        ],
    )


async def assign_request(
    session: AsyncSession, body: AssignmentRequest
) -> tuple[PromotionAssignment, Promotion]:
    """POST /promotion-assignments: ids arrive as text and are checked here."""
    contact_id = parse_id(body.contactId, InvalidContactId)
    promotion_id = parse_id(body.promotionId, InvalidPromotionId)
    assignment = await assign(session, contact_id, promotion_id)
    promotion = await repository.promotion(session, promotion_id)
    assert promotion is not None
    return assignment, promotion


async def withdraw_offers(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """An erased contact's open offers are withdrawn: nobody is left to redeem them."""
    await repository.withdraw_unredeemed(session, contact_id)


async def offers_for_contact(session: AsyncSession, contact_id_text: str, channel: str | None) -> list[Offer]:
    """What the contact can see now, optionally only promotions usable in `channel`.

    An item keeps all of its promotion's channels, as in Engage's documented examples; the filter
    decides which promotions are listed, not which of their channels are shown.
    """
    contact_id = parse_id(contact_id_text, InvalidContactId)
    visible = await repository.visible_offers(session, contact_id, clock.now())
    if not visible:
        # Only an empty answer pays for telling "no offers" from "no such contact".
        await contacts.ensure_exists(session, contact_id)
    if channel is None:
        return list(visible)
    return [
        offer for offer in visible if any(entry["type"] == channel for entry in offer.redemption_channels)
    ]
