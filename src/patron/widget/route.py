"""`GET /widget.js`: the `<patron-rewards>` web component, cacheable, served to any page (a
script tag is not a cross-origin read; what it then calls is governed by WidgetOrigins)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

SOURCE = Path(__file__).with_name("widget.js")


@router.get("/widget.js")
async def widget() -> Response:
    return Response(
        SOURCE.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "cache-control": "public, max-age=300",
            "x-content-type-options": "nosniff",
            # Loaded by <script src> from the shop's page: a cross-origin resource by design.
            "cross-origin-resource-policy": "cross-origin",
        },
    )
