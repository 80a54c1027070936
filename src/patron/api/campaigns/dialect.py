"""How the campaigns dialect answers a refusal: Patron's one envelope (`code`, `key`,
`message`, `details`, `request_id`) with the key in snake_case (`not_found`,
`bad_request`), as that platform's clients read it; a 401 names HTTP Basic, the dialect's
way to send a key id and secret."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from patron.api.handlers import invalid_request, request_id_of
from patron.errors import PatronError

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_key(key: str) -> str:
    """`CustomerNotFound` as `customer_not_found`; a snake_case key stays as it is."""
    return _WORD_START.sub("_", key).lower()


class CampaignRoute(APIRoute):
    """A route of this dialect: its refusals rendered in the dialect's words."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except PatronError as exc:
                body = exc.envelope(request_id_of(request))
            except RequestValidationError as exc:
                body = invalid_request(exc.errors(), request_id_of(request))
            body["key"] = snake_key(str(body["key"]))
            response = JSONResponse(body, status_code=int(body["code"]))
            if response.status_code == 401:
                response.headers["WWW-Authenticate"] = 'Basic realm="patron"'
            return response

        return answer


def dialect_router(tag: str) -> APIRouter:
    return APIRouter(tags=[tag], route_class=CampaignRoute)
