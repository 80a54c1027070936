"""API keys: the secret is checked against its SHA-256 hash, and kept sealed (AES-GCM) so the
HMAC of an end-user token signed with it can be checked too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


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
    # The secret sealed with the deployment's sealing key (auth.sealing); NULL for keys made
    # before secrets were sealed, whose end-user tokens are refused.
    sealed_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The web shops' origins (`https://shop.example.com`) whose pages may call Patron with an
    # end-user token this key signed: the widget's CORS allowance (docs/CONSOLE.md).
    allowed_origins: Mapped[list[str]] = mapped_column(Json, default=list, server_default="[]")
