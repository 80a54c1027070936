"""Campaigns (the reward-progress dialect's): each with its status, dates and rules, and ending
one, through the service /campaigns uses. Campaigns are created through that API."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from patron.campaigns import definitions as campaigns
from patron.console.web import SignedIn, problems_of, render, see_other
from patron.errors import PatronError

router = APIRouter(include_in_schema=False)

PAGE = 50


@router.get("/console/campaigns", response_class=HTMLResponse)
async def campaign_list(marketer: SignedIn, offset: int = Query(0, ge=0, le=10_000_000)) -> Response:
    listed = await campaigns.page(marketer.session, None, None, offset, PAGE)
    return await render(
        marketer,
        marketer.request,
        "campaigns.html",
        {"listed": listed, "page": PAGE, "notice": marketer.request.query_params.get("notice")},
    )


@router.post("/console/campaigns/{campaign_id}/end", response_class=HTMLResponse)
async def end(marketer: SignedIn, campaign_id: str) -> Response:
    try:
        ended = await campaigns.end(marketer.session, campaign_id)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": problems_of(refused), "back": "/console/campaigns"},
            status=refused.status,
        )
    return see_other("/console/campaigns", f"{ended.campaign_name} has ended; what was earned stays earned.")
