"""Use cases of the article register: upload (upsert by article number) and read."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.articles import repository
from patron.articles.errors import ArticleNotFound
from patron.articles.schemas import ArticleIn, ArticleOut, ArticlesUpserted
from patron.kit import clock, ids
from patron.kit.timefmt import local_iso
from patron.models import Article


def article_out(article: Article, zone: ZoneInfo) -> ArticleOut:
    return ArticleOut(
        articleNumber=article.article_number,
        name=article.name,
        sku=article.sku,
        group=article.article_group,
        category=article.category,
        brand=article.brand,
        attributes=dict(article.attributes),
        createdOn=local_iso(article.created_on, zone) or "",
        modifiedOn=local_iso(article.modified_on, zone) or "",
    )


async def upload(session: AsyncSession, articles: list[ArticleIn]) -> ArticlesUpserted:
    # A number sent twice in one upload: the later row is the one the retailer meant.
    latest = {article.articleNumber: article for article in articles}
    known = await repository.existing_numbers(session, latest)
    now = clock.now()
    rows = [
        {
            "id": ids.new_id(),
            "article_number": number,
            "sku": article.sku,
            "name": article.name,
            "article_group": article.group,
            "category": article.category,
            "brand": article.brand,
            "attributes": article.attributes,
            "created_on": now,
            "modified_on": now,
        }
        for number, article in sorted(latest.items())
    ]
    await repository.upsert(session, rows)
    return ArticlesUpserted(created=len(latest) - len(known), updated=len(known))


async def get(session: AsyncSession, article_number: str) -> Article:
    article = await repository.by_number(session, article_number)
    if article is None:
        raise ArticleNotFound(f"No article {article_number!r}.")
    return article


async def by_numbers(session: AsyncSession, article_numbers: Iterable[str]) -> dict[str, Article]:
    """The known articles among these numbers, by number (receipts read groups and brands here)."""
    return {
        article.article_number: article for article in await repository.by_numbers(session, article_numbers)
    }
