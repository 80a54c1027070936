"""`GET /widget/offers`: the member's own offers (personal promotions) for the widget, with the
end-user token as its only credential: a member reads their own and nobody else's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from patron.auth.end_users import read_end_user_credentials
from patron.errors import Unauthorized
from patron.promotions import service as promotions
from patron.state import AppState

router = APIRouter(include_in_schema=False)


@router.get("/widget/offers")
async def offers(request: Request) -> dict[str, list[dict[str, Any]]]:
    state: AppState = request.app.state.patron
    credentials = read_end_user_credentials(request.headers)
    if credentials is None:
        raise Unauthorized("Send the member's end-user token (x-enduser-access-token and x-account-id).")
    member = await state.end_users.verify(state.database.read_sessions, credentials)
    session = request.scope["patron.unit"].session
    held = await promotions.offers_for_contact(session, str(member.contact_id), None)
    zone = state.settings.zone
    return {
        "data": [
            promotions.offer_out(offer, zone).model_dump(mode="json")
            for offer in held
            if offer.redeemed_on is None
        ]
    }
