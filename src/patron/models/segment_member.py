"""A segment's members as of its last refresh."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, PrimaryKeyConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base


class SegmentMember(Base):
    __tablename__ = "segment_members"
    __table_args__ = (PrimaryKeyConstraint("segment_id", "contact_id"),)

    segment_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("segments.id", ondelete="CASCADE"))
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
