"""Engage challenges (checkpoints toward a number, optional expiry): create one, activate it and
end it, through the service the /api/v3/challenges routes use."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.responses import Response

from patron.auth.roles import Caller, Role
from patron.challenges import service as engage
from patron.challenges.errors import ChallengeDefinitionNotFound
from patron.challenges.render import status_now
from patron.challenges.schemas import DefinitionFields
from patron.console.web import Marketer, SignedIn, field, problems_of, render, see_other
from patron.errors import PatronError

router = APIRouter(include_in_schema=False)


def _caller(marketer: Marketer) -> Caller:
    return Caller(marketer.key_id, Role.ADMIN)


def _fields(form: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": field(form, "engageName"),
        "requiredNumberOfCheckpoints": field(form, "requiredNumberOfCheckpoints"),
        "isRecurring": bool(field(form, "isRecurring")),
        "status": field(form, "engageStatus") or "Draft",
    }
    for name, wire in (
        ("engageDescription", "description"),
        ("imageUrl", "imageUrl"),
        ("expirationMonths", "expirationMonths"),
    ):
        if field(form, name):
            body[wire] = field(form, name)
    return body


@router.post("/console/challenges/engage", response_class=HTMLResponse)
async def create(marketer: SignedIn) -> Response:
    form = await marketer.request.form()
    state = marketer.state
    try:
        fields = DefinitionFields.model_validate(_fields(form))
        created = await engage.create_definition(
            marketer.session, fields, _caller(marketer), state.settings.zone, state.receipt_rules
        )
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": problems_of(refused), "back": "/console/challenges"},
            status=status,
        )
    return see_other(f"/console/challenges/engage/{created.id}", "The Engage challenge was created.")


@router.get("/console/challenges/engage/{definition_id}", response_class=HTMLResponse)
async def definition_page(marketer: SignedIn, definition_id: uuid.UUID) -> Response:
    try:
        definition = await engage.get_definition(marketer.session, definition_id)
    except ChallengeDefinitionNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "challenge"}, status=404)
    return await render(
        marketer,
        marketer.request,
        "engage_challenge.html",
        {
            "definition": definition,
            "status": status_now(definition).name.title(),
            "notice": marketer.request.query_params.get("notice"),
        },
    )


@router.post("/console/challenges/engage/{definition_id}/{action}", response_class=HTMLResponse)
async def change(marketer: SignedIn, definition_id: uuid.UUID, action: str) -> Response:
    state = marketer.state
    steps = {"activate": engage.activate, "end": engage.end}
    step = steps.get(action)
    if step is None:
        return await render(marketer, marketer.request, "not_found.html", {"what": "action"}, status=404)
    try:
        await step(marketer.session, definition_id, _caller(marketer), state.receipt_rules)
    except PatronError as refused:
        return await render(
            marketer,
            marketer.request,
            "refused.html",
            {"problems": problems_of(refused), "back": f"/console/challenges/engage/{definition_id}"},
            status=refused.status,
        )
    done = "Activated." if action == "activate" else "Ended: no new checkpoints count."
    return see_other(f"/console/challenges/engage/{definition_id}", done)
