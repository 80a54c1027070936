"""Orders from a shop: posted by orderNumber (a repeat replaces it), read per contact."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from patron.api.deps import CurrentSettings, Integration, ListUrl, Page, Session, errors
from patron.api.dialect import Dialect, EngageDialect
from patron.api.pages import Paged
from patron.contacts.errors import ContactNotFound, MultipleMatchesFound
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.kit.paging import page_body
from patron.orders import service as orders
from patron.orders.schemas import OrderAccepted, OrderAcceptedV2, OrderIn, OrderOut

router = APIRouter(tags=["orders"])


@router.post(
    "/orders",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderAccepted | OrderAcceptedV2,
    responses=errors(BadRequest, ContactNotFound, MultipleMatchesFound),
)
async def register_order(
    body: OrderIn, session: Session, caller: Integration, settings: CurrentSettings, dialect: EngageDialect
) -> OrderAccepted | OrderAcceptedV2:
    stored = await orders.record(session, body, ContactRules.from_settings(settings))
    if dialect is Dialect.V2:
        return OrderAcceptedV2(statusCode="Accepted")
    return OrderAccepted(
        statusCode="Accepted",
        id=stored.order.id,
        orderNumber=stored.order.order_number,
        contactId=stored.order.contact_id,
        created=stored.created,
    )


@router.get(
    "/contacts/{contactId}/orders",
    response_model=Paged[OrderOut],
    responses=errors(BadRequest, ContactNotFound),
)
async def contact_orders(
    contactId: uuid.UUID,
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    settings: CurrentSettings,
) -> dict[str, object]:
    items, total = await orders.orders_of(session, contactId, page.offset, page.count, settings.zone)
    return page_body(items, url, {}, page, total)
