"""Imports: the bulk contact batches (`POST /contacts/bulk`), their progress, and each one's
per-row errors."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from patron.auth.roles import Caller, Role
from patron.console.web import SignedIn, render
from patron.contacts.errors import ImportNotFound
from patron.imports import service as imports
from patron.insights import service as insights

router = APIRouter(include_in_schema=False)


@router.get("/console/imports", response_class=HTMLResponse)
async def batch_list(marketer: SignedIn) -> Response:
    return await render(
        marketer,
        marketer.request,
        "imports.html",
        {"batches": await insights.import_batches(marketer.session)},
    )


@router.get("/console/imports/{batch_id}", response_class=HTMLResponse)
async def batch_page(marketer: SignedIn, batch_id: uuid.UUID) -> Response:
    try:
        batch = await imports.status(marketer.session, batch_id, Caller(marketer.key_id, Role.ADMIN))
    except ImportNotFound:
        return await render(marketer, marketer.request, "not_found.html", {"what": "import"}, status=404)
    return await render(marketer, marketer.request, "import.html", {"batch": batch})
