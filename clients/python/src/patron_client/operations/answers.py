"""Readers of Patron's successful answers into models."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

Model = TypeVar("Model", bound=BaseModel)


def model_of(model: type[Model]) -> Callable[[httpx.Response], Model]:
    def read(response: httpx.Response) -> Model:
        return model.model_validate_json(response.content)

    return read


def list_of(model: type[Model]) -> Callable[[httpx.Response], list[Model]]:
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]

    def read(response: httpx.Response) -> list[Model]:
        found: list[Model] = adapter.validate_json(response.content)
        return found

    return read


def record_of(model: type[Model]) -> Callable[[httpx.Response], Model]:
    """The record dialect wraps every record in `{"data": ...}`."""

    def read(response: httpx.Response) -> Model:
        return model.model_validate(response.json()["data"])

    return read


def replayed(response: httpx.Response) -> bool:
    header: str = response.headers.get("idempotent-replayed", "")
    return header.lower() == "true"
