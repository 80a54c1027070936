"""Every route, every role, every header form: allowed or refused as the roles table says."""

from __future__ import annotations

import base64
import re
import uuid

import httpx
import pytest

from patron.app import create_app
from patron.db.engine import Database
from tests.conftest import make_settings

ADMIN, INTEGRATION, ANYONE = "admin", "integration", "anyone"

# Who may call each operation, written out here rather than read from the code.
EXPECTED = {
    ("GET", "/contacts/id"): INTEGRATION,
    ("POST", "/contacts"): INTEGRATION,
    ("POST", "/contacts/bulk"): INTEGRATION,
    ("GET", "/contacts/bulk/status"): INTEGRATION,
    ("POST", "/receipts/bulk"): INTEGRATION,
    ("GET", "/receipts/bulk/status"): INTEGRATION,
    ("GET", "/contacts/{contactId}"): INTEGRATION,
    ("PATCH", "/contacts/{contactId}"): INTEGRATION,
    ("DELETE", "/contacts/{contactId}"): INTEGRATION,
    ("POST", "/contacts/{contactId}/promote-to-member"): INTEGRATION,
    ("POST", "/contacts/{contactId}/promoteToMember"): INTEGRATION,
    ("GET", "/stores"): INTEGRATION,
    ("POST", "/stores"): ADMIN,
    ("GET", "/stores/{externalId}"): INTEGRATION,
    ("PUT", "/stores/{externalId}"): ADMIN,
    ("POST", "/promotions/multichannels"): ADMIN,
    ("GET", "/promotions/multichannels"): INTEGRATION,
    ("DELETE", "/promotions/multichannels"): ADMIN,
    ("GET", "/promotions/multichannels/{promotionId}"): INTEGRATION,
    ("PUT", "/promotions/multichannels/{promotionId}"): ADMIN,
    ("DELETE", "/promotions/multichannels/{promotionId}"): ADMIN,
    ("GET", "/promotions/multichannels/{promotionId}/validity"): INTEGRATION,
    ("PUT", "/promotions/multichannels/{promotionId}/validity"): ADMIN,
    ("POST", "/promotions/multichannels/{promotionId}/activate"): ADMIN,
    ("POST", "/promotions/multichannels/{promotionId}/deactivate"): ADMIN,
    ("POST", "/promotion-assignments"): ADMIN,
    ("GET", "/promotion-assignments"): INTEGRATION,
    ("GET", "/contacts/{contactId}/promotions"): INTEGRATION,
    ("POST", "/promotion-assignments/{assignmentId}/redeem"): INTEGRATION,
    ("POST", "/receipts"): INTEGRATION,
    ("GET", "/receipts/{receiptId}"): INTEGRATION,
    ("GET", "/contacts/transactions"): INTEGRATION,
    ("GET", "/contacts/{contactId}/transactions"): INTEGRATION,
    ("POST", "/articles"): INTEGRATION,
    ("GET", "/articles/{articleNumber}"): INTEGRATION,
    ("GET", "/challenges/definitions"): INTEGRATION,
    ("POST", "/challenges/definitions"): ADMIN,
    ("GET", "/challenges/definitions/{definitionId}"): INTEGRATION,
    ("PUT", "/challenges/definitions/{definitionId}"): ADMIN,
    ("DELETE", "/challenges/definitions/{definitionId}"): ADMIN,
    ("POST", "/challenges/definitions/{definitionId}/activate"): ADMIN,
    ("POST", "/challenges/definitions/{definitionId}/end"): ADMIN,
    ("POST", "/challenges/definitions/{definitionId}/assign"): INTEGRATION,
    ("POST", "/challenges/checkpoints"): INTEGRATION,
    ("GET", "/challenges"): INTEGRATION,
    ("GET", "/challenges/{challengeId}"): INTEGRATION,
    ("GET", "/point-accounts/definitions"): INTEGRATION,
    ("POST", "/point-accounts/definitions"): ADMIN,
    ("GET", "/webhooks"): ADMIN,
    ("POST", "/webhooks"): ADMIN,
    ("GET", "/webhooks/{webhookId}"): ADMIN,
    ("PATCH", "/webhooks/{webhookId}"): ADMIN,
    ("DELETE", "/webhooks/{webhookId}"): ADMIN,
    ("POST", "/webhooks/{webhookId}/rotate-secret"): ADMIN,
    ("POST", "/webhooks/{webhookId}/test"): ADMIN,
    ("GET", "/webhooks/{webhookId}/deliveries"): ADMIN,
    ("POST", "/webhooks/{webhookId}/deliveries/{deliveryId}/retry"): ADMIN,
    ("POST", "/webhooks/{webhookId}/replay"): ADMIN,
    ("GET", "/point-accounts/definitions/{definitionId}"): INTEGRATION,
    ("GET", "/point-accounts/transactions"): INTEGRATION,
    ("POST", "/point-accounts/transactions"): INTEGRATION,
    ("GET", "/point-accounts"): INTEGRATION,
    ("GET", "/point-accounts/{accountId}"): INTEGRATION,
    ("GET", "/contacts/{contactId}/rewards"): INTEGRATION,
    ("POST", "/end-user-tokens"): INTEGRATION,
    ("POST", "/contacts/{contactId}"): INTEGRATION,
    ("GET", "/promotions/multichannels/validity"): INTEGRATION,
    ("POST", "/contacts/{contactId}/promotions/{promotionId}/assign"): ADMIN,
    ("POST", "/contacts/{contactId}/promotions/{promotionId}/redeem"): INTEGRATION,
    ("GET", "/point-accounts/transactions/{transactionId}"): INTEGRATION,
    ("POST", "/point-transactions"): INTEGRATION,
    ("GET", "/point-transactions"): INTEGRATION,
    ("POST", "/interactionschemas"): ADMIN,
    ("GET", "/interactionschemas"): INTEGRATION,
    ("GET", "/interactionschemas/{interactionSchemaId}"): INTEGRATION,
    ("DELETE", "/interactionschemas/{interactionSchemaId}"): ADMIN,
    ("POST", "/interactions"): INTEGRATION,
    ("GET", "/interactions"): INTEGRATION,
    ("GET", "/interactions/{interactionId}"): INTEGRATION,
    ("DELETE", "/interactions/{interactionId}"): INTEGRATION,
    ("POST", "/orders"): INTEGRATION,
    ("GET", "/contacts/{contactId}/orders"): INTEGRATION,
    ("POST", "/tracking/carts"): INTEGRATION,
    ("POST", "/tracking/carts/batch"): INTEGRATION,
    ("POST", "/tracking/productview"): INTEGRATION,
    ("POST", "/tracking/productviews"): INTEGRATION,
    ("POST", "/stores/{externalId}"): ADMIN,
    ("GET", "/contacts/count"): INTEGRATION,
    ("GET", "/contacts/{contactType}/count"): INTEGRATION,
    ("GET", "/contacts/{contactType}/bykey/{keyValue}"): INTEGRATION,
    ("GET", "/contacts/{contactType}/bykey"): INTEGRATION,
    ("GET", "/contacts/{contactType}/byexternalid/{externalId}"): INTEGRATION,
    ("GET", "/point-rules"): ADMIN,
    ("POST", "/point-rules"): ADMIN,
    ("GET", "/point-rules/{ruleId}"): ADMIN,
    ("PUT", "/point-rules/{ruleId}"): ADMIN,
    ("DELETE", "/point-rules/{ruleId}"): ADMIN,
    ("GET", "/segments"): ADMIN,
    ("POST", "/segments"): ADMIN,
    ("POST", "/segments/preview"): ADMIN,
    ("GET", "/segments/{segmentId}"): ADMIN,
    ("PUT", "/segments/{segmentId}"): ADMIN,
    ("DELETE", "/segments/{segmentId}"): ADMIN,
    ("GET", "/segments/{segmentId}/contacts"): ADMIN,
    ("POST", "/segments/{segmentId}/refresh"): ADMIN,
    ("POST", "/promotions/multichannels/{promotionId}/assign-segment"): ADMIN,
    ("GET", "/assignment-jobs/{jobId}"): ADMIN,
}
# The campaigns dialect (API.md §3), at the root.
CAMPAIGN_EXPECTED = {
    ("POST", "/customers"): INTEGRATION,
    ("GET", "/customers/{source_id}"): INTEGRATION,
    ("GET", "/customers/validate-code/{referral_code}"): INTEGRATION,
    ("GET", "/customers/referral/list/{source_id}"): INTEGRATION,
    ("GET", "/events/segment/check-auth"): INTEGRATION,
    ("POST", "/events/invoke"): INTEGRATION,
    ("POST", "/events"): INTEGRATION,
    ("GET", "/campaigns/reward-progress"): INTEGRATION,
    ("POST", "/campaigns"): ADMIN,
    ("GET", "/campaigns"): INTEGRATION,
    ("GET", "/campaigns/{campaign_id}"): INTEGRATION,
    ("PATCH", "/campaigns/{campaign_id}"): ADMIN,
    ("POST", "/campaigns/{campaign_id}/end"): ADMIN,
    ("GET", "/wallets/customer/{source_id}"): INTEGRATION,
    ("PUT", "/wallets/customer/{source_id}/transactions/{wallet_id}"): INTEGRATION,
    ("GET", "/wallets/customer/{source_id}/transactions/{wallet_id}"): INTEGRATION,
    ("POST", "/coupons/list/all"): INTEGRATION,
    ("POST", "/coupons/validate"): INTEGRATION,
    ("POST", "/coupons/apply"): INTEGRATION,
}
CAMPAIGN_PREFIXES = ("/customers", "/events", "/campaigns", "/wallets", "/coupons")
OPEN_ROUTES = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def api_operations() -> list[tuple[str, str]]:
    """Every operation the OpenAPI description lists under /api/."""
    app = create_app(make_settings("sqlite+aiosqlite:////tmp/patron-route-listing.db"), background=False)
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    ]


