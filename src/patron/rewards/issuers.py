"""Who hands out what a reward promises, registered when the application is assembled.

Promotions live in their own domain; rewards never import it. `create_app` registers the
function that assigns a promotion to a contact (`register_promotion_issuer`), and the points
default. A promotion reward with no issuer registered is refused with
`PromotionRewardsUnavailable`, never silently dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

PromotionIssuer = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[Any]]

_promotion_issuer: list[PromotionIssuer] = []
_default_point_definition: list[int | None] = [None]


def register_promotion_issuer(issuer: PromotionIssuer) -> None:
    _promotion_issuer[:] = [issuer]


def unregister_promotion_issuer() -> None:
    _promotion_issuer.clear()


def promotion_issuer() -> PromotionIssuer | None:
    return _promotion_issuer[0] if _promotion_issuer else None


def set_default_point_definition(definition_id: int | None) -> None:
    _default_point_definition[0] = definition_id


def default_point_definition() -> int | None:
    return _default_point_definition[0]
