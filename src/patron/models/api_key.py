"""API keys: the secret is kept only as its SHA-256 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # This key's own rate limit (requests per second, and the bucket's size); NULL means its
    # role's default (PATRON_RATE_*, docs/RATE_LIMITS.md).
    rate_per_second: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rate_burst: Mapped[int | None] = mapped_column(Integer, nullable=True)
