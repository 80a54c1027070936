"""Campaigns of the campaigns dialect: a loyalty or referral campaign, its rules and the
actions each rule waits for. Small reference tables, shared by every contact."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status", "status"),)

    # camp_ and 21 characters, as the dialect's clients expect.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    # loyalty (action-based) or referral.
    type: Mapped[str] = mapped_column(String(16))
    # draft, active, paused or ended: only an active one takes events.
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignRule(Base):
    __tablename__ = "campaign_rules"
    __table_args__ = (Index("ix_campaign_rules_campaign_id", "campaign_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    # RTA (real-time actions), AWT (actions with time), IWT (inaction within time).
    action_type: Mapped[str] = mapped_column(String(3))
    # AWT and IWT: seconds from the benchmark event within which the trigger must (AWT) or
    # must not (IWT) reach its target.
    time_duration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What completing it earns, in the dialect's words ({"type": "points", "amount": 100}).
    reward: Mapped[dict[str, Any]] = mapped_column(Json)
    # A rule replaced by a new version keeps its row (its participants' progress points at
    # it) but listens to nothing any more.
    retired_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignAction(Base):
    __tablename__ = "campaign_actions"
    __table_args__ = (
        Index("ix_campaign_actions_rule_id", "rule_id"),
        # Which live actions listen to an event name: asked for every event.
        Index("ix_campaign_actions_event_name", "event_name"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule_id: Mapped[str] = mapped_column(ForeignKey("campaign_rules.id"))
    position: Mapped[int] = mapped_column(Integer)
    event_name: Mapped[str] = mapped_column(String(128))
    # AWT and IWT: benchmark (starts the timer) or trigger; RTA actions have no role.
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    aggregation: Mapped[str] = mapped_column(String(8))
    # The metadata property a sum adds up.
    property: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target: Mapped[Decimal] = mapped_column(Money())
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(Json)
