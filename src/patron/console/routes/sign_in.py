"""Signing in with an admin key (entered once, never stored in the browser) and signing out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from patron.auth.credentials import split_token
from patron.auth.roles import Role
from patron.console.sessions import Visit, csrf_matches, new_visit
from patron.console.web import SignedIn, console_of, form_refused, render, see_other

router = APIRouter(include_in_schema=False)


def _next_page(target: str | None) -> str:
    # Only a console page: an open redirect would let a link send a marketer anywhere.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


async def _form(
    request: Request, visit: Visit, problem: str | None, status: int, target: str
) -> HTMLResponse:
    return await render(
        None,
        request,
        "sign_in.html",
        {"problem": problem, "next": target},
        status=status,
        visit=visit,
    )


@router.get("/console/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    console = console_of(request)
    visit = await console.sessions.read(request)
    if visit is not None and visit.signed_in:
        return RedirectResponse(_next_page(next), status_code=303)
    return await _form(request, visit or new_visit(), None, 200, _next_page(next))


@router.post("/console/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=400)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    console = console_of(request)
    state = console.state
    visit = await console.sessions.read(request)
    if visit is None or not csrf_matches(visit, csrf):
        return form_refused(request, RuntimeError())
    address = request.client.host if request.client else "unknown"
    if state.limiter.blocked_for(address) > 0:
        return await _form(request, visit, "Too many wrong keys from this address; wait a minute.", 429, next)
    credentials = split_token(token.strip())
    caller = None
    if credentials is not None:
        caller = await state.verifier.verify(state.database.read_sessions, credentials)
    if caller is None:
        await state.limiter.failed_authentication(address)
        return await _form(request, visit, "That key is unknown or revoked.", 401, next)
    if caller.role is not Role.ADMIN:
        return await _form(
            request,
            visit,
            f"A key with role {caller.role.value} cannot sign in to the console; sign in with an admin key.",
            403,
            next,
        )
    # A fresh form token on signing in, so one planted before it is worth nothing after.
    response = RedirectResponse(_next_page(next), status_code=303)
    await console.sessions.write(request, response, new_visit(caller.key_id))
    return response


@router.post("/console/sign-out")
async def sign_out(marketer: SignedIn) -> Response:
    response = see_other("/console/sign-in")
    console_of(marketer.request).sessions.forget(response)
    return response
