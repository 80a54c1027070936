"""End-user tokens: a retailer's JWT verified to its member, every refusal with its reason, the
minting route, and key secrets kept sealed at rest."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from patron.api import handlers
from patron.api.end_user import MaybeEndUser
from patron.auth import service as keys
from patron.auth.end_users import EndUser, EndUserCredentials, EndUsers, read_end_user_credentials
from patron.auth.roles import Role
from patron.auth.sealing import KeySealing
from patron.config import Settings
from patron.db.engine import Database
from patron.db.session import transaction
from patron.errors import PatronError
from patron.kit import clock
from patron.models import ApiKey, SealingKey
from patron.state import AppState
from tests.clock import frozen_at
from tests.conftest import issue_token
from tests.factories import make_contact

ACCOUNT = "patron"  # PATRON_ACCOUNT_ID's default
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def retailer_token(
    api_token: str,
    external_id: str | None,
    *,
    sub: str = ACCOUNT,
    issued_on: datetime = NOW,
    lifetime: timedelta = timedelta(minutes=10),
    algorithm: str = "HS256",
    secret: str | None = None,
    without: Iterable[str] = (),
) -> str:
    """A token as a retailer's backend signs it with PyJWT, from an API token `<keyId>.<secret>`."""
    key_id, key_secret = api_token.split(".", 1)
    iat = int(issued_on.timestamp())
    claims: dict[str, Any] = {
        "sub": sub,
        "iat": iat,
        "exp": iat + int(lifetime.total_seconds()),
        "userData": {} if external_id is None else {"externalId": external_id},
    }
    for name in without:
        claims.pop(name)
    return jwt.encode(claims, secret or key_secret, algorithm=algorithm, headers={"kid": key_id})


async def verify(state: AppState, token: str, account_id: str = ACCOUNT) -> EndUser:
    return await state.end_users.verify(state.database.read_sessions, EndUserCredentials(token, account_id))


async def refusal(state: AppState, token: str, account_id: str = ACCOUNT) -> str:
    """The message of the 401 the token gets."""
    with frozen_at(NOW), pytest.raises(PatronError) as refused:
        await verify(state, token, account_id)
    assert refused.value.status == 401
    assert refused.value.key == "Unauthorized"
    return refused.value.message


@pytest.fixture
async def member(client: httpx.AsyncClient, till: dict[str, str]) -> dict[str, Any]:
    """A contact's id and externalId, the member a token names."""
    contact = await make_contact(client, till, externalId=f"M-{uuid.uuid4().hex[:8]}")
    return {"id": contact["id"], "externalId": contact["attributes"]["externalId"]}


async def test_a_retailers_token_verifies_to_its_member(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    with frozen_at(NOW + timedelta(minutes=5)):
        end_user = await verify(state, retailer_token(integration_token, member["externalId"]))
    assert end_user == EndUser(
        key_id=integration_token.split(".")[0],
        account_id=ACCOUNT,
        contact_id=uuid.UUID(member["id"]),
        external_id=member["externalId"],
    )


async def test_admin_keys_sign_end_user_tokens_too(
    state: AppState, admin_token: str, member: dict[str, Any]
) -> None:
    with frozen_at(NOW):
        end_user = await verify(state, retailer_token(admin_token, member["externalId"]))
    assert end_user.contact_id == uuid.UUID(member["id"])


async def test_an_expired_token_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"], issued_on=NOW - timedelta(minutes=20))
    assert "expired" in await refusal(state, token)


async def test_a_token_that_lives_longer_than_30_minutes_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"], lifetime=timedelta(minutes=31))
    assert "longer than 30 minutes" in await refusal(state, token)
    thirty = retailer_token(integration_token, member["externalId"], lifetime=timedelta(minutes=30))
    with frozen_at(NOW):
        assert (await verify(state, thirty)).external_id == member["externalId"]


async def test_a_token_issued_in_the_future_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"], issued_on=NOW + timedelta(minutes=5))
    assert "future" in await refusal(state, token)


async def test_a_token_of_an_unknown_key_is_refused(state: AppState, member: dict[str, Any]) -> None:
    token = retailer_token("pk_nosuchkey." + "s" * 43, member["externalId"])
    assert "key pk_nosuchkey is unknown or revoked" in await refusal(state, token)


async def test_a_token_of_a_revoked_key_is_refused(
    state: AppState, database: Database, member: dict[str, Any]
) -> None:
    api_token = await issue_token(database, Role.INTEGRATION, "revoked")
    async with transaction(database) as session:
        await keys.revoke_key(session, api_token.split(".")[0])
    assert "unknown or revoked" in await refusal(state, retailer_token(api_token, member["externalId"]))


async def test_a_revoked_key_stops_verifying_once_the_cache_time_has_passed(
    state: AppState, database: Database, member: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    api_token = await issue_token(database, Role.INTEGRATION, "soon revoked")
    token = retailer_token(api_token, member["externalId"])
    with frozen_at(NOW):
        await verify(state, token)
        async with transaction(database) as session:
            await keys.revoke_key(session, api_token.split(".")[0])
        # Within PATRON_AUTH_CACHE_SECONDS (5 s) the unsealed key is still trusted.
        assert (await verify(state, token)).external_id == member["externalId"]
    later = clock.monotonic() + 6
    monkeypatch.setattr(clock, "monotonic", lambda: later)
    assert "unknown or revoked" in await refusal(state, token)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_a_token_signed_with_another_algorithm_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any], algorithm: str
) -> None:
    # Signed with a secret long enough for the algorithm, so only the algorithm is wrong.
    token = retailer_token(integration_token, member["externalId"], algorithm=algorithm, secret="y" * 64)
    assert "algorithm must be HS256" in await refusal(state, token)


