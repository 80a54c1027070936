"""Webhook subscriptions (admin): endpoints, their secrets, their deliveries and replays."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from patron.api.deps import Admin, CurrentSettings, ListUrl, Page, Session, errors
from patron.api.pages import Paged
from patron.errors import BadRequest
from patron.kit.instants import Instant
from patron.kit.paging import page_body
from patron.webhooks import service as webhooks
from patron.webhooks.errors import WebhookDeliveryNotFound, WebhookNotFound, WebhookUrlRefused
from patron.webhooks.schemas import (
    DeliveryOut,
    DeliveryStatus,
    NewWebhook,
    Replayed,
    WebhookChanges,
    WebhookOut,
    WebhookWithSecret,
)

router = APIRouter(tags=["webhooks"])


@router.get("/webhooks", response_model=Paged[WebhookOut], responses=errors(BadRequest))
async def list_webhooks(session: Session, caller: Admin, page: Page, url: ListUrl) -> dict[str, object]:
    found, total = await webhooks.page(session, page.offset, page.count)
    return page_body([webhooks.webhook_out(row) for row in found], url, {}, page, total)


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookWithSecret,
    responses=errors(BadRequest, WebhookUrlRefused),
)
async def create_webhook(
    body: NewWebhook, session: Session, caller: Admin, settings: CurrentSettings
) -> WebhookWithSecret:
    """The answer carries the signing secret; it is shown here and on rotation only."""
    return webhooks.with_secret(await webhooks.create(session, body, settings))


@router.get("/webhooks/{webhookId}", response_model=WebhookOut, responses=errors(WebhookNotFound))
async def get_webhook(webhookId: uuid.UUID, session: Session, caller: Admin) -> WebhookOut:
    return webhooks.webhook_out(await webhooks.get(session, webhookId))


@router.patch(
    "/webhooks/{webhookId}",
    response_model=WebhookOut,
    responses=errors(BadRequest, WebhookNotFound, WebhookUrlRefused),
)
async def update_webhook(
    webhookId: uuid.UUID, body: WebhookChanges, session: Session, caller: Admin, settings: CurrentSettings
) -> WebhookOut:
    return webhooks.webhook_out(await webhooks.change(session, webhookId, body, settings))


@router.delete(
    "/webhooks/{webhookId}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(WebhookNotFound)
)
async def delete_webhook(webhookId: uuid.UUID, session: Session, caller: Admin) -> Response:
    await webhooks.remove(session, webhookId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/webhooks/{webhookId}/rotate-secret", response_model=WebhookWithSecret, responses=errors(WebhookNotFound)
)
async def rotate_webhook_secret(
    webhookId: uuid.UUID, session: Session, caller: Admin, settings: CurrentSettings
) -> WebhookWithSecret:
    """A new secret, shown once; the old one keeps signing alongside it for
    PATRON_WEBHOOK_SECRET_OVERLAP_HOURS (24 h)."""
    return webhooks.with_secret(await webhooks.rotate_secret(session, webhookId, settings))


@router.post(
    "/webhooks/{webhookId}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=errors(WebhookNotFound),
)
async def test_webhook(webhookId: uuid.UUID, session: Session, caller: Admin) -> DeliveryOut:
    """Queue a `webhook.test` event for the endpoint; its attempts show in its deliveries."""
    return await webhooks.send_test(session, webhookId)


@router.get(
    "/webhooks/{webhookId}/deliveries",
    response_model=Paged[DeliveryOut],
    responses=errors(BadRequest, WebhookNotFound),
)
async def list_webhook_deliveries(
    webhookId: uuid.UUID,
    session: Session,
    caller: Admin,
    page: Page,
    url: ListUrl,
    status: Annotated[DeliveryStatus | None, Query()] = None,
    eventType: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, object]:
    """Newest first, each with every attempt made."""
    found, total = await webhooks.deliveries(session, webhookId, page.offset, page.count, status, eventType)
    return page_body(found, url, {"status": status, "eventType": eventType}, page, total)


@router.post(
    "/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=errors(WebhookNotFound, WebhookDeliveryNotFound),
)
async def retry_webhook_delivery(
    webhookId: uuid.UUID, deliveryId: uuid.UUID, session: Session, caller: Admin
) -> DeliveryOut:
    return await webhooks.retry(session, webhookId, deliveryId)


@router.post(
    "/webhooks/{webhookId}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Replayed,
    responses=errors(BadRequest, WebhookNotFound),
)
async def replay_webhook(
    webhookId: uuid.UUID, since: Annotated[Instant, Query()], session: Session, caller: Admin
) -> Replayed:
    """Queue again every event since `since` the endpoint subscribes to (at most 10 000, oldest
    first; replay from a later instant for more)."""
    return Replayed(queued=await webhooks.replay(session, webhookId, since))
