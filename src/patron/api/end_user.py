"""The end user a request comes from, for the routes end users may call (the record dialect)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from starlette.datastructures import Headers
from starlette.types import Scope

from patron.auth.end_users import EndUser, read_end_user_credentials
from patron.state import AppState

_UNSET = object()


async def end_user_of(scope: Scope, state: AppState) -> EndUser | None:
    """The verified end user; None when the request carries no end-user headers, 401 when its
    token is refused (memoised on the scope once verified)."""
    cached = scope.get("patron.end_user", _UNSET)
    if cached is not _UNSET:
        return cast(EndUser | None, cached)
    credentials = read_end_user_credentials(Headers(scope=scope))
    end_user = None
    if credentials is not None:
        end_user = await state.end_users.verify(state.database.read_sessions, credentials)
    scope["patron.end_user"] = end_user
    return end_user


async def end_user_from(request: Request) -> EndUser | None:
    state: AppState = request.app.state.patron
    return await end_user_of(request.scope, state)


# A route's end user, or None for a request without end-user headers.
MaybeEndUser = Annotated[EndUser | None, Depends(end_user_from)]
