"""Interactions: one contact's stored event of a schema's kind, its payload valid against the
schema. Activity: each is told as interaction.created."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        # A contact's interactions of one schema, newest first: the list integrations read.
        Index("ix_interactions_contact_id_schema_id_created_date", "contact_id", "schema_id", "created_date"),
        # GET /interactions/{id} names the interaction alone.
        Index("ix_interactions_id", "id", unique=True),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    schema_id: Mapped[str] = mapped_column(String(200), ForeignKey("interaction_schemas.id"))
    # When it happened (the client's createdDate), and when Patron stored it.
    created_date: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    received_on: Mapped[datetime] = mapped_column(UTCDateTime())
