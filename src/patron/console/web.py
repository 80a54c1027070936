"""What every console page shares: the templates, the visit behind the request, the CSRF check
on every form, and rendering with the cookie signed afresh (which keeps an active session alive)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from patron.console.assets import TEMPLATES
from patron.console.formats import FILTERS, FUNCTIONS
from patron.console.sessions import CSRF_FIELD, CSRF_HEADER, ConsoleSessions, Visit, csrf_matches
from patron.errors import PatronError
from patron.state import AppState


class NotSignedIn(Exception):
    """The page needs a signed-in admin; the handler sends the browser to the sign-in page."""


class FormRefused(Exception):
    """A form post without the visit's CSRF token, or from another origin."""


@dataclass
class Console:
    """Built once per application by `create_app`."""

    state: AppState
    sessions: ConsoleSessions
    templates: Environment


def build_console(state: AppState) -> Console:
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters.update(FILTERS)
    templates.globals.update(FUNCTIONS)
    return Console(state, ConsoleSessions(state), templates)


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def session_of(request: Request) -> AsyncSession:
    """The request's unit of work, opened and committed by the boundary like an API call's."""
    return request.scope["patron.unit"].session  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Marketer:
    """A signed-in visit: the admin key it signed in with, its form token, and the request."""

    key_id: str
    visit: Visit
    request: Request

    @property
    def console(self) -> Console:
        return console_of(self.request)

    @property
    def session(self) -> AsyncSession:
        return session_of(self.request)

    @property
    def state(self) -> AppState:
        return self.console.state


async def signed_in(request: Request) -> Marketer:
    console = console_of(request)
    visit = await console.sessions.read(request)
    if visit is None or visit.key_id is None:
        raise NotSignedIn()
    if not await console.sessions.still_admin(session_of(request), visit):
        raise NotSignedIn()
    if request.method == "POST":
        await _check_form(request, visit)
    return Marketer(visit.key_id, visit, request)


def _same_origin(request: Request) -> bool:
    # Browsers send Origin with every POST; a client that sends none is not a cross-site page.
    origin = request.headers.get("origin")
    if origin is None or origin == f"{request.url.scheme}://{request.url.netloc}":
        return True
    # Behind a proxy that ends TLS, the browser's origin is PATRON_BASE_URL's, not the address
    # the proxy used.
    base = urlsplit(console_of(request).state.settings.base_url)
    return bool(base.netloc) and origin == f"{base.scheme}://{base.netloc}"


async def _check_form(request: Request, visit: Visit) -> None:
    if not _same_origin(request):
        raise FormRefused()
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = _text((await request.form()).get(CSRF_FIELD))
    if not csrf_matches(visit, sent):
        raise FormRefused()


SignedIn = Annotated[Marketer, Depends(signed_in)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def field(form: FormData, name: str) -> str:
    """A text field, trimmed; absent is empty."""
    return (_text(form.get(name)) or "").strip()


async def render(
    marketer: Marketer | None,
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    visit: Visit | None = None,
) -> HTMLResponse:
    console = console_of(request)
    shown = visit or (marketer.visit if marketer else None)
    html = console.templates.get_template(template).render(
        {**context, "visit": shown, "path": request.url.path, "csrf_field": CSRF_FIELD}
    )
    response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    if shown is not None:
        await console.sessions.write(request, response, shown)
    return response


def see_other(path: str, notice: str | None = None) -> RedirectResponse:
    """After a successful post, the page that shows its result (a reload does not post again)."""
    if notice:
        path += ("&" if "?" in path else "?") + "notice=" + quote(notice)
    return RedirectResponse(path, status_code=303)


def problems_of(error: PatronError | ValidationError) -> list[str]:
    """What a marketer is told when a form is refused, field by field where the service said so."""
    if isinstance(error, ValidationError):
        found = []
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"] if part != "body")
            message = str(problem["msg"]).removeprefix("Value error, ")
            found.append(f"{where}: {message}" if where else message)
        return found
    lines = [error.message]
    for detail in error.details or ():
        if isinstance(detail, dict) and detail.get("field"):
            lines.append(f"{detail['field']}: {detail.get('message', '')}")
    return lines


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def not_signed_in(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        # htmx follows a redirect inside the fragment; this sends the whole page instead.
        return Response(status_code=401, headers={"hx-redirect": "/console/sign-in"})
    return RedirectResponse("/console/sign-in?next=" + quote(target), status_code=303)


def form_refused(request: Request, exc: Exception) -> Response:
    return HTMLResponse(
        "<!doctype html><title>Refused</title><h1>This form was refused</h1>"
        "<p>It did not come from a page of this console (its security token is missing or wrong). "
        '<a href="/console">Back to the console</a>.</p>',
        status_code=403,
    )
