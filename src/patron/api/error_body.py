"""The error envelope as an OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    code: int
    key: str
    message: str
    details: Any = None
    request_id: str | None = None
