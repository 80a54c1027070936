"""The overview: how the programme does over a chosen range of days, as charts and tables."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from patron.console.web import SignedIn, render
from patron.errors import PatronError
from patron.insights import service as insights
from patron.kit import clock

router = APIRouter(include_in_schema=False)

DEFAULT_DAYS = 30


def _by_day(span: insights.DateRange, values: dict[date, Any], empty: Any) -> list[Any]:
    return [values.get(day, empty) for day in span.days()]


def chart_data(overview: insights.Overview) -> dict[str, Any]:
    """What console.js draws, one entry a chart, every day of the range present (a quiet day is 0)."""
    span = overview.range
    labels = [day.isoformat() for day in span.days()]
    sales = {row.day: row for row in overview.sales}
    channels = sorted({row.channel for row in overview.redemptions})
    redeemed = {(row.day, row.channel): row.redemptions for row in overview.redemptions}
    points = {row.day: row for row in overview.points}
    failures = {row.day: row.failures for row in overview.webhook_failures}
    return {
        "sales": {
            "labels": labels,
            "receipts": [sales[d].receipts if d in sales else 0 for d in span.days()],
            "revenue": [float(sales[d].revenue) if d in sales else 0 for d in span.days()],
        },
        "redemptions": {
            "labels": labels,
            "channels": {
                channel: [redeemed.get((d, channel), 0) for d in span.days()] for channel in channels
            },
        },
        "challenges": {
            "labels": [row.name for row in overview.challenges],
            "completed": [row.completed for row in overview.challenges],
            "failed": [row.failed for row in overview.challenges],
        },
        "points": {
            "labels": labels,
            "issued": [float(points[d].issued) if d in points else 0 for d in span.days()],
            "spent": [float(points[d].spent) if d in points else 0 for d in span.days()],
        },
        "webhooks": {"labels": labels, "failures": _by_day(span, failures, 0)},
    }


@router.get("/console", response_class=HTMLResponse)
async def overview(
    marketer: SignedIn,
    first: date | None = Query(None, alias="from"),
    last: date | None = Query(None, alias="to"),
) -> HTMLResponse:
    zone = marketer.state.settings.zone
    today = clock.now().astimezone(zone).date()
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    try:
        span = insights.DateRange.of(first, last, zone)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "overview.html",
            {"problem": refused.message, "first": first, "last": last, "figures": None},
            status=400,
        )
    figures = await insights.overview(marketer.state.database.read_sessions, span)
    totals = {
        "receipts": sum(row.receipts for row in figures.sales),
        "revenue": sum((row.revenue for row in figures.sales), start=0),
        "redemptions": sum(row.redemptions for row in figures.redemptions),
        "completed": sum(row.completed for row in figures.challenges),
        "failed": sum(row.failed for row in figures.challenges),
        "issued": sum((row.issued for row in figures.points), start=0),
        "spent": sum((row.spent for row in figures.points), start=0),
        "webhook_failures": sum(row.failures for row in figures.webhook_failures),
    }
    return await render(
        marketer,
        marketer.request,
        "overview.html",
        {
            "figures": figures,
            "totals": totals,
            "first": first,
            "last": last,
            # "<" escaped: a challenge named "</script>" must not end the data block.
            "charts": json.dumps(chart_data(figures)).replace("<", "\\u003c"),
            "problem": None,
        },
    )
