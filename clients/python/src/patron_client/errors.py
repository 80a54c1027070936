"""What can go wrong in a call, as exceptions a till can catch by name.

Patron answers every error in one envelope: `{"code", "key", "message", "details",
"request_id"}`; `key` is the documented error name (`ContactNotFound`, ...). Errors Patron
names get their own class; any other answer is an `ApiError` with its key.
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from types import MappingProxyType

import httpx
from pydantic import JsonValue


class PatronError(Exception):
    """Anything the client raises. `idempotency_key` is the key the failed call was sent
    under: queue the call with it (`client.later.send(operation, idempotency_key=...)`) and
    it is applied once, whether or not one of the tries had reached Patron."""

    idempotency_key: str | None = None


class PatronUnavailable(PatronError):
    """No answer came (connection refused or cut, timeout) after every retry."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class OutboxNotConfigured(PatronError):
    """Queuing needs the client built with `outbox=PATH`."""


class ApiError(PatronError):
    """Patron answered, and not with success."""

    def __init__(
        self,
        status: int,
        key: str,
        message: str,
        details: JsonValue = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status} {key}: {message}")
        self.status = status
        self.key = key
        self.message = message
        self.details = details
        self.request_id = request_id
        self.retry_after = retry_after


class ContactNotFound(ApiError):
    """No contact has that key (or the contact was erased)."""


class ContactAlreadyExists(ApiError):
    """A unique key (e-mail, phone, externalId, member number, card) belongs to a contact."""

    @property
    def contact_id(self) -> str | None:
        found = self.details.get("contactId") if isinstance(self.details, dict) else None
        return found if isinstance(found, str) else None


class AlreadyMember(ApiError):
    """The contact is a Member already."""


class ReceiptAlreadyExists(ApiError):
    """Another receipt was stored under this uniqueReceiptId."""


class PromotionAlreadyRedeemed(ApiError):
    """The offer was redeemed before, by another call."""


class IdempotencyKeyInFlight(ApiError):
    """The first call with this Idempotency-Key is still running, or died holding the key
    until its lease runs out; asking again later with the same key is safe."""


class IdempotencyKeyReused(ApiError):
    """The key was used before with another body."""


_BY_KEY: MappingProxyType[str, type[ApiError]] = MappingProxyType(
    {
        error.__name__: error
        for error in (
            ContactNotFound,
            ContactAlreadyExists,
            AlreadyMember,
            ReceiptAlreadyExists,
            PromotionAlreadyRedeemed,
            IdempotencyKeyInFlight,
            IdempotencyKeyReused,
        )
    }
)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds; an HTTP date is turned into the seconds until it."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def error_from(response: httpx.Response) -> ApiError:
    """The exception for an answer that is not a success."""
    key, message, details, request_id = f"Http{response.status_code}", response.reason_phrase, None, None
    try:
        envelope = json.loads(response.content)
    except ValueError:
        envelope = None
    if isinstance(envelope, dict):
        key = str(envelope.get("key") or key)
        message = str(envelope.get("message") or message)
        details = envelope.get("details")
        found_id = envelope.get("request_id")
        request_id = found_id if isinstance(found_id, str) else None
    request_id = request_id or response.headers.get("x-request-id")
    error = _BY_KEY.get(key, ApiError)
    return error(response.status_code, key, message, details, request_id, retry_after_seconds(response))
