"""Rendering every error as the one envelope; nothing else builds error bodies."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from patron.errors import BadRequest, InternalError, PatronError, ServiceUnavailable, envelope

log = logging.getLogger("patron.errors")

_HTTP_KEYS = MappingProxyType(
    {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        405: "MethodNotAllowed",
        406: "NotAcceptable",
        413: "PayloadTooLarge",
        415: "UnsupportedMediaType",
        422: "UnprocessableEntity",
        429: "TooManyRequests",
    }
)


def request_id_of(request: Request) -> str | None:
    return request.scope.get("patron.request_id")


def error_response(status: int, key: str, message: str, details: Any, request_id: str | None) -> JSONResponse:
    return JSONResponse(envelope(status, key, message, details, request_id), status_code=status)


def _field_errors(problems: Sequence[Any]) -> list[dict[str, Any]]:
    details = []
    for problem in problems:
        location = [str(part) for part in problem.get("loc", ())]
        details.append(
            {
                "field": ".".join(location[1:] if len(location) > 1 else location),
                "in": location[0] if location else "body",
                "message": problem.get("msg", "invalid"),
                "type": problem.get("type", "invalid"),
            }
        )
    return details


def invalid_request(problems: Sequence[Any], request_id: str | None) -> dict[str, Any]:
    """The 400 envelope for input that failed validation; `problems` as Pydantic reports
    them, each `loc` starting with where the value was (`body`, `query`, `path`)."""
    details = json.loads(json.dumps(_field_errors(problems), default=str))
    first = details[0] if details else {"field": "body", "message": "invalid"}
    message = f"{first['field'] or first['in']}: {first['message']}"
    return envelope(400, "BadRequest", message, details, request_id)


# Deadlock detected, serialization failure: the transaction was rolled back whole and the
# same request will most likely succeed when sent again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_disconnect(exc: BaseException) -> bool:
    """A database that went away, is overloaded, or rolled us back: the client should retry."""
    if isinstance(exc, PoolTimeout | OperationalError):
        return True
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if isinstance(exc, DBAPIError) and sqlstate in _RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_bad_data(exc: BaseException) -> bool:
    """A value the database refuses (SQLSTATE class 22, e.g. a NUL character in text on
    PostgreSQL): the client sent it, so it is a 400, not a server error."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and isinstance(sqlstate, str) and sqlstate.startswith("22")


def bad_data_error() -> PatronError:
    return BadRequest("A value in the request cannot be stored (for example a NUL character).")


def install(app: FastAPI) -> None:
    async def patron_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PatronError)
        return JSONResponse(exc.envelope(request_id_of(request)), status_code=exc.status)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(invalid_request(exc.errors(), request_id_of(request)), status_code=400)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        key = _HTTP_KEYS.get(exc.status_code, "Error")
        response = error_response(exc.status_code, key, str(exc.detail), None, request_id_of(request))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        if is_disconnect(exc):
            log.warning("database unavailable: %s", exc)
            error = ServiceUnavailable()
            response = JSONResponse(error.envelope(request_id_of(request)), status_code=error.status)
            response.headers["Retry-After"] = "1"
            return response
        if is_bad_data(exc):
            error = bad_data_error()
            return JSONResponse(error.envelope(request_id_of(request)), status_code=error.status)
        log.exception("database error", exc_info=exc)
        error = InternalError()
        return JSONResponse(error.envelope(request_id_of(request)), status_code=error.status)

    app.add_exception_handler(PatronError, patron_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
