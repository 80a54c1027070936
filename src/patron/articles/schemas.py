"""The wire format of the article register."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from patron.kit.bodies import Body

MAX_ARTICLES_PER_REQUEST = 1000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ArticleIn(Body):
    articleNumber: Text
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    sku: Text | None = None
    group: Text | None = None
    category: Text | None = None
    brand: Text | None = None
    attributes: dict[str, Any] = {}


class ArticleOut(BaseModel):
    articleNumber: str
    name: str
    sku: str | None
    group: str | None
    category: str | None
    brand: str | None
    attributes: dict[str, Any]
    createdOn: str
    modifiedOn: str


class ArticlesUpserted(BaseModel):
    """How many rows of an upload were new and how many replaced an existing article."""

    created: int
    updated: int
