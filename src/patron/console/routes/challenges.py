"""Challenges: the record dialect's challenges and streaks (create, go live or pause, milestones
with their rewards, the end-user display in each language with a live preview of its messages)
and the Engage challenge definitions, through the same services as the API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from patron.challenges import service as engage
from patron.challenges.schemas import DefinitionStatusFilter
from patron.console.routes import challenge_display as eud
from patron.console.web import Marketer, SignedIn, field, problems_of, render, see_other
from patron.errors import PatronError
from patron.records import definitions, display, reads
from patron.records.errors import RecordNotFound
from patron.records.query import ListQuery
from patron.records.schemas import DefinitionChanges, Kind, NewDefinition, NewMilestone

router = APIRouter(include_in_schema=False)

KINDS = tuple(kind.value for kind in Kind)
PERIODS = ("daily", "weekly", "monthly")
METHODS = ("sum", "count")
STATUSES = ("draft", "live", "paused")
REWARDS = ("coupon", "points", "promotion")


def _choices() -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "periods": PERIODS,
        "methods": METHODS,
        "statuses": STATUSES,
        "reward_types": REWARDS,
        "labels": eud.LABELS,
        "messages": eud.MESSAGES,
    }


def _definition_body(form: FormData) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": field(form, "name"),
        "description": field(form, "description"),
        "status": field(form, "status") or "draft",
        "completionTargetValue": field(form, "completionTargetValue"),
        "aggregationMethod": field(form, "aggregationMethod") or "sum",
        "aggregationPeriod": field(form, "aggregationPeriod") or "monthly",
        **eud.eud_of(form),
    }
    if field(form, "aggregationTargetValue"):
        body["aggregationTargetValue"] = field(form, "aggregationTargetValue")
    if field(form, "timezone"):
        body["timezone"] = field(form, "timezone")
    return body


async def _list(
    marketer: Marketer, values: dict[str, str], problems: list[str] | None, status: int
) -> Response:
    staff = reads.Viewer(staff=True)
    records = {
        kind.value: (await reads.definitions(marketer.session, kind, ListQuery(limit=1000), staff))["data"]
        for kind in Kind
    }
    engage_rows, _ = await engage.definitions_page(marketer.session, DefinitionStatusFilter.ALL, 0, 500)
    texts = {name: values.get(name) or None for name in eud.FIELDS}
    return await render(
        marketer,
        marketer.request,
        "challenges.html",
        {
            "records": records,
            "engage": engage_rows,
            "values": values,
            "problems": problems,
            "preview": eud.preview(texts, values.get("aggregationPeriod", "monthly"), ""),
            "defaults": display.DEFINITION_FIELDS,
            **_choices(),
        },
        status=status,
    )


@router.get("/console/challenges", response_class=HTMLResponse)
async def challenge_list(marketer: SignedIn) -> Response:
    return await _list(marketer, {"aggregationPeriod": "monthly", "kind": "challenge"}, None, 200)


@router.post("/console/challenges", response_class=HTMLResponse)
async def create(marketer: SignedIn) -> Response:
    form = await marketer.request.form()
    kind_text = field(form, "kind")
    try:
        kind = Kind(kind_text)
        body = NewDefinition.model_validate(_definition_body(form))
        created = await definitions.create(marketer.session, kind, body, None)
    except ValueError as refused:  # a ValidationError is a ValueError too
        problems = (
            problems_of(refused) if isinstance(refused, ValidationError) else [f"Unknown kind {kind_text!r}."]
        )
        return await _list(marketer, _values(form), problems, 400)
    except PatronError as refused:
        return await _list(marketer, _values(form), problems_of(refused), refused.status)
    return see_other(f"/console/challenges/{kind.value}/{created.id}", f"The {kind.value} was created.")


def _values(form: FormData) -> dict[str, str]:
    return {name: value for name, value in form.items() if isinstance(value, str) and name != "csrf"}


@router.post("/console/challenges/preview", response_class=HTMLResponse)
async def preview(marketer: SignedIn) -> Response:
    """The live preview: the messages as typed so far, rendered (htmx swaps it in)."""
    form = await marketer.request.form()
    texts = {name: field(form, name) or None for name in eud.FIELDS}
    rendered = eud.preview(
        texts, field(form, "aggregationPeriod") or "monthly", field(form, "sampleRemaining")
    )
    return await render(
        marketer, marketer.request, "challenge_preview.html", {"preview": rendered, "messages": eud.MESSAGES}
    )


async def _page(
    marketer: Marketer,
    kind: Kind,
    definition_id: uuid.UUID,
    *,
    language: str | None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    session = marketer.session
    try:
        row = await definitions.get(session, kind, definition_id)
    except RecordNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": kind.value}, status=404)
    milestones = sorted(await definitions.milestones_of(session, [row.id]), key=lambda m: m.target)
    texts = eud.shown(row, language)
    return await render(
        marketer,
        marketer.request,
        "challenge.html",
        {
            "kind": kind.value,
            "row": row,
            "milestones": milestones,
            "language": language or "",
            "languages": sorted(row.eud_translations),
            "own": eud.own_values(row, language),
            "texts": texts,
            "preview": eud.preview(texts, row.aggregation_period, ""),
            "problems": problems,
            "notice": marketer.request.query_params.get("notice"),
            **_choices(),
        },
        status=status,
    )


def _kind(text: str) -> Kind | None:
    return Kind(text) if text in KINDS else None


@router.get("/console/challenges/{kind}/{definition_id}", response_class=HTMLResponse)
async def challenge_page(
    marketer: SignedIn, kind: str, definition_id: uuid.UUID, language: str | None = None
) -> Response:
    found = _kind(kind)
    code = display.language_code(language) if language else None
    if found is None:
        return await render(marketer, marketer.request, "not_found.html", {"what": "challenge"}, status=404)
    return await _page(marketer, found, definition_id, language=code)


@router.post("/console/challenges/{kind}/{definition_id}/display", response_class=HTMLResponse)
async def save_display(marketer: SignedIn, kind: str, definition_id: uuid.UUID) -> Response:
    """The EUD fields of one language (none: the default ones)."""
    found = _kind(kind)
    if found is None:
        return await render(marketer, marketer.request, "not_found.html", {"what": "challenge"}, status=404)
    form = await marketer.request.form()
    language: str | None = None
    try:
        language = display.language_code(field(form, "language") or None)
        body = DefinitionChanges.model_validate(eud.eud_of(form))
        await definitions.change(marketer.session, found, definition_id, body, language)
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await _page(
            marketer, found, definition_id, language=language, problems=problems_of(refused), status=status
        )
    where = f"/console/challenges/{found.value}/{definition_id}" + (
        f"?language={language}" if language else ""
    )
    return see_other(where, f"Display saved{f' for {language}' if language else ''}.")


@router.post("/console/challenges/{kind}/{definition_id}/status", response_class=HTMLResponse)
async def change_status(marketer: SignedIn, kind: str, definition_id: uuid.UUID) -> Response:
    found = _kind(kind)
    if found is None:
        return await render(marketer, marketer.request, "not_found.html", {"what": "challenge"}, status=404)
    form = await marketer.request.form()
    try:
        body = DefinitionChanges.model_validate({"status": field(form, "status")})
        await definitions.change(marketer.session, found, definition_id, body, None)
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await _page(
            marketer, found, definition_id, language=None, problems=problems_of(refused), status=status
        )
    return see_other(f"/console/challenges/{found.value}/{definition_id}", f"Now {field(form, 'status')}.")


def _reward(form: FormData) -> dict[str, Any]:
    kind = field(form, "rewardType")
    if kind == "points":
        reward: dict[str, Any] = {"type": "points", "amount": field(form, "points")}
        if field(form, "pointDefinitionId"):
            reward["definitionId"] = field(form, "pointDefinitionId")
        return reward
    if kind == "promotion":
        return {"type": "promotion", "promotionId": field(form, "promotionId")}
    reward = {"type": "coupon", "codePrefix": field(form, "codePrefix")}
    if field(form, "validDays"):
        reward["validDays"] = field(form, "validDays")
    return reward


@router.post("/console/challenges/{kind}/{definition_id}/milestones", response_class=HTMLResponse)
async def add_milestone(marketer: SignedIn, kind: str, definition_id: uuid.UUID) -> Response:
    found = _kind(kind)
    if found is None:
        return await render(marketer, marketer.request, "not_found.html", {"what": "challenge"}, status=404)
    form = await marketer.request.form()
    body: dict[str, Any] = {
        "linkedSchemaSlug": found.value,
        "linkedSchemaRecordId": str(definition_id),
        "name": field(form, "milestoneName"),
        "description": field(form, "milestoneDescription"),
        "milestoneTargetValue": field(form, "milestoneTargetValue"),
        "status": field(form, "milestoneStatus") or "live",
        "reward": _reward(form),
    }
    if field(form, "eudMilestoneRewardInstructionMessage"):
        body["eudMilestoneRewardInstructionMessage"] = field(form, "eudMilestoneRewardInstructionMessage")
    try:
        await definitions.create_milestone(marketer.session, NewMilestone.model_validate(body), None)
    except (ValidationError, PatronError) as refused:
        status = refused.status if isinstance(refused, PatronError) else 400
        return await _page(
            marketer, found, definition_id, language=None, problems=problems_of(refused), status=status
        )
    return see_other(f"/console/challenges/{found.value}/{definition_id}", "Milestone added.")