def header_forms(token: str) -> dict[str, dict[str, str]]:
    key_id, secret = token.split(".", 1)
    return {
        "apikey": {"apikey": token},
        "bearer": {"authorization": f"Bearer {token}"},
        "basic": {"authorization": "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()},
        "x-api-key": {"x-api-key": key_id, "x-api-secret": secret},
    }


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_every_api_route_has_an_expected_role() -> None:
    assert len(api_operations()) == 2 * len(EXPECTED)
    unlisted = [
        (method, path)
        for method, path in api_operations()
        if (method, re.sub(r"^/api/v[23]", "", path)) not in EXPECTED
    ]
    assert unlisted == []


OPERATIONS = api_operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
async def test_route_admits_and_refuses_by_role_and_header_form(
    client: httpx.AsyncClient, admin_token: str, integration_token: str, method: str, path: str
) -> None:
    allowed = EXPECTED[(method, re.sub(r"^/api/v[23]", "", path))]
    url = concrete(path)

    async def call(headers: dict[str, str]) -> int:
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        return (await client.request(method, url, json=body, headers=headers)).status_code

    assert await call({}) == 401
    assert await call({"apikey": admin_token + "x"}) == 401
    assert await call({"authorization": "Bearer nonsense"}) == 401
    for form, headers in header_forms(admin_token).items():
        assert await call(headers) not in (401, 403), form
    for form, headers in header_forms(integration_token).items():
        status = await call(headers)
        if allowed == INTEGRATION:
            assert status not in (401, 403), form
        else:
            assert status == 403, form


async def test_revoked_key_is_refused_once_the_cache_time_has_passed(
    client: httpx.AsyncClient, admin_token: str, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from patron.auth import service
    from patron.db.session import transaction
    from patron.kit import clock

    assert (await client.get("/api/v3/stores", headers={"apikey": admin_token})).status_code == 200
    async with transaction(database) as session:
        await service.revoke_key(session, admin_token.split(".")[0])
    # Within the cache time the key is still trusted (PATRON_AUTH_CACHE_SECONDS, 5 s here).
    assert (await client.get("/api/v3/stores", headers={"apikey": admin_token})).status_code == 200
    later = clock.monotonic() + 6
    monkeypatch.setattr(clock, "monotonic", lambda: later)
    refused = await client.get("/api/v3/stores", headers={"apikey": admin_token})
    assert refused.status_code == 401
    assert refused.json()["key"] == "Unauthorized"


async def test_open_routes_need_no_key(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"):
        assert (await client.get(path)).status_code == 200, path


def campaign_operations() -> list[tuple[str, str]]:
    """Every operation of the campaigns dialect in the OpenAPI description."""
    app = create_app(make_settings("sqlite+aiosqlite:////tmp/patron-route-listing.db"), background=False)
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(CAMPAIGN_PREFIXES)
        for method in operations
    ]


def test_every_campaign_route_has_an_expected_role() -> None:
    assert sorted(campaign_operations()) == sorted(CAMPAIGN_EXPECTED)


@pytest.mark.parametrize(("method", "path"), campaign_operations())
async def test_campaign_route_admits_and_refuses_by_role_and_header_form(
    client: httpx.AsyncClient, admin_token: str, integration_token: str, method: str, path: str
) -> None:
    allowed = CAMPAIGN_EXPECTED[(method, path)]
    url = concrete(path)

    async def call(headers: dict[str, str]) -> int:
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        return (await client.request(method, url, json=body, headers=headers)).status_code

    assert await call({}) == 401
    assert await call({"apikey": admin_token + "x"}) == 401
    for form, headers in header_forms(admin_token).items():
        assert await call(headers) not in (401, 403), form
    for form, headers in header_forms(integration_token).items():
        status = await call(headers)
        assert status == 403 if allowed == ADMIN else status not in (401, 403), form
