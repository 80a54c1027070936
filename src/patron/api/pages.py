"""The paged list shape of the Engage dialect, as a schema for OpenAPI."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Link(BaseModel):
    href: str
    method: str
    rel: str


class Paged(BaseModel, Generic[Item]):
    links: list[Link]
    count: int
    offset: int
    items: list[Item]
    totalCount: int
