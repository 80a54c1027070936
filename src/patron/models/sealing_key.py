"""The sealing key a deployment generated for itself when PATRON_SECRET_KEY is not set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class SealingKey(Base):
    __tablename__ = "sealing_keys"

    # One row, "generated": written once by the first process that needs it.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # 32 random bytes, URL-safe base64: the AES-GCM key that seals API key secrets.
    key: Mapped[str] = mapped_column(String(100))
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
