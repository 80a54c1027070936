"""The OpenAPI description as Patron answers: invalid input is a 400 in the error envelope.

FastAPI documents a 422 with its own body for every route that takes input; Patron renders
validation failures as 400 ErrorBody, so the description says that instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_ERROR_BODY_REF = "#/components/schemas/ErrorBody"


def _bad_request_instead_of_422(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    if responses.pop("422", None) is None:
        return
    responses.setdefault(
        "400",
        {"description": "BadRequest", "content": {"application/json": {"schema": {"$ref": _ERROR_BODY_REF}}}},
    )
    operation["responses"] = dict(sorted(responses.items()))


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            description = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            for methods in description.get("paths", {}).values():
                for operation in methods.values():
                    _bad_request_instead_of_422(operation)
            schemas = description.get("components", {}).get("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = description
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
