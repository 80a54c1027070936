"""API keys: create one (its token shown once, on the page that created it), list them, revoke
one, and say which web shops' pages may call with the end-user tokens it signs (the widget)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from patron.auth import service as keys
from patron.auth.roles import Role
from patron.console.web import Marketer, SignedIn, field, problems_of, render, see_other
from patron.errors import BadRequest, PatronError

router = APIRouter(include_in_schema=False)

ROLES = tuple(role.value for role in Role)


def _origins(text: str) -> list[str]:
    return [line for line in text.replace(",", "\n").splitlines() if line.strip()]


async def _page(
    marketer: Marketer,
    *,
    issued: keys.IssuedKey | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    return await render(
        marketer,
        marketer.request,
        "keys.html",
        {
            "keys": await keys.list_keys(marketer.session),
            "issued": issued,
            "roles": ROLES,
            "me": marketer.key_id,
            "problems": problems,
            "notice": marketer.request.query_params.get("notice"),
        },
        status=status,
    )


@router.get("/console/keys", response_class=HTMLResponse)
async def key_list(marketer: SignedIn) -> Response:
    return await _page(marketer)


@router.post("/console/keys", response_class=HTMLResponse)
async def create(marketer: SignedIn) -> Response:
    form = await marketer.request.form()
    name, role = field(form, "name"), field(form, "role")
    try:
        if not 1 <= len(name) <= 200:
            raise BadRequest("Give the key a name of 1 to 200 characters (who or what uses it).")
        if role not in ROLES:
            raise BadRequest(f"A key's role is one of {', '.join(ROLES)}.")
        issued = await keys.create_key(
            marketer.session, name=name, role=Role(role), sealing=marketer.state.sealing
        )
        origins = _origins(field(form, "allowedOrigins"))
        if origins:
            await keys.admit_origins(marketer.session, issued.key_id, origins)
    except PatronError as refused:
        return await _page(marketer, problems=problems_of(refused), status=refused.status)
    # Shown on this answer only: the token is never stored where a later page could read it.
    return await _page(marketer, issued=issued)


@router.post("/console/keys/{key_id}/origins", response_class=HTMLResponse)
async def change_origins(marketer: SignedIn, key_id: str) -> Response:
    form = await marketer.request.form()
    try:
        await keys.admit_origins(marketer.session, key_id, _origins(field(form, "allowedOrigins")))
    except PatronError as refused:
        return await _page(marketer, problems=problems_of(refused), status=refused.status)
    return see_other("/console/keys", f"The origins of {key_id} were saved.")


@router.post("/console/keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke(marketer: SignedIn, key_id: str) -> Response:
    form = await marketer.request.form()
    try:
        if field(form, "confirm") != key_id:
            raise BadRequest(f"To revoke {key_id}, type its id to confirm.")
        if key_id == marketer.key_id:
            raise BadRequest(
                "This is the key you are signed in with; sign in with another admin key to revoke it."
            )
        await keys.revoke_key(marketer.session, key_id)
    except PatronError as refused:
        return await _page(marketer, problems=problems_of(refused), status=refused.status)
    return see_other("/console/keys", f"{key_id} is revoked: it is refused from now on.")
