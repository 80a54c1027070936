"""Customers of the campaigns dialect: a contact seen by its source id (the contact's
externalId), with the dialect's metadata, its own referral code and who referred it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class CampaignCustomer(Base):
    __tablename__ = "campaign_customers"
    __table_args__ = (Index("ix_campaign_customers_referred_by", "referred_by"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200))
    # The dialect's free-form customer metadata.
    # The attribute is `details`: SQLAlchemy keeps `metadata` for the table registry.
    details: Mapped[dict[str, Any]] = mapped_column("metadata", Json)
    referral_code: Mapped[str] = mapped_column(String(64))
    # The referrer's contact, set once by the first signup event that carries its code.
    referred_by: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())


class ReferralCode(Base):
    """A referral code is unique across every contact, so it has a lookup table of its own,
    keyed by the code (the schema's rule for what must be unique across contacts)."""

    __tablename__ = "referral_codes"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
