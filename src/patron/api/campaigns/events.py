"""Custom events, and the key check integrations call to test their credentials."""

from __future__ import annotations

from pydantic import BaseModel

from patron.api.campaigns.dialect import dialect_router
from patron.api.deps import CurrentSettings, Integration, Session, State, errors
from patron.campaigns import events
from patron.campaigns.errors import EventInFuture
from patron.campaigns.schemas import EventIn, EventOut
from patron.contacts.service import ContactRules
from patron.errors import BadRequest

router = dialect_router("campaigns: events")


class CredentialsValid(BaseModel):
    status: str
    key_id: str
    role: str


@router.get("/events/segment/check-auth")
async def check_auth(caller: Integration) -> CredentialsValid:
    """200 for valid credentials, 401 otherwise: integrations call it to test their keys."""
    return CredentialsValid(status="ok", key_id=caller.key_id, role=caller.role.value)


async def _invoke(body: EventIn, session: Session, state: State, settings: CurrentSettings) -> EventOut:
    return await events.invoke(
        session, body, rules=ContactRules.from_settings(settings), issuer=state.rewards
    )


@router.post("/events/invoke", responses=errors(BadRequest, EventInFuture))
async def invoke_event(
    body: EventIn, session: Session, caller: Integration, state: State, settings: CurrentSettings
) -> EventOut:
    """Store the event once and run every live rule listening to its name. A repeated
    event_id is answered as the first time and changes nothing."""
    return await _invoke(body, session, state, settings)


@router.post("/events", responses=errors(BadRequest, EventInFuture))
async def send_event(
    body: EventIn, session: Session, caller: Integration, state: State, settings: CurrentSettings
) -> EventOut:
    """The same as POST /events/invoke."""
    return await _invoke(body, session, state, settings)
