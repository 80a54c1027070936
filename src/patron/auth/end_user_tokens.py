"""End-user tokens on the wire: the JWT (HS256) a retailer's backend signs with an API key's
secret for one of its customers, read and signed here (docs/END_USERS.md).

Header `kid` names the key; claims `sub` (the account), `userData.externalId` (the member),
`iat` and `exp`, at most MAX_LIFETIME apart. Times are checked against Patron's clock, not
PyJWT's, so they mean the same as every other instant Patron compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from jwt.exceptions import InvalidSubjectError

from patron.errors import PatronError, Unauthorized

ALGORITHM = "HS256"
MAX_LIFETIME = timedelta(minutes=30)
DEFAULT_LIFETIME = timedelta(minutes=15)
# How far the signer's clock may be from Patron's: a token issued this far in the future, or
# expired this long ago, still counts.
CLOCK_SKEW = timedelta(seconds=30)
REQUIRED_CLAIMS = ("sub", "iat", "exp", "userData")
# Longer than any key id, account id or externalId Patron stores.
_MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class TokenClaims:
    key_id: str
    account_id: str
    external_id: str
    issued_on: datetime
    expires_on: datetime


def refused(reason: str) -> PatronError:
    return Unauthorized(f"The end-user token is refused: {reason}")


def key_id_of(token: str) -> str:
    """The key that signed `token`, from its header alone: only to know which secret to check
    the signature with. Refuses any algorithm but HS256 before a key is looked up."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise refused("it is not a JWT.") from None
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        raise refused(f"its algorithm must be {ALGORITHM}.")
    key_id = header.get("kid")
    if not isinstance(key_id, str) or not key_id or len(key_id) > _MAX_NAME:
        raise refused("its header names no key (kid).")
    return key_id


def _instant(claims: dict[str, object], name: str) -> datetime:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refused(f"{name} must be a NumericDate (seconds since 1970).")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise refused(f"{name} is not a usable instant.") from None


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_NAME:
        raise refused(f"{name} must be a non-empty string of at most {_MAX_NAME} characters.")
    return value


def claims_of(token: str, key_id: str, secret: str, now: datetime) -> TokenClaims:
    """The claims of a token signed with `secret`, when they hold now; 401 saying why not."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "require": list(REQUIRED_CLAIMS),
                # Checked below against Patron's clock.
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                # Not Patron's claims: a signer may add them, nothing depends on them.
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.MissingRequiredClaimError as exc:
        raise refused(f"it has no {exc.claim} claim.") from None
    except jwt.InvalidSignatureError:
        raise refused(f"its signature does not match key {key_id}'s secret.") from None
    except InvalidSubjectError:
        raise refused("sub must be a string.") from None
    except jwt.InvalidAlgorithmError:
        raise refused(f"its algorithm must be {ALGORITHM}.") from None
    except jwt.PyJWTError:
        raise refused("it is not a valid JWT.") from None
    issued_on, expires_on = _instant(claims, "iat"), _instant(claims, "exp")
    if expires_on <= issued_on:
        raise refused("exp is not after iat.")
    if expires_on - issued_on > MAX_LIFETIME:
        raise refused("it lives longer than 30 minutes (exp - iat).")
    if issued_on > now + CLOCK_SKEW:
        raise refused("it is issued in the future (iat).")
    if expires_on <= now - CLOCK_SKEW:
        raise refused("it has expired.")
    user_data = claims["userData"]
    if not isinstance(user_data, dict) or "externalId" not in user_data:
        raise refused("it has no userData.externalId claim.")
    return TokenClaims(
        key_id=key_id,
        account_id=_text(claims["sub"], "sub"),
        external_id=_text(user_data["externalId"], "userData.externalId"),
        issued_on=issued_on,
        expires_on=expires_on,
    )


def sign(
    key_id: str, secret: str, account_id: str, external_id: str, issued_on: datetime, lifetime: timedelta
) -> str:
    """A token for one member, as a retailer's backend would sign it."""
    issued_at = int(issued_on.timestamp())
    claims = {
        "sub": account_id,
        "iat": issued_at,
        "exp": issued_at + int(lifetime.total_seconds()),
        "userData": {"externalId": external_id},
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": key_id})
