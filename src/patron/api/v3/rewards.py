"""A contact's rewards: everything challenges (and later campaigns) have issued to them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from patron.api.deps import CurrentSettings, EngageBase, Integration, ListUrl, Page, Session, errors
from patron.api.pages import Paged
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest
from patron.kit.paging import page_body
from patron.rewards import service as rewards
from patron.rewards.schemas import RewardOut

router = APIRouter(tags=["rewards"])


@router.get(
    "/contacts/{contactId}/rewards",
    response_model=Paged[RewardOut],
    responses=errors(BadRequest, ContactNotFound),
)
async def list_contact_rewards(
    contactId: uuid.UUID,
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
) -> dict[str, object]:
    items, total = await rewards.page_of(session, contactId, page.offset, page.count, base, settings.zone)
    return page_body(items, url, {}, page, total)
