"""A promotion given to a contact as a segment member: at most once per contact and promotion,
whichever job or run gets there first."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import PrimaryKeyConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class SegmentAssignment(Base):
    __tablename__ = "segment_assignments"
    __table_args__ = (PrimaryKeyConstraint("contact_id", "promotion_id"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    promotion_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    assignment_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    assigned_on: Mapped[datetime] = mapped_column(UTCDateTime())
