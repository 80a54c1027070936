"""Minting end-user tokens for retailers whose backend does not sign its own (docs/END_USERS.md)."""

from __future__ import annotations

from fastapi import APIRouter

from patron.api.deps import CurrentSettings, Integration, Session, State, errors
from patron.auth.end_user_schemas import EndUserTokenOut, NewEndUserToken
from patron.auth.end_users import ContactWithoutExternalId, KeyCannotSign
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest
from patron.kit.timefmt import local_iso

router = APIRouter(tags=["end users"])


@router.post(
    "/end-user-tokens",
    response_model=EndUserTokenOut,
    responses=errors(BadRequest, ContactNotFound, ContactWithoutExternalId, KeyCannotSign),
)
async def mint_end_user_token(
    body: NewEndUserToken, session: Session, caller: Integration, state: State, settings: CurrentSettings
) -> EndUserTokenOut:
    """A token for the contact, signed with the calling key's secret and good for 15 minutes:
    the widget sends it as `x-enduser-access-token`, with `accountId` as `x-account-id`."""
    minted = await state.end_users.mint(session, caller.key_id, body.contactId)
    return EndUserTokenOut(
        token=minted.token,
        expiresOn=local_iso(minted.expires_on, settings.zone) or "",
        accountId=minted.account_id,
    )
