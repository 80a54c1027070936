"""A real `patron serve` on each database for the generated Engage v2 client, seeded through
the v3 API with what its calls need: a store, a contact, a promotion, a challenge definition,
a point definition and an interaction schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from voyado_engage_sdk import VoyadoEngageSdk

from tests.conftest import migrated_database
from tests.reliability.server import ServerProcess

ADMIN_TOKEN = "engage." + "0123456789abcdef" * 2


@dataclass(frozen=True)
class Served:
    url: str
    v3: httpx.Client

    def made(self, path: str, body: Any, status: int = 200) -> dict[str, Any]:
        response = self.v3.post(f"/api/v3{path}", json=body)
        assert response.status_code == status, response.text
        made: dict[str, Any] = response.json()
        return made


@pytest.fixture(scope="module")
async def engage_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with migrated_database(backend, Path(tmp_path_factory.mktemp("engage"))) as url:
        yield url


@pytest.fixture(scope="module")
def served(engage_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = Path(tmp_path_factory.mktemp("engage-log")) / "serve.log"
    server = ServerProcess(engage_database, log, bootstrap_admin_key=ADMIN_TOKEN, abandoned_cart_minutes="1")
    server.start()
    try:
        with httpx.Client(base_url=server.url, headers={"apikey": ADMIN_TOKEN}, timeout=30) as v3:
            yield Served(server.url, v3)
    finally:
        server.stop()


@pytest.fixture
def sdk(served: Served) -> VoyadoEngageSdk:
    """The client as an integration configures it: the server's root and the `apiKey` header."""
    return VoyadoEngageSdk(api_key=ADMIN_TOKEN, base_url=served.url)


@dataclass(frozen=True)
class World:
    tag: str
    store: str
    contact_id: str
    email: str
    external_id: str
    promotion_id: str
    promotion_external_id: str
    definition_id: str
    point_definition_id: int
    schema_id: str


@pytest.fixture
def world(served: Served) -> World:
    tag = uuid.uuid4().hex[:10]
    store = served.made("/stores", {"externalId": f"S-{tag}", "name": "Harbour", "type": "Physical"}, 201)
    email = f"ann-{tag}@example.com"
    contact = served.made("/contacts", {"email": email, "externalId": f"X-{tag}", "firstName": "Ann"}, 201)
    promotion = served.made(
        "/promotions/multichannels",
        {
            "externalId": f"P-{tag}",
            "name": "20% off",
            "validity": {"startDate": "2020-03-18", "assignedValidity": {"unit": "Months", "amount": 3}},
            "presentation": {
                "heading": "20% off",
                "description": "Shoes",
                "imageUrl": "https://x.test/i.png",
            },
            "redemptionChannels": [{"type": "POS", "valueType": "PERCENT", "value": 20}],
        },
    )
    served.made(f"/promotions/multichannels/{promotion['id']}/activate", None)
    definition = served.made(
        "/challenges/definitions",
        {
            "name": f"Stamps {tag}",
            "requiredNumberOfCheckpoints": 5,
            "status": "Active",
            "imageUrl": "https://x.test/c.png",
        },
    )
    point_definition = served.made("/point-accounts/definitions", {"name": f"Bonus {tag}"})
    schema = served.made(
        "/interactionschemas",
        {
            "id": f"return-{tag}",
            "displayName": "Return",
            "jsonSchema": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["sku"],
            },
        },
        201,
    )
    return World(
        tag=tag,
        store=store["externalId"],
        contact_id=contact["id"],
        email=email,
        external_id=f"X-{tag}",
        promotion_id=promotion["id"],
        promotion_external_id=f"P-{tag}",
        definition_id=definition["id"],
        point_definition_id=int(point_definition["id"]),
        schema_id=schema["id"],
    )