async def test_an_unsigned_token_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    signed = retailer_token(integration_token, member["externalId"])
    claims = jwt.decode(signed, options={"verify_signature": False})
    header = {"alg": "none", "typ": "JWT", "kid": integration_token.split(".")[0]}
    for unsigned in (f"{_b64(header)}.{_b64(claims)}.", f"{_b64({**header, 'alg': 'None'})}.{_b64(claims)}."):
        assert "algorithm must be HS256" in await refusal(state, unsigned)


async def test_a_token_whose_header_claims_hs256_but_is_not_signed_so_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    head, body, _ = retailer_token(integration_token, member["externalId"]).split(".")
    assert "signature does not match" in await refusal(state, f"{head}.{body}.")


async def test_a_token_signed_with_another_secret_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"], secret="x" * 43)
    message = await refusal(state, token)
    assert "signature does not match" in message
    assert integration_token.split(".")[1] not in message


async def test_a_token_for_another_account_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"], sub="someone-else")
    assert "sub is not the account x-account-id names" in await refusal(state, token)
    # Nor may the header name another account, even one the token agrees with.
    assert "this deployment's account" in await refusal(state, token, account_id="someone-else")


@pytest.mark.parametrize("claim", ["sub", "iat", "exp", "userData"])
async def test_a_token_missing_a_claim_is_refused(
    state: AppState, integration_token: str, member: dict[str, Any], claim: str
) -> None:
    token = retailer_token(integration_token, member["externalId"], without=[claim])
    assert f"no {claim} claim" in await refusal(state, token)


async def test_a_token_without_an_external_id_is_refused(state: AppState, integration_token: str) -> None:
    assert "no userData.externalId claim" in await refusal(state, retailer_token(integration_token, None))


async def test_a_token_naming_no_contact_is_refused(state: AppState, integration_token: str) -> None:
    token = retailer_token(integration_token, "M-nobody")
    assert "externalId is no contact's" in await refusal(state, token)


async def test_a_token_for_an_erased_contact_is_refused(
    client: httpx.AsyncClient,
    till: dict[str, str],
    state: AppState,
    integration_token: str,
    member: dict[str, Any],
) -> None:
    token = retailer_token(integration_token, member["externalId"])
    assert (await client.delete(f"/api/v3/contacts/{member['id']}", headers=till)).status_code in (200, 204)
    assert "externalId is no contact's" in await refusal(state, token)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "e30.e30.", "." * 3])
async def test_a_token_that_is_no_jwt_is_refused(state: AppState, token: str) -> None:
    if not token:
        with pytest.raises(PatronError) as refused:
            read_end_user_credentials({"x-enduser-access-token": token, "x-account-id": ACCOUNT})
        assert refused.value.status == 401
        return
    assert "The end-user token is refused" in await refusal(state, token)


async def test_a_key_created_before_secrets_were_sealed_is_refused_with_the_way_out(
    state: AppState, database: Database, member: dict[str, Any]
) -> None:
    api_token = await issue_token(database, Role.INTEGRATION, "old")
    async with transaction(database) as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == api_token.split(".")[0]).values(sealed_secret=None)
        )
    message = await refusal(state, retailer_token(api_token, member["externalId"]))
    assert "created before Patron kept key secrets sealed" in message
    assert "create a new key" in message


