"""Receipt lines: one article bought (PURCHASE), brought back (RETURN) or corrected (ADJUSTMENT)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money


class ReceiptLine(Base):
    __tablename__ = "receipt_lines"
    __table_args__ = (
        # Segments find who bought an article (by number, or by the register's group or brand)
        # from these alone, without reading the wide line rows.
        Index(
            "ix_receipt_lines_article_number",
            "article_number",
            postgresql_include=["contact_id", "receipt_id", "type"],
        ),
        # The till's own group, for articles the register does not know.
        Index(
            "ix_receipt_lines_article_group",
            "article_group",
            postgresql_include=["contact_id", "receipt_id", "type", "article_number"],
            postgresql_where=text("article_group IS NOT NULL"),
            sqlite_where=text("article_group IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    receipt_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("receipts.id"), index=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    position: Mapped[int] = mapped_column(Integer())
    type: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str | None] = mapped_column(String(200), nullable=True)
    article_number: Mapped[str] = mapped_column(String(200))
    article_name: Mapped[str] = mapped_column(String(500))
    article_group: Mapped[str | None] = mapped_column(String(200), nullable=True)
    quantity: Mapped[Decimal] = mapped_column(Money())
    gross_paid_price: Mapped[Decimal] = mapped_column(Money())
    tax_amount: Mapped[Decimal] = mapped_column(Money())
    tax_percent: Mapped[Decimal] = mapped_column(Money())
    # [{"value", "type", "description"}], amounts as decimal text so JSON keeps them exact.
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
