"""The overview's figures on both databases: each chart is one aggregate query, days are the
deployment's local days, and the sums are exact."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import event

from patron.db.engine import Database
from patron.db.session import transaction
from patron.errors import BadRequest
from patron.insights import service as insights
from patron.models import Promotion, PromotionAssignment, Receipt
from tests.clock import frozen_at

UTC_ZONE = ZoneInfo("UTC")


def _receipt(contact_id: uuid.UUID, at: datetime, total: str) -> Receipt:
    n = uuid.uuid4()
    return Receipt(
        id=n,
        unique_receipt_id=f"r-{n}",
        fingerprint="f" * 64,
        contact_id=contact_id,
        store_external_id="store-1",
        receipt_number=str(n)[:8],
        created_date=at,
        currency="EUR",
        total_gross_price=Decimal(total),
        used_promotions=[],
        recorded_on=at,
    )


async def _contact(client: httpx.AsyncClient, admin: dict[str, str]) -> uuid.UUID:
    created = await client.post(
        "/api/v3/contacts", headers=admin, json={"firstName": "Ada", "email": f"{uuid.uuid4()}@example.com"}
    )
    assert created.status_code == 201, created.text
    return uuid.UUID(created.json()["id"])


async def test_sales_and_redemptions_are_summed_per_local_day_in_one_query_each(
    client: httpx.AsyncClient, admin: dict[str, str], database: Database
) -> None:
    contact_id = await _contact(client, admin)
    promotion_id = uuid.uuid4()
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    async with transaction(database) as session:
        session.add_all(
            [
                _receipt(contact_id, datetime(2026, 11, 3, 23, 30, tzinfo=UTC), "10.25"),
                _receipt(contact_id, datetime(2026, 11, 3, 8, 0, tzinfo=UTC), "4.75"),
                _receipt(contact_id, datetime(2026, 11, 4, 0, 30, tzinfo=UTC), "100"),
                # Outside the range on both sides.
                _receipt(contact_id, datetime(2026, 11, 1, 23, 59, tzinfo=UTC), "999"),
                _receipt(contact_id, datetime(2026, 11, 6, 0, 0, tzinfo=UTC), "999"),
                Promotion(
                    id=promotion_id,
                    name="Ten off",
                    state="Active",
                    start_date=date(2026, 11, 1),
                    time_zone="UTC",
                    starts_at=moment,
                    redemption_channels=[],
                    created_on=moment,
                    modified_on=moment,
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                PromotionAssignment(
                    id=uuid.uuid4(),
                    contact_id=contact_id,
                    promotion_id=promotion_id,
                    assigned_on=moment,
                    redeemed_on=datetime(2026, 11, 4, 12, tzinfo=UTC),
                    redemption_channel=channel,
                )
                for channel in ("POS", "POS", "ECOM")
            ]
        )
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = database.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        with frozen_at(datetime(2026, 11, 10, tzinfo=UTC)):
            figures = await insights.overview(
                database.read_sessions, insights.DateRange.of(date(2026, 11, 2), date(2026, 11, 5), UTC_ZONE)
            )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [(row.day, row.receipts, row.revenue) for row in figures.sales] == [
        (date(2026, 11, 3), 2, Decimal("15.00")),
        (date(2026, 11, 4), 1, Decimal("100.00")),
    ]
    assert [(row.day, row.channel, row.redemptions) for row in figures.redemptions] == [
        (date(2026, 11, 4), "ECOM", 1),
        (date(2026, 11, 4), "POS", 2),
    ]
    assert figures.points == [] and figures.webhook_failures == [] and figures.challenges == []
    # One aggregate statement per chart, however many rows: no query per day or per row.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5


def test_a_range_ending_before_it_starts_or_longer_than_allowed_is_refused() -> None:
    for first, last in ((date(2026, 2, 2), date(2026, 2, 1)), (date(2025, 1, 1), date(2026, 6, 1))):
        try:
            insights.DateRange.of(first, last, UTC_ZONE)
        except BadRequest as refused:
            assert refused.status == 400
        else:
            raise AssertionError(f"{first}..{last} was taken")
