"""The calls tills make most, answered below FastAPI's router.

Through FastAPI a receipt pays for routing past the other routes, for solving its
dependencies, for turning its body into Python objects before validating them, and for two
exception middlewares: about a fifth of what a receipt costs. A direct endpoint is a plain
async function of the request's scope that does that work itself, the same way: the caller's
key and role through the same check, the body validated from its bytes by the route's own
model, every error in the same envelope. It is found by method and exact path before the
router runs, inside the request boundary (unit of work, idempotency, commit).

The FastAPI route stays what declares the call (its paths under every prefix, models, errors,
the OpenAPI description) and answers it the same way when direct dispatch is off
(`PATRON_DIRECT_ROUTES=false`); tests hold both ways to the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from fastapi.routing import RouteContext, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from patron.api.asgi import JSON_CONTENT_TYPE, send_json
from patron.api.handlers import invalid_request
from patron.errors import BadRequest, PatronError
from patron.state import AppState

Body = TypeVar("Body", bound=BaseModel)
Shape = TypeVar("Shape")


@dataclass(frozen=True, slots=True)
class Answer:
    """A direct endpoint's answer: always JSON, `body` already encoded, and the headers it
    sends besides its content type and length (`extra`)."""

    status: int
    body: bytes
    extra: tuple[tuple[bytes, bytes], ...] = ()

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """Its headers but the length, for the FastAPI route that answers the same way."""
        return [JSON_CONTENT_TYPE, *self.extra]


Endpoint = Callable[[Scope, AppState], Awaitable[Answer]]

_MISSING = object()  # no body was sent


def _read_json(scope: Scope) -> Any:
    """The request body (read whole by the request context) as JSON, or _MISSING when empty,
    refused as FastAPI refuses a body that is not JSON."""
    raw = scope["patron.body"]
    if not raw:
        return _MISSING
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        problem = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise InvalidBody([problem]) from None
    except (ValueError, RecursionError):
        # Not even text (UnicodeDecodeError), or nested deeper than Python's parser goes:
        # refused as FastAPI refuses it.
        raise BadRequest("There was an error parsing the body") from None


@overload
async def body_as(shape: type[Body], scope: Scope, check_caller: Callable[[], Awaitable[object]]) -> Body: ...


@overload
async def body_as(
    shape: TypeAdapter[Shape], scope: Scope, check_caller: Callable[[], Awaitable[object]]
) -> Shape: ...


async def body_as(
    shape: type[BaseModel] | TypeAdapter[Any], scope: Scope, check_caller: Callable[[], Awaitable[object]]
) -> Any:
    """The body as `shape` (a model, or a TypeAdapter for anything else, a list of rows say),
    the caller checked (`check_caller`) in between, in FastAPI's order: a body that is not
    JSON is refused before the caller is checked, one of the wrong shape after.

    A valid body is validated once, straight from its bytes (no Python objects in between).
    One that fails is read and validated again as FastAPI does it (`json.loads`, then the
    Python objects), so that its refusal, or its acceptance where Python's JSON is laxer
    (NaN, a byte order mark, UTF-16), is FastAPI's own; its errors are reported as FastAPI
    reports a body's."""
    from_json: Callable[[bytes], Any]
    from_python: Callable[..., Any]
    if isinstance(shape, TypeAdapter):
        from_json, from_python = shape.validate_json, shape.validate_python
    else:
        from_json, from_python = shape.model_validate_json, shape.model_validate
    try:
        valid = from_json(scope["patron.body"])
    except ValidationError:
        payload = _read_json(scope)
        await check_caller()
        return _validated(from_python, payload)
    await check_caller()
    return valid


def _validated(validate: Callable[..., Any], payload: Any) -> Any:
    if payload is _MISSING:
        raise InvalidBody([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return validate(payload, from_attributes=True)
    except ValidationError as exc:
        raise InvalidBody(
            [{**problem, "loc": ("body", *problem["loc"])} for problem in exc.errors(include_url=False)]
        ) from None


class InvalidBody(Exception):
    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("invalid body")
        self.problems = problems


def json_answer(status: int, body: bytes, headers: Iterable[tuple[bytes, bytes]] = ()) -> Answer:
    """The answer `status` with `body`, JSON already encoded, and `headers` besides its
    content type and length."""
    return Answer(status, body, tuple(headers))


def json_bytes(content: Any) -> bytes:
    """JSON-ready `content` (str, numbers, None, lists and dicts of them) rendered as FastAPI's
    JSONResponse renders it, byte for byte."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _error_answer(status: int, envelope: dict[str, Any]) -> Answer:
    # As FastAPI's error handlers render it; an invalid body's echoed input may hold a NaN.
    return Answer(status, json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode())


class DirectRoutes:
    """Dispatches the requests a direct endpoint answers; everything else goes on to `app`.

    `endpoints` maps a FastAPI route's endpoint function to its direct counterpart; every
    route of `routes` with such an endpoint is answered directly, under its paths and methods.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: AppState,
        routes: Iterable[BaseRoute],
        endpoints: Mapping[Callable[..., Any], Endpoint],
    ) -> None:
        self.app = app
        self.state = state
        self.table: dict[tuple[str, str], tuple[Endpoint, RouteContext]] = {}
        for route in iter_route_contexts(list(routes)):
            if route.endpoint is not None and route.endpoint in endpoints and route.path is not None:
                for method in route.methods or ():
                    self.table[(method, route.path)] = (endpoints[route.endpoint], route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.table.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        endpoint, route = found
        scope["route"] = route  # what the access log and metrics name the request by
        request_id = scope.get("patron.request_id")
        try:
            answer = await endpoint(scope, self.state)
        except PatronError as exc:
            answer = _error_answer(exc.status, exc.envelope(request_id))
        except InvalidBody as exc:
            answer = _error_answer(400, invalid_request(exc.problems, request_id))
        await send_json(send, answer.status, answer.body, answer.extra)
