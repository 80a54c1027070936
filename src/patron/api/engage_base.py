"""Where an Engage item's links point: the deployment's address plus the dialect's prefix."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from patron.api.deps import base_url


def engage_base(request: Request) -> str:
    """`https://host/api/v3` (or `/api/v2`), as the request was addressed."""
    parts = request.url.path.split("/")
    prefix = "/".join(parts[:3]) if len(parts) > 2 and parts[1] == "api" else ""
    return base_url(request) + prefix


EngageBase = Annotated[str, Depends(engage_base)]
