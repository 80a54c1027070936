"""Puts the console, the offline docs and their files on an application: `create_app` calls
`install` with the objects its composition root built."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from patron.console import assets, docs
from patron.console.routes import (
    campaigns,
    challenges,
    contacts,
    engage_challenges,
    imports,
    keys,
    overview,
    promotions,
    sign_in,
    webhooks,
)
from patron.console.web import FormRefused, NotSignedIn, build_console, form_refused, not_signed_in
from patron.state import AppState

ROUTERS: tuple[APIRouter, ...] = (
    docs.router,
    sign_in.router,
    overview.router,
    contacts.router,
    promotions.router,
    # Before challenges: its /console/challenges/{kind}/{id} would take "engage" for a kind.
    engage_challenges.router,
    challenges.router,
    webhooks.router,
    keys.router,
    imports.router,
    campaigns.router,
)

# Forms post here as application/x-www-form-urlencoded (RequestContext admits it nowhere else).
FORM_PATHS = ("/console/",)


def install(app: FastAPI, state: AppState) -> None:
    """The console's objects, files and error pages on `app`; its routers (ROUTERS) are among
    the routes `create_app` gives every application."""
    app.state.console = build_console(state)
    app.mount("/console/assets", assets.vendored(), name="console-assets")
    app.mount("/console/static", assets.own(), name="console-static")
    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(FormRefused, form_refused)
