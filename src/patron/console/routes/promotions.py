"""Promotions (personal offers): list with how many hold and redeemed each, create a draft, edit
it while it is a draft, activate and deactivate, and assign it to a contact."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.responses import Response

from patron.console.routes import promotion_form
from patron.console.web import Marketer, SignedIn, field, parse_uuid, problems_of, render, see_other
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.schemas import LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import PatronError
from patron.insights import service as insights
from patron.kit import clock
from patron.promotions import service as promotions
from patron.promotions.errors import PromotionNotFound
from patron.promotions.schemas import NewPromotion, PromotionChange

router = APIRouter(include_in_schema=False)


def _choices() -> dict[str, Any]:
    return {
        "channels": promotion_form.CHANNELS,
        "value_types": promotion_form.VALUE_TYPES,
        "units": promotion_form.UNITS,
    }


async def _list(
    marketer: Marketer, values: dict[str, str], problems: list[str] | None, status: int
) -> Response:
    return await render(
        marketer,
        marketer.request,
        "promotions.html",
        {
            "rows": await insights.promotions(marketer.session),
            "status_of": promotions.status_of,
            "values": values,
            "problems": problems,
            "notice": marketer.request.query_params.get("notice"),
            **_choices(),
        },
        status=status,
    )


@router.get("/console/promotions", response_class=HTMLResponse)
async def promotion_list(marketer: SignedIn) -> Response:
    today = clock.now().astimezone(marketer.state.settings.zone).date().isoformat()
    return await _list(marketer, {"startDate": today, "validityAmount": "30", "POS.on": "1"}, None, 200)


@router.post("/console/promotions", response_class=HTMLResponse)
async def create(marketer: SignedIn) -> Response:
    form = await marketer.request.form()
    try:
        body = NewPromotion.model_validate(promotion_form.body_of(form))
        created = await promotions.create_draft(marketer.session, body, marketer.state.settings.zone)
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await _list(marketer, promotion_form.values_of_form(form), problems_of(refused), status)
    return see_other(f"/console/promotions/{created.id}", "Draft saved. Activate it when it is ready.")


async def _page(
    marketer: Marketer,
    promotion_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    try:
        promotion = await promotions.get(marketer.session, promotion_id)
    except PromotionNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "promotion"}, status=404)
    counts = await insights.counts_of(marketer.session, promotion)
    return await render(
        marketer,
        marketer.request,
        "promotion.html",
        {
            "promotion": promotion,
            "state": promotions.status_of(promotion),
            "counts": counts,
            "values": values or promotion_form.values_of(promotion),
            "problems": problems,
            "notice": marketer.request.query_params.get("notice"),
            **_choices(),
        },
        status=status,
    )


@router.get("/console/promotions/{promotion_id}", response_class=HTMLResponse)
async def promotion_page(marketer: SignedIn, promotion_id: uuid.UUID) -> Response:
    return await _page(marketer, promotion_id)


@router.post("/console/promotions/{promotion_id}", response_class=HTMLResponse)
async def edit(marketer: SignedIn, promotion_id: uuid.UUID) -> Response:
    form = await marketer.request.form()
    try:
        body = PromotionChange.model_validate(promotion_form.body_of(form))
        await promotions.replace(marketer.session, promotion_id, body, marketer.state.settings.zone)
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await _page(
            marketer,
            promotion_id,
            values=promotion_form.values_of_form(form),
            problems=problems_of(refused),
            status=status,
        )
    return see_other(f"/console/promotions/{promotion_id}", "Saved.")


@router.post("/console/promotions/{promotion_id}/activate", response_class=HTMLResponse)
async def activate(marketer: SignedIn, promotion_id: uuid.UUID) -> Response:
    try:
        await promotions.activate(marketer.session, promotion_id)
    except PatronError as refused:
        return await _page(marketer, promotion_id, problems=problems_of(refused), status=refused.status)
    return see_other(f"/console/promotions/{promotion_id}", "Activated.")


@router.post("/console/promotions/{promotion_id}/deactivate", response_class=HTMLResponse)
async def deactivate(marketer: SignedIn, promotion_id: uuid.UUID) -> Response:
    try:
        await promotions.deactivate(marketer.session, promotion_id)
    except PatronError as refused:
        return await _page(marketer, promotion_id, problems=problems_of(refused), status=refused.status)
    return see_other(f"/console/promotions/{promotion_id}", "Deactivated: it is no longer offered.")


async def _contact_named(marketer: Marketer, text: str) -> uuid.UUID:
    """A contact by id or by any unique key (e-mail, phone, member number, card, external id)."""
    rules = ContactRules.from_settings(marketer.state.settings)
    by_id = parse_uuid(text)
    if by_id is not None:
        await contacts.ensure_exists(marketer.session, by_id)
        return by_id
    return await contacts.lookup_id(marketer.session, LookupKeys(any=text), rules)


@router.post("/console/promotions/{promotion_id}/assign", response_class=HTMLResponse)
async def assign(marketer: SignedIn, promotion_id: uuid.UUID) -> Response:
    form = await marketer.request.form()
    text = field(form, "contact")
    try:
        if not text:
            raise ContactNotFound("Name the contact: an id, e-mail, phone, member number or card.")
        contact_id = await _contact_named(marketer, text)
        await promotions.assign(marketer.session, contact_id, promotion_id)
    except PatronError as refused:
        return await _page(marketer, promotion_id, problems=problems_of(refused), status=refused.status)
    return see_other(f"/console/contacts/{contact_id}", "The offer was assigned.")


@router.post("/console/contacts/{contact_id}/assign", response_class=HTMLResponse)
async def assign_to_contact(marketer: SignedIn, contact_id: uuid.UUID) -> Response:
    form = await marketer.request.form()
    promotion_id = parse_uuid(field(form, "promotion"))
    try:
        if promotion_id is None:
            raise PromotionNotFound("Choose a promotion.")
        await promotions.assign(marketer.session, contact_id, promotion_id)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": problems_of(refused), "back": f"/console/contacts/{contact_id}"},
            status=refused.status,
        )
    return see_other(f"/console/contacts/{contact_id}", "The offer was assigned.")
