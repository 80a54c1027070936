"""Dependencies routes declare: the request's session, its verified caller, settings, links."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import URL
from starlette.types import Scope

from patron.api.caller import caller_of
from patron.api.error_body import ErrorBody
from patron.auth.roles import ADMIN_ONLY, INTEGRATIONS, Caller, Role
from patron.config import Settings
from patron.errors import Forbidden, Unauthorized
from patron.kit.paging import DEFAULT_COUNT, MAX_COUNT, PageRequest
from patron.state import AppState


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.patron
    return state


# Dependencies are `async def`: FastAPI runs a plain `def` one in a thread pool, a thread
# hop per dependency per request.


def session_of(scope: Scope) -> AsyncSession:
    return scope["patron.unit"].session  # type: ignore[no-any-return]


async def session(request: Request) -> AsyncSession:
    return session_of(request.scope)


async def settings(request: Request) -> Settings:
    return app_state(request).settings


async def current_state(request: Request) -> AppState:
    return app_state(request)


async def authorised(scope: Scope, state: AppState, roles: frozenset[Role]) -> Caller:
    """The verified caller, when its role is one of `roles`: 401 without credentials, 403
    with the wrong role."""
    caller = await caller_of(scope, state)
    if caller is None:
        raise Unauthorized()
    if caller.role not in roles:
        raise Forbidden(f"A key with role {caller.role.value} may not do this.")
    return caller


def allow(roles: frozenset[Role]) -> Callable[[Request], Coroutine[Any, Any, Caller]]:
    async def authorised_request(request: Request) -> Caller:
        return await authorised(request.scope, app_state(request), roles)

    return authorised_request


@functools.lru_cache(maxsize=128)
def _served_at(scheme: str, server: tuple[str, int] | None, host: bytes | None, root_path: str) -> str:
    # Starlette's own reading of the scope, once per distinct address rather than per request.
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "path": root_path if root_path.endswith("/") else root_path + "/",
        "query_string": b"",
        "headers": [] if host is None else [(b"host", host)],
    }
    return str(URL(scope=scope)).rstrip("/")


def address_of(scope: Scope, settings: Settings) -> str:
    """Where absolute links point: PATRON_BASE_URL, else the address the client used."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    return _served_at(
        scope.get("scheme", "http"),
        None if server is None else tuple(server),
        host,
        scope.get("app_root_path", scope.get("root_path", "")),
    )


async def list_url(request: Request) -> str:
    """The absolute address of the list being read, for paging links."""
    path: str = request.scope["path"]
    return address_of(request.scope, app_state(request).settings) + path


def engage_base_of(scope: Scope, settings: Settings) -> str:
    """`https://host/api/v3` (or `/api/v2`), as the request was addressed, for item links."""
    parts = scope["path"].split("/")
    prefix = "/".join(parts[:3]) if len(parts) > 2 and parts[1] == "api" else ""
    return address_of(scope, settings) + prefix


async def engage_base(request: Request) -> str:
    return engage_base_of(request.scope, app_state(request).settings)


async def page(
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    count: Annotated[int, Query(ge=1, le=MAX_COUNT)] = DEFAULT_COUNT,
) -> PageRequest:
    return PageRequest(offset=offset, count=count)


Session = Annotated[AsyncSession, Depends(session)]
CurrentSettings = Annotated[Settings, Depends(settings)]
# What the composition root built for this application (its bus, caches, checkpoint batches).
State = Annotated[AppState, Depends(current_state)]
Admin = Annotated[Caller, Depends(allow(ADMIN_ONLY))]
Integration = Annotated[Caller, Depends(allow(INTEGRATIONS))]
ListUrl = Annotated[str, Depends(list_url)]
EngageBase = Annotated[str, Depends(engage_base)]
Page = Annotated[PageRequest, Depends(page)]


def errors(*classes: type[Exception]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can answer with, and the keys behind it."""
    by_status: dict[int, list[str]] = {}
    for cls in (Unauthorized, Forbidden, *classes):
        by_status.setdefault(cls.status, []).append(cls.key)  # type: ignore[attr-defined]
    return {
        status: {"model": ErrorBody, "description": " | ".join(sorted(set(keys)))}
        for status, keys in sorted(by_status.items())
    }
