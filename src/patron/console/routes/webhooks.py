"""Webhooks: the endpoints Patron tells about events, each one's deliveries with their attempts,
and a retry button for a delivery that failed."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from patron.console.web import SignedIn, render, see_other
from patron.errors import PatronError
from patron.webhooks import service as webhooks
from patron.webhooks.errors import WebhookNotFound

router = APIRouter(include_in_schema=False)

PAGE = 50


@router.get("/console/webhooks", response_class=HTMLResponse)
async def endpoint_list(marketer: SignedIn) -> Response:
    rows, total = await webhooks.page(marketer.session, 0, 200)
    return await render(
        marketer,
        marketer.request,
        "webhooks.html",
        {"endpoints": [webhooks.webhook_out(row) for row in rows], "total": total},
    )


@router.get("/console/webhooks/{endpoint_id}", response_class=HTMLResponse)
async def endpoint_page(
    marketer: SignedIn,
    endpoint_id: uuid.UUID,
    status: str | None = Query(None, max_length=20),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> Response:
    try:
        endpoint = await webhooks.get(marketer.session, endpoint_id)
    except WebhookNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "webhook"}, status=404)
    try:
        deliveries, total = await webhooks.deliveries(
            marketer.session, endpoint_id, offset, PAGE, status or None
        )
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": [refused.message], "back": "/console/webhooks"},
            status=refused.status,
        )
    return await render(
        marketer,
        marketer.request,
        "webhook.html",
        {
            "endpoint": webhooks.webhook_out(endpoint),
            "deliveries": deliveries,
            "total": total,
            "status": status or "",
            "offset": offset,
            "page": PAGE,
            "notice": marketer.request.query_params.get("notice"),
        },
    )


@router.post("/console/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry", response_class=HTMLResponse)
async def retry(marketer: SignedIn, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> Response:
    try:
        await webhooks.retry(marketer.session, endpoint_id, delivery_id)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": [refused.message], "back": f"/console/webhooks/{endpoint_id}"},
            status=refused.status,
        )
    return see_other(f"/console/webhooks/{endpoint_id}", "The delivery is queued to be sent again now.")
