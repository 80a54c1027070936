"""Point accounts: one per contact and point definition; the row transactions lock.

The balance is not stored: it depends on the clock (pending points become active, active
ones expire), so it is summed from the transactions when read.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime
from patron.models.integer_id import IntegerId


class PointAccount(Base):
    __tablename__ = "point_accounts"
    __table_args__ = (UniqueConstraint("contact_id", "definition_id"),)

    id: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    definition_id: Mapped[int] = mapped_column(IntegerId, ForeignKey("point_definitions.id"))
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
