"""Shop tracking: carts and product views, one or a batch, keys in camelCase or PascalCase."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from patron.api.deps import Integration, Session, errors
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest
from patron.orders import service as orders
from patron.orders.schemas import MAX_ITEMS, CartIn, ProductViewIn, TrackingAccepted

router = APIRouter(tags=["tracking"])

Carts = Annotated[list[CartIn], Body(max_length=MAX_ITEMS)]
ProductViews = Annotated[list[ProductViewIn], Body(max_length=MAX_ITEMS)]


@router.post(
    "/tracking/carts", response_model=TrackingAccepted, responses=errors(BadRequest, ContactNotFound)
)
async def track_cart(body: CartIn, session: Session, caller: Integration) -> TrackingAccepted:
    await orders.track_carts(session, [body])
    return TrackingAccepted()


@router.post(
    "/tracking/carts/batch", response_model=TrackingAccepted, responses=errors(BadRequest, ContactNotFound)
)
async def track_carts(body: Carts, session: Session, caller: Integration) -> TrackingAccepted:
    await orders.track_carts(session, body)
    return TrackingAccepted()


@router.post(
    "/tracking/productview", response_model=TrackingAccepted, responses=errors(BadRequest, ContactNotFound)
)
async def track_product_view(body: ProductViewIn, session: Session, caller: Integration) -> TrackingAccepted:
    await orders.track_product_views(session, [body])
    return TrackingAccepted()


@router.post(
    "/tracking/productviews", response_model=TrackingAccepted, responses=errors(BadRequest, ContactNotFound)
)
async def track_product_views(body: ProductViews, session: Session, caller: Integration) -> TrackingAccepted:
    await orders.track_product_views(session, body)
    return TrackingAccepted()
