"""Customers of the campaigns dialect: a contact found by its externalId (the source id),
made when none exists, so an event never waits for a separate contact call.

Each customer has a referral code of its own (sent, or drawn), unique across every contact
through its lookup table; a signup event carrying another customer's code links the new
customer to that referrer, once.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import public_ids, repository
from patron.campaigns.definitions import iso
from patron.campaigns.errors import CustomerNotFound, ReferralCodeTaken
from patron.campaigns.schemas import (
    CustomerIn,
    CustomerOut,
    Referral,
    ReferralCodeCheck,
    ReferralList,
)
from patron.contacts import service as contacts
from patron.contacts.errors import ContactAlreadyExists, ContactNotFound
from patron.contacts.schemas import ContactFields, LookupKeys
from patron.contacts.service import ContactRules
from patron.kit import clock
from patron.models import CampaignCustomer

# No 0/O, 1/I/L: a code is read out and typed in.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 8
# A contact not yet met as a customer has no referral code; one is drawn when it is.
NO_CODE_YET = ""


def customer_out(customer: CampaignCustomer, referrer: CampaignCustomer | None = None) -> CustomerOut:
    return CustomerOut(
        id=public_ids.customer_id(customer.contact_id),
        source_id=customer.source_id,
        metadata=dict(customer.details),
        referral_code=customer.referral_code or None,
        referred_by=referrer.source_id if referrer is not None else None,
        created_at=iso(customer.created_on) or "",
        updated_at=iso(customer.modified_on) or "",
    )


async def _contact_of(
    session: AsyncSession, source_id: str, rules: ContactRules, *, create: bool
) -> uuid.UUID | None:
    try:
        return await contacts.lookup_id(session, LookupKeys(externalId=source_id), rules)
    except ContactNotFound:
        if not create:
            return None
    try:
        made = await contacts.create(session, ContactFields(externalId=source_id), rules)
    except ContactAlreadyExists:
        # Made by a concurrent request since we looked: it is the one.
        return await contacts.lookup_id(session, LookupKeys(externalId=source_id), rules)
    return made.id


async def _draw_code(session: AsyncSession, contact_id: uuid.UUID) -> str:
    for _ in range(8):
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        if await repository.claim_referral_code(session, code, contact_id):
            return code
    raise RuntimeError("no free referral code after 8 draws")


async def _made(
    session: AsyncSession, contact_id: uuid.UUID, source_id: str, metadata: dict[str, Any], code: str | None
) -> CampaignCustomer:
    """The contact's customer row, made now unless it exists."""
    found = await repository.customer(session, contact_id)
    if found is not None:
        return found
    if code is not None and not await repository.claim_referral_code(session, code, contact_id):
        raise ReferralCodeTaken(details={"referral_code": code})
    now = clock.now()
    chosen = code or await _draw_code(session, contact_id)
    await repository.insert_customer(
        session,
        {
            "contact_id": contact_id,
            "source_id": source_id,
            "metadata": metadata,
            "referral_code": chosen,
            "referred_by": None,
            "referred_at": None,
            "created_on": now,
            "modified_on": now,
        },
    )
    made = await repository.customer(session, contact_id)
    assert made is not None
    if made.referral_code != chosen:
        # A concurrent request made the row first with its own code; ours is given back.
        await repository.release_referral_code(session, chosen)
    return made


async def resolve(session: AsyncSession, source_id: str, rules: ContactRules) -> CampaignCustomer:
    """The customer with this source id, made (with its contact) when there is none."""
    contact_id = await _contact_of(session, source_id, rules, create=True)
    assert contact_id is not None
    return await _made(session, contact_id, source_id, {}, None)


async def find(session: AsyncSession, source_id: str, rules: ContactRules) -> CampaignCustomer:
    """The customer with this source id: 404 in the seed's words when there is no such
    contact. A contact this dialect has not met yet (made through Engage or the record
    dialect) is its customer as it stands: no metadata, no referral code yet, nothing stored."""
    contact_id = await _contact_of(session, source_id, rules, create=False)
    if contact_id is None:
        raise CustomerNotFound(source_id)
    found = await repository.customer(session, contact_id)
    if found is not None:
        return found
    contact = await contacts.get(session, contact_id)
    return CampaignCustomer(
        contact_id=contact_id,
        source_id=source_id,
        details={},
        referral_code=NO_CODE_YET,
        referred_by=None,
        referred_at=None,
        created_on=contact.created_on,
        modified_on=contact.modified_on,
    )


async def upsert(session: AsyncSession, body: CustomerIn, rules: ContactRules) -> tuple[CustomerOut, bool]:
    """Create or update the customer; whether it was created."""
    contact_id = await _contact_of(session, body.source_id, rules, create=True)
    assert contact_id is not None
    existing = await repository.customer(session, contact_id)
    if existing is None:
        made = await _made(session, contact_id, body.source_id, dict(body.metadata or {}), body.referral_code)
        return customer_out(made, await _referrer(session, made)), True
    (customer,) = await repository.lock_customers(session, [contact_id])
    now = clock.now()
    if body.metadata is not None:
        customer.details = {**customer.details, **body.metadata}
    if body.referral_code is not None and body.referral_code != customer.referral_code:
        if not await repository.claim_referral_code(session, body.referral_code, contact_id):
            raise ReferralCodeTaken(details={"referral_code": body.referral_code})
        await repository.release_referral_code(session, customer.referral_code)
        customer.referral_code = body.referral_code
    customer.modified_on = now
    await session.flush()
    return customer_out(customer, await _referrer(session, customer)), False


async def _referrer(session: AsyncSession, customer: CampaignCustomer) -> CampaignCustomer | None:
    return None if customer.referred_by is None else await repository.customer(session, customer.referred_by)


async def read(session: AsyncSession, source_id: str, rules: ContactRules) -> CustomerOut:
    customer = await find(session, source_id, rules)
    return customer_out(customer, await _referrer(session, customer))


async def check_code(session: AsyncSession, code: str) -> ReferralCodeCheck:
    holder = await repository.holder_of_code(session, code)
    if holder is None:
        raise CustomerNotFound.for_code(code)
    return ReferralCodeCheck(
        valid=True,
        referral_code=code,
        source_id=holder.source_id,
        customer_id=public_ids.customer_id(holder.contact_id),
    )


async def referrals(session: AsyncSession, source_id: str, rules: ContactRules) -> ReferralList:
    customer = await find(session, source_id, rules)
    referred = await repository.referrals_of(session, customer.contact_id)
    completed = await repository.completed_referees(session, [r.contact_id for r in referred])
    return ReferralList(
        source_id=customer.source_id,
        total=len(referred),
        referrals=[
            Referral(
                id=public_ids.customer_id(r.contact_id),
                source_id=r.source_id,
                referred_at=iso(r.referred_at),
                status="completed" if r.contact_id in completed else "signed_up",
            )
            for r in referred
        ],
    )


async def link_referrer(session: AsyncSession, customer: CampaignCustomer, code: str, at: datetime) -> bool:
    """Link a signing-up customer to the holder of `code`, once; whether it was linked now.
    An unknown code, one's own code, or a customer already referred changes nothing."""
    if customer.referred_by is not None:
        return False
    holder = await repository.holder_of_code(session, code)
    if holder is None or holder.contact_id == customer.contact_id:
        return False
    customer.referred_by, customer.referred_at = holder.contact_id, at
    customer.modified_on = clock.now()
    await session.flush()
    return True
