"""Authenticating a request once, whichever layer asks first."""

from __future__ import annotations

from typing import cast

from starlette.datastructures import Headers
from starlette.types import Scope

from patron.auth.credentials import read_credentials
from patron.auth.roles import Caller
from patron.state import AppState

_UNSET = object()


async def caller_of(scope: Scope, state: AppState) -> Caller | None:
    """The verified caller, or None when credentials are missing or wrong (memoised on the scope)."""
    cached = scope.get("patron.caller", _UNSET)
    if cached is not _UNSET:
        return cast(Caller | None, cached)
    credentials = read_credentials(Headers(scope=scope))
    caller = None
    if credentials is not None:
        caller = await state.verifier.verify(state.database.read_sessions, credentials)
    scope["patron.caller"] = caller
    return caller
