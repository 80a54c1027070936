"""A customer's progress on campaign rules and their actions: the materialised view of the
custom events, updated in their transaction.

`side` says whose progress it is: `self` in a loyalty campaign; in a referral campaign
`referee` (the referred customer's own) or `referrer` (the referrer's, counting the events of
everyone it referred)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime


class RuleProgress(Base):
    __tablename__ = "campaign_rule_progress"
    __table_args__ = (
        Index("ix_campaign_rule_progress_campaign_id", "campaign_id"),
        # What the window job looks for: AWT and IWT timers still running, by when they end.
        Index(
            "ix_campaign_rule_progress_open_windows",
            "end_time",
            postgresql_where=text("status = 'active' AND end_time IS NOT NULL"),
            sqlite_where=text("status = 'active' AND end_time IS NOT NULL"),
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    rule_id: Mapped[str] = mapped_column(ForeignKey("campaign_rules.id"), primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(32))
    action_type: Mapped[str] = mapped_column(String(3))
    # active, completed (rewarded) or missed (the time ran out, or an IWT trigger happened).
    status: Mapped[str] = mapped_column(String(16))
    # AWT and IWT: when the benchmark was met, and when the window closes.
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())


class ActionProgress(Base):
    __tablename__ = "campaign_action_progress"

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("campaign_actions.id"), primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal] = mapped_column(Money())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
