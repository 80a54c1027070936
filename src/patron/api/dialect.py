"""Which Engage version a request speaks: the same routes answer at /api/v3 and /api/v2, and
where the two show a resource differently the route renders the one the caller addressed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel


class Dialect(StrEnum):
    V2 = "v2"
    V3 = "v3"


async def dialect(request: Request) -> Dialect:
    # The prefix the request was addressed to; anything not under /api/v2 speaks v3.
    return Dialect.V2 if request.scope["path"].startswith("/api/v2/") else Dialect.V3


EngageDialect = Annotated[Dialect, Depends(dialect)]

V3 = TypeVar("V3", bound=BaseModel)
V2 = TypeVar("V2", bound=BaseModel)


def rendered(spoken: Dialect, resource: V3, v2: type[V2]) -> V3 | V2:
    """`resource` as v3 shows it, or as the v2 model of it declares (the v2 model keeps only
    what v2 clients know and names the enums they list)."""
    if spoken is Dialect.V3:
        return resource
    return v2.model_validate(resource.model_dump(mode="python"))


def rendered_all(spoken: Dialect, resources: list[V3], v2: type[V2]) -> list[V3] | list[V2]:
    if spoken is Dialect.V3:
        return resources
    return [v2.model_validate(r.model_dump(mode="python")) for r in resources]
