"""The Engage dialect's one policy for fields it does not know: every body ignores them, never
applies or stores them, and logs their names (kit/bodies.py)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import uuid
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

import patron
from patron.app import create_app
from patron.config import Settings
from patron.contacts.schemas import ContactFields
from patron.kit.bodies import Body
from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id
from tests.promotions.factories import make_assignment, make_promotion, redeem
from tests.receipts.factories import make_store, receipt


def _request_body_models() -> set[str]:
    """The names of every model a JSON request body of the OpenAPI description is made of."""
    description = create_app(
        Settings(database_url="sqlite+aiosqlite:///unused.db"), background=False
    ).openapi()
    schemas = description["components"]["schemas"]
    names: set[str] = set()

    def follow(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref and (name := ref.rsplit("/", 1)[-1]) not in names:
                names.add(name)
                follow(schemas[name])
            for value in node.values():
                follow(value)
        elif isinstance(node, list):
            for value in node:
                follow(value)

    # JSON bodies only: a multipart form (an icon upload) names its fields, and FastAPI reads
    # those and nothing else.
    for operations in description["paths"].values():
        for operation in operations.values():
            follow(operation.get("requestBody", {}).get("content", {}).get("application/json"))
    # Pydantic names a model used both ways `Name-Input`; enums are not models.
    return {name.removesuffix("-Input") for name in names if schemas[name].get("type") == "object"}


def _schema_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    # Every module: a body may live beside the one service that reads it (records/members.py).
    for module in pkgutil.walk_packages(patron.__path__, "patron."):
        if module.name != "patron.__main__":
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, type) and issubclass(value, BaseModel):
                    models[value.__name__] = value
                    # Two models of one name are told apart by their module in the OpenAPI.
                    models[f"{value.__module__}.{value.__qualname__}".replace(".", "__")] = value
    return models


def test_every_request_body_ignores_unknown_fields_the_one_way() -> None:
    models = _schema_models()
    names = _request_body_models()
    assert "ReceiptIn" in names and "CheckpointRow" in names  # the direct routes' bodies too
    # Contacts are a flat object whose extra keys are the configured custom attributes; an
    # unconfigured one is ignored by the contacts service with the same logging.
    others = sorted(
        name for name in names if not issubclass(models[name], Body) and models[name] is not ContactFields
    )
    assert others == []


async def test_an_assignment_ignores_a_redeemed_flag_and_logs_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    contact = await make_contact_id(client, admin)
    promotion = await make_promotion(client, admin)
    with caplog.at_level(logging.INFO, logger="patron.bodies"):
        assigned = await client.post(
            "/api/v3/promotion-assignments",
            json={
                "contactId": contact,
                "promotionId": promotion["id"],
                "redeemed": True,
                "id": str(uuid.uuid4()),
            },
            headers=admin,
        )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["redeemed"] is False
    assert "id, redeemed" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="patron.bodies"):
        redeemed = await redeem(client, till, assigned.json()["id"], redeemedOn="2001-01-01T00:00:00Z")
    assert redeemed.status_code == 200, redeemed.text
    assert "redeemedOn" in caplog.text
    again = await make_assignment(client, admin, contact, promotion["id"])
    assert again["id"] != assigned.json()["id"]  # the first was redeemed by the redeem call alone


async def test_a_contact_keeps_no_unknown_attribute_nor_a_sent_id(
    client: httpx.AsyncClient, till: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    sent_id = str(uuid.uuid4())
    with caplog.at_level(logging.INFO, logger="patron.bodies"):
        created = await client.post(
            "/api/v3/contacts",
            json={"email": "unknown@example.com", "id": sent_id, "favouriteColour": "teal", "shoeSize": 40},
            headers=till,
        )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["id"] != sent_id
    assert contact["attributes"].get("shoeSize") == 40  # configured: kept
    assert "favouriteColour" not in contact["attributes"] and "id" not in contact["attributes"]
    assert "favouriteColour" in caplog.text and "id" in caplog.text
    read = await client.get(f"/api/v3/contacts/{contact['id']}", headers=till)
    assert "favouriteColour" not in read.text


async def test_a_receipt_and_a_checkpoint_row_ignore_what_they_do_not_know(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    with caplog.at_level(logging.INFO, logger="patron.bodies"):
        stored = await client.post(
            "/api/v3/receipts", json={**receipt(contact, store), "shippedDate": "2026-11-21"}, headers=till
        )
    assert stored.status_code == 201, stored.text
    assert "shippedDate" not in stored.text
    assert "shippedDate" in caplog.text
    definition = await make_definition(client, admin)
    row = {
        "definitionId": definition["id"],
        "contactId": contact,
        "checkpointAmount": 1,
        "note": "from the app",
    }
    with caplog.at_level(logging.INFO, logger="patron.bodies"):
        counted = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
    assert counted.status_code == 200, counted.text
    assert counted.json()["notAccepted"] == []
    assert "note" in caplog.text
    assert [
        challenge["completedCheckpoints"] for challenge in await challenges_of(client, till, contact)
    ] == [1]
