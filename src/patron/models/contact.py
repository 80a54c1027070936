"""Contacts: a customer, with the unique keys a till or web shop finds them by."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime

# The one condition under which a contact is present: an erased contact is absent from every
# contact-scoped call (404 ContactNotFound), whatever its row still holds.
LIVE_SQL = "erased_on IS NULL"
_LIVE = text(LIVE_SQL)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # "Is this a live contact?" (a receipt's, a checkpoint batch's thousand) answered from
        # the index alone, without reading the wide rows.
        Index("ix_contacts_live", "id", unique=True, postgresql_where=_LIVE, sqlite_where=_LIVE),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    contact_type: Mapped[str] = mapped_column(String(50), default="Contact")
    # Unique keys, stored normalised (e-mail lower-cased, phone E.164); NULL when absent.
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)
    mobile_phone: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    member_number: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    card_id: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    preferences: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    consents: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    store_external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
    # Erased contacts keep their row (receipts and rewards point at it) but no personal data.
    erased_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


LIVE = Contact.erased_on.is_(None)
