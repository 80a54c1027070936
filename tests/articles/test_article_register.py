"""The article register: upload upserts by article number, read one back."""

from __future__ import annotations

import asyncio

import httpx
import pytest


def article(number: str, **fields: object) -> dict[str, object]:
    return {"articleNumber": number, "name": f"Article {number}", **fields}


async def test_upload_creates_then_replaces_by_article_number(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    first = await client.post(
        "/api/v3/articles",
        json=[
            article(
                "A-1",
                sku="S-1",
                group="Shoes",
                category="Running",
                brand="Fjell",
                attributes={"colour": "red"},
            ),
            article("A-2"),
        ],
        headers=till,
    )
    assert first.status_code == 200
    assert first.json() == {"created": 2, "updated": 0}

    second = await client.post(
        "/api/v3/articles",
        json=[article("A-1", name="Trail shoe", brand="Berg"), article("A-3")],
        headers=till,
    )
    assert second.json() == {"created": 1, "updated": 1}

    read = await client.get("/api/v3/articles/A-1", headers=till)
    assert read.status_code == 200
    body = read.json()
    assert (body["name"], body["brand"], body["group"], body["attributes"]) == (
        "Trail shoe",
        "Berg",
        None,
        {},
    )
    assert (await client.get("/api/v2/articles/A-3", headers=till)).status_code == 200


async def test_a_number_sent_twice_in_one_upload_keeps_the_later_row(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v3/articles", json=[article("A-1", brand="Old"), article("A-1", brand="New")], headers=till
    )
    assert response.json() == {"created": 1, "updated": 0}
    assert (await client.get("/api/v3/articles/A-1", headers=till)).json()["brand"] == "New"


async def test_concurrent_uploads_of_one_article_never_fail(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/api/v3/articles", json=[article("A-1", brand=f"B{n}")], headers=till)
            for n in range(8)
        )
    )
    assert {response.status_code for response in responses} == {200}
    assert (await client.get("/api/v3/articles/A-1", headers=till)).json()["brand"] in {
        f"B{n}" for n in range(8)
    }


async def test_unknown_article_is_404(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    response = await client.get("/api/v3/articles/NOPE", headers=till)
    assert response.status_code == 404
    assert response.json()["key"] == "ArticleNotFound"


@pytest.mark.parametrize(
    "body",
    [
        [],
        [article(str(n)) for n in range(1001)],
        [{"name": "no number"}],
        [{"articleNumber": "A-1"}],
        [article("A-1", attributes="not an object")],
        {"articleNumber": "A-1", "name": "not a list"},
    ],
    ids=["empty", "over the cap", "no number", "no name", "attributes not an object", "not a list"],
)
async def test_malformed_uploads_are_400_and_store_nothing(
    client: httpx.AsyncClient, till: dict[str, str], body: object
) -> None:
    response = await client.post("/api/v3/articles", json=body, headers=till)
    assert response.status_code == 400
    assert (await client.get("/api/v3/articles/A-1", headers=till)).status_code == 404


async def test_a_thousand_articles_upload_in_one_request(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v3/articles", json=[article(str(n)) for n in range(1000)], headers=till
    )
    assert response.json() == {"created": 1000, "updated": 0}
