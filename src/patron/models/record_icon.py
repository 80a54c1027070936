"""The icon an admin uploaded for a challenge or streak (`eudIcon`), kept apart from the
definition so reading definitions never loads images."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class RecordIcon(Base):
    __tablename__ = "record_icons"

    definition_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("record_definitions.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # sha256 of the content: the ETag it is served with.
    digest: Mapped[str] = mapped_column(String(64))
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
