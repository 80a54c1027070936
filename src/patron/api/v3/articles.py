"""The article register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from patron.api.deps import CurrentSettings, Integration, Session, errors
from patron.articles import service as articles
from patron.articles.errors import ArticleNotFound
from patron.articles.schemas import MAX_ARTICLES_PER_REQUEST, ArticleIn, ArticleOut, ArticlesUpserted
from patron.errors import BadRequest

router = APIRouter(tags=["articles"])


@router.post("/articles", response_model=ArticlesUpserted, responses=errors(BadRequest))
async def upload_articles(
    body: Annotated[list[ArticleIn], Body(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)],
    session: Session,
    caller: Integration,
) -> ArticlesUpserted:
    return await articles.upload(session, body)


@router.get("/articles/{articleNumber}", response_model=ArticleOut, responses=errors(ArticleNotFound))
async def get_article(
    articleNumber: Annotated[str, Path(min_length=1, max_length=200)],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> ArticleOut:
    return articles.article_out(await articles.get(session, articleNumber), settings.zone)