def test_end_user_headers_come_together() -> None:
    assert read_end_user_credentials({}) is None
    assert read_end_user_credentials(
        {"x-enduser-access-token": "t", "x-account-id": "a"}
    ) == EndUserCredentials("t", "a")
    for one_alone in ({"x-enduser-access-token": "t"}, {"x-account-id": "a"}):
        with pytest.raises(PatronError) as refused:
            read_end_user_credentials(one_alone)
        assert refused.value.status == 401


# The minting route ---------------------------------------------------------------------------


async def test_a_minted_token_verifies_to_its_contact(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState, member: dict[str, Any]
) -> None:
    with frozen_at(NOW):
        answer = await client.post("/api/v3/end-user-tokens", json={"contactId": member["id"]}, headers=till)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["accountId"] == ACCOUNT
    assert datetime.fromisoformat(body["expiresOn"]) == NOW + timedelta(minutes=15)
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["userData"] == {"externalId": member["externalId"]}
    assert jwt.get_unverified_header(body["token"])["kid"] == till["apikey"].split(".")[0]
    with frozen_at(NOW + timedelta(minutes=14)):
        end_user = await verify(state, body["token"], body["accountId"])
    assert end_user.contact_id == uuid.UUID(member["id"])
    assert "expired" in await refusal_at(state, body["token"], NOW + timedelta(minutes=16))


async def refusal_at(state: AppState, token: str, instant: datetime) -> str:
    with frozen_at(instant), pytest.raises(PatronError) as refused:
        await verify(state, token)
    assert refused.value.status == 401
    return refused.value.message


