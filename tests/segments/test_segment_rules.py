"""Each field and operator of the segment grammar, compiled to SQL and run on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from patron.db.engine import Database
from tests.clock import frozen_at
from tests.segments.factories import NOW, Shop, everyone, make_shop, members_of


@pytest.fixture
async def shop(client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]) -> Shop:
    with frozen_at(NOW):
        return await make_shop(client, admin, till)


def cases(shop: Shop) -> list[tuple[dict[str, Any], set[str]]]:
    s = shop
    dog_food_90 = {"field": "purchases", "op": "exists", "where": {"groups": ["Dog food"], "withinDays": 90}}
    return [
        ({"field": "city", "op": "eq", "value": "Malmö"}, {s.ann, s.cid}),
        ({"field": "city", "op": "neq", "value": "Malmö"}, {s.bob, s.dan}),
        ({"field": "city", "op": "in", "value": ["Lund", "Ystad"]}, {s.bob, s.dan}),
        ({"field": "city", "op": "contains", "value": "MAL"}, {s.ann, s.cid}),
        ({"field": "firstName", "op": "exists"}, {s.dan}),
        ({"field": "firstName", "op": "notExists"}, {s.ann, s.bob, s.cid}),
        ({"field": "shoeSize", "op": "gte", "value": 40}, {s.ann}),
        ({"field": "shoeSize", "op": "eq", "value": "large"}, {s.bob}),
        ({"field": "birthDay", "op": "between", "value": ["1990-01-01", "1990-12-31"]}, {s.cid}),
        ({"field": "contactType", "op": "eq", "value": "Member"}, {s.ann, s.cid}),
        ({"field": "storeExternalId", "op": "notExists"}, {s.ann, s.bob, s.cid, s.dan}),
        ({"field": "createdOn", "op": "withinDays", "value": 1}, {s.ann, s.bob, s.cid, s.dan}),
        ({"field": "consents.newsletter", "op": "eq", "value": True}, {s.ann}),
        ({"field": "consents.newsletter", "op": "eq", "value": False}, {s.bob}),
        ({"field": "consents.newsletter", "op": "notExists"}, {s.cid, s.dan}),
        ({"field": "preferences.acceptsEmail", "op": "eq", "value": True}, {s.ann}),
        (dog_food_90, {s.ann}),
        ({"field": "purchases", "op": "exists", "where": {"brands": ["Rex"]}}, {s.ann, s.dan}),
        ({"field": "purchases", "op": "notExists"}, {s.cid}),
        ({"field": "purchases.amount", "op": "gt", "value": 500}, {s.bob}),
        ({"field": "purchases.amount", "op": "lt", "value": 100}, {s.cid}),
        ({"field": "purchases.count", "op": "gte", "value": 3, "where": {"withinDays": 30}}, {s.dan}),
        ({"field": "purchases.count", "op": "eq", "value": 0}, {s.cid}),
        ({"field": "purchases.quantity", "op": "between", "value": [2, 10]}, {s.dan}),
        ({"field": "purchases.last", "op": "notWithinDays", "value": 180}, {s.bob}),
        ({"field": "purchases.last", "op": "withinDays", "value": 60}, {s.ann, s.dan}),
        ({"field": "purchases.last", "op": "before", "value": "2026-01-01"}, {s.bob}),
        ({"field": "purchases.last", "op": "after", "value": "2026-05-20"}, {s.dan}),
        ({"field": "points.balance", "op": "gte", "value": 1000, "definitionId": s.points}, {s.bob}),
        (
            {"field": "points.balance", "op": "lt", "value": 1, "definitionId": s.points},
            {s.ann, s.cid, s.dan},
        ),
        (
            {"field": "challenge.status", "op": "eq", "value": "Completed", "definitionId": s.challenge},
            {s.cid},
        ),
        (
            {"field": "challenge.status", "op": "neq", "value": "Completed", "definitionId": s.challenge},
            {s.ann, s.bob, s.dan},
        ),
        ({"field": "promotion", "op": "held", "value": s.promotion}, {s.cid}),
        ({"field": "promotion", "op": "redeemed", "value": s.promotion}, {s.dan}),
        ({"field": "promotion", "op": "notAssigned", "value": s.promotion}, {s.ann, s.bob}),
        ({"and": [{"field": "city", "op": "eq", "value": "Malmö"}, dog_food_90]}, {s.ann}),
        ({"or": [{"field": "city", "op": "eq", "value": "Lund"}, dog_food_90]}, {s.ann, s.bob}),
        ({"not": dog_food_90}, {s.bob, s.cid, s.dan}),
    ]


async def test_every_field_and_operator_selects_exactly_its_contacts(shop: Shop, database: Database) -> None:
    assert await everyone(database) == {shop.ann, shop.bob, shop.cid, shop.dan}
    with frozen_at(NOW):
        for rule, expected in cases(shop):
            assert await members_of(database, rule) == expected, rule


async def test_preview_counts_what_the_rule_holds_without_saving_it(
    shop: Shop, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    with frozen_at(NOW):
        for rule, expected in cases(shop)[:8]:
            counted = await client.post("/api/v3/segments/preview", json={"rule": rule}, headers=admin)
            assert counted.status_code == 200, counted.text
            assert counted.json() == {"count": len(expected)}, rule
        listed = await client.get("/api/v3/segments", headers=admin)
        assert listed.json()["totalCount"] == 0


@pytest.mark.parametrize(
    ("rule", "field", "named"),
    [
        ({"field": "shoeColour", "op": "eq", "value": "red"}, "rule.field", "shoeColour"),
        ({"field": "city", "op": "like", "value": "M%"}, "rule.op", "like"),
        (
            {"and": [{"field": "city", "op": "eq", "value": "x"}, {"field": "purchases", "op": "sum"}]},
            "rule.and[1].op",
            "sum",
        ),
        ({"field": "purchases", "op": "exists", "where": {"colour": ["red"]}}, "rule.where.colour", "colour"),
        ({"field": "points.balance", "op": "gt", "value": 1}, "rule.definitionId", "whole number"),
        ({"field": "purchases.count", "op": "gt", "value": "many"}, "rule.value", "number"),
        (
            {
                "field": "challenge.status",
                "op": "eq",
                "value": "Won",
                "definitionId": "00000000-0000-0000-0000-000000000001",
            },
            "rule.value",
            "Won",
        ),
        ({"xor": []}, "rule.xor", "xor"),
        ({"field": "city", "op": "eq", "value": "x", "colour": 1}, "rule.colour", "colour"),
    ],
)
async def test_an_unknown_field_or_operator_is_a_400_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], rule: dict[str, Any], field: str, named: str
) -> None:
    for path, body in (
        ("/api/v3/segments/preview", {"rule": rule}),
        ("/api/v3/segments", {"name": "Broken", "rule": rule}),
    ):
        refused = await client.post(path, json=body, headers=admin)
        assert refused.status_code == 400, refused.text
        answer = refused.json()
        assert answer["key"] == "BadRequest"
        assert answer["details"][0]["field"] == field
        assert named in answer["message"]
    assert (await client.get("/api/v3/segments", headers=admin)).json()["totalCount"] == 0
