"""Who reads a record: staff (an admin or integration key, e.g. `x-api-key` + `x-api-secret`),
an end user (`x-enduser-access-token` + `x-account-id`), or a guest (no credentials at all).
Credentials that are sent but wrong are a 401, never a guest's view."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.datastructures import Headers

from patron.api.caller import caller_of
from patron.api.deps import app_state
from patron.api.end_user import end_user_of
from patron.auth.credentials import read_credentials
from patron.errors import Unauthorized
from patron.records import display
from patron.records.query import DEFAULT_LIMIT, MAX_LIMIT
from patron.records.reads import Viewer


async def viewer_of(request: Request) -> Viewer:
    state = app_state(request)
    end_user = await end_user_of(request.scope, state)
    if end_user is not None:
        return Viewer(member=end_user.contact_id)
    if read_credentials(Headers(scope=request.scope)) is None:
        return Viewer()
    if await caller_of(request.scope, state) is None:
        raise Unauthorized()
    return Viewer(staff=True)


async def language_of(request: Request) -> str | None:
    return display.language_code(request.query_params.get("languageCode"))


ReadsAs = Annotated[Viewer, Depends(viewer_of)]
Language = Annotated[str | None, Depends(language_of)]


async def list_params(
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    fields: Annotated[str | None, Query(max_length=4000, description="JSON array of field names")] = None,
    filters: Annotated[
        str | None,
        Query(max_length=20000, description='JSON: {"field", "op", "value"} or {"and"|"or": [...]}'),
    ] = None,
    sortBy: Annotated[
        str | None, Query(max_length=4000, description='JSON array of {"fieldSlug", "order"}')
    ] = None,
    fetchTotalCount: bool = False,
    languageCode: Annotated[str | None, Query(max_length=35)] = None,
) -> dict[str, str]:
    """The list query as sent; each list parses it against its own fields."""
    raw = {"offset": str(offset), "limit": str(limit), "fetchTotalCount": str(fetchTotalCount).lower()}
    for name, value in (("fields", fields), ("filters", filters), ("sortBy", sortBy)):
        if value is not None:
            raw[name] = value
    language = display.language_code(languageCode)
    if language is not None:
        raw["languageCode"] = language
    return raw


ListParams = Annotated[dict[str, str], Depends(list_params)]