async def test_minting_for_an_unknown_contact_is_404(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    answer = await client.post(
        "/api/v3/end-user-tokens", json={"contactId": str(uuid.uuid4())}, headers=admin
    )
    assert answer.status_code == 404
    assert answer.json()["key"] == "ContactNotFound"


async def test_minting_for_a_contact_without_an_external_id_is_409(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    answer = await client.post("/api/v3/end-user-tokens", json={"contactId": contact["id"]}, headers=till)
    assert answer.status_code == 409
    assert answer.json()["key"] == "ContactWithoutExternalId"


async def test_minting_with_a_key_created_before_sealing_says_to_create_a_new_key(
    client: httpx.AsyncClient, database: Database, till: dict[str, str], member: dict[str, Any]
) -> None:
    old = await issue_token(database, Role.INTEGRATION, "old")
    async with transaction(database) as session:
        await session.execute(update(ApiKey).where(ApiKey.id == old.split(".")[0]).values(sealed_secret=None))
    answer = await client.post(
        "/api/v3/end-user-tokens", json={"contactId": member["id"]}, headers={"apikey": old}
    )
    assert answer.status_code == 409
    assert answer.json()["key"] == "KeyCannotSign"
    assert "create a new key" in answer.json()["message"]


@pytest.mark.parametrize("body", [{}, {"contactId": "nope"}, {"contactId": None}, []])
async def test_minting_with_a_bad_body_is_400(
    client: httpx.AsyncClient, till: dict[str, str], body: object
) -> None:
    answer = await client.post("/api/v3/end-user-tokens", json=body, headers=till)
    assert answer.status_code == 400
    assert answer.json()["key"] == "BadRequest"


async def test_minting_needs_a_key(client: httpx.AsyncClient, member: dict[str, Any]) -> None:
    answer = await client.post("/api/v3/end-user-tokens", json={"contactId": member["id"]})
    assert answer.status_code == 401


# What routes for end users call -----------------------------------------------------------------


@pytest.fixture
def end_user_app(state: AppState) -> FastAPI:
    """A route that says who its end user is, as the record dialect's routes will."""
    app = FastAPI()
    app.state.patron = state
    handlers.install(app)

    @app.get("/me")
    async def me(end_user: MaybeEndUser) -> dict[str, str | None]:
        return {"contactId": None if end_user is None else str(end_user.contact_id)}

    return app


async def test_a_route_sees_the_end_user_of_the_headers_or_none(
    end_user_app: FastAPI, integration_token: str, member: dict[str, Any]
) -> None:
    token = retailer_token(integration_token, member["externalId"])
    transport = httpx.ASGITransport(app=end_user_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as http:
        assert (await http.get("/me")).json() == {"contactId": None}
        with frozen_at(NOW):
            seen = await http.get("/me", headers={"x-enduser-access-token": token, "x-account-id": ACCOUNT})
            assert seen.json() == {"contactId": member["id"]}
            refused = await http.get(
                "/me", headers={"x-enduser-access-token": token, "x-account-id": "other"}
            )
        with frozen_at(NOW + timedelta(hours=1)):
            expired = await http.get(
                "/me", headers={"x-enduser-access-token": token, "x-account-id": ACCOUNT}
            )
    assert refused.status_code == 401
    assert refused.json()["key"] == "Unauthorized"
    assert "this deployment's account" in refused.json()["message"]
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]


# Secrets at rest ------------------------------------------------------------------------------


async def test_a_keys_secret_is_not_stored_in_the_clear(
    database: Database, client: httpx.AsyncClient
) -> None:
    api_token = await issue_token(database, Role.ADMIN, "at rest")
    key_id, secret = api_token.split(".", 1)
    async with transaction(database) as session:
        stored = (await session.execute(select(ApiKey).where(ApiKey.id == key_id))).scalar_one()
        generated = (await session.execute(select(SealingKey))).scalars().all()
    assert stored.sealed_secret is not None
    assert stored.sealed_secret.startswith("g1.")
    assert secret not in stored.sealed_secret
    assert secret not in stored.secret_hash
    assert base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=") not in stored.sealed_secret
    assert [row.id for row in generated] == ["generated"]
    assert secret not in generated[0].key


async def test_with_patron_secret_key_set_secrets_are_sealed_with_it_and_nothing_is_generated(
    database: Database, client: httpx.AsyncClient
) -> None:
    configured = KeySealing("a-deployment-secret-of-at-least-32-characters")
    async with transaction(database) as session:
        issued = await keys.create_key(session, name="configured", role=Role.INTEGRATION, sealing=configured)
    key_id, secret = issued.token.split(".", 1)
    async with transaction(database) as session:
        sealed = (await session.execute(select(ApiKey.sealed_secret).where(ApiKey.id == key_id))).scalar_one()
        generated = (await session.execute(select(SealingKey))).scalars().all()
        assert sealed is not None and sealed.startswith("c1.")
        assert secret not in sealed
        assert generated == []
        assert await configured.unseal(session, key_id, sealed) == secret
        # Another PATRON_SECRET_KEY, or none, unseals nothing; nor does the sealed secret of one
        # key unseal as another's.
        assert (
            await KeySealing("another-deployment-secret-of-32-characters").unseal(session, key_id, sealed)
            is None
        )
        assert await KeySealing().unseal(session, key_id, sealed) is None
        assert await configured.unseal(session, "pk_other", sealed) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": 123},
        {"sub": ""},
        {"sub": "p" * 201},
        {"iat": "now"},
        {"iat": True},
        {"exp": 1e300},
        {"exp": [1]},
        {"userData": "M-1"},
        {"userData": {"externalId": 7}},
        {"userData": {"externalId": ""}},
        {"userData": {"externalId": None}},
    ],
)
async def test_claims_of_the_wrong_kind_are_refused(
    state: AppState, integration_token: str, member: dict[str, Any], claims: dict[str, Any]
) -> None:
    key_id, secret = integration_token.split(".", 1)
    iat = int(NOW.timestamp())
    good = {"sub": ACCOUNT, "iat": iat, "exp": iat + 600, "userData": {"externalId": member["externalId"]}}
    token = jwt.encode({**good, **claims}, secret, algorithm="HS256", headers={"kid": key_id})
    assert (await refusal(state, token)).startswith("The end-user token is refused: ")


async def test_a_key_sealed_with_patron_secret_key_signs_tokens_that_verify(
    state: AppState, database: Database, member: dict[str, Any]
) -> None:
    secret_key = "a-deployment-secret-of-at-least-32-characters"
    settings = state.settings.model_copy(update={"secret_key": secret_key})
    sealing = KeySealing.from_settings(settings)
    async with transaction(database) as session:
        issued = await keys.create_key(session, name="sealed", role=Role.INTEGRATION, sealing=sealing)
    token = retailer_token(issued.token, member["externalId"])
    with frozen_at(NOW):
        end_user = await EndUsers(settings, sealing).verify(
            database.read_sessions, EndUserCredentials(token, ACCOUNT)
        )
        assert end_user.contact_id == uuid.UUID(member["id"])
        # The application's own verifier has no PATRON_SECRET_KEY: it cannot unseal the secret.
        with pytest.raises(PatronError) as refused:
            await verify(state, token)
    assert "sealing key this deployment no longer has" in refused.value.message


def test_patron_secret_key_is_at_least_32_characters() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        Settings(secret_key="too short")
    assert Settings(secret_key="").secret_key == ""
    assert "x" * 32 not in repr(Settings(secret_key="x" * 32))
