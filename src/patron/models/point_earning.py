"""What one receipt line earned under one earning rule, and how much of it a return took back.

The row is the exactly-once key of a credit: (receipt, rule, line) is inserted once, and only
the rows this insert made are credited, so a receipt published twice can never pay twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime
from patron.models.integer_id import IntegerId


class PointEarning(Base):
    __tablename__ = "point_earnings"
    __table_args__ = (
        PrimaryKeyConstraint("contact_id", "receipt_id", "rule_id", "line_position"),
        # A return that names no original finds the contact's earlier lines of the article.
        Index("ix_point_earnings_contact_article", "contact_id", "article_number"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    receipt_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    rule_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("point_rules.id"))
    line_position: Mapped[int] = mapped_column(Integer)
    definition_id: Mapped[int] = mapped_column(IntegerId)
    article_number: Mapped[str] = mapped_column(String(200))
    # The line's paid amount, and how much of it has been returned since.
    line_amount: Mapped[Decimal] = mapped_column(Money())
    returned_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    points: Mapped[Decimal] = mapped_column(Money())
    taken_back: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # The credit's validity, which its take-backs share so they net against it exactly.
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    earned_on: Mapped[datetime] = mapped_column(UTCDateTime())
