"""Domain errors: each carries its HTTP status and documented key; one handler renders them.

Nothing below the API layer raises HTTP exceptions; services raise these.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PatronError(Exception):
    status: ClassVar[int] = 400
    key: ClassVar[str] = "BadRequest"
    default_message: ClassVar[str] = "The request is not valid."

    def __init__(self, message: str | None = None, details: Any = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def envelope(self, request_id: str | None) -> dict[str, Any]:
        return envelope(self.status, self.key, self.message, self.details, request_id)


def envelope(status: int, key: str, message: str, details: Any, request_id: str | None) -> dict[str, Any]:
    return {"code": status, "key": key, "message": message, "details": details, "request_id": request_id}


def error(status: int, key: str, message: str) -> type[PatronError]:
    """Declare an error class in one line; its name is its key."""
    return type(key, (PatronError,), {"status": status, "key": key, "default_message": message})


BadRequest = error(400, "BadRequest", "The request is not valid.")
Unauthorized = error(401, "Unauthorized", "Missing or invalid credentials.")
Forbidden = error(403, "Forbidden", "This key may not do that.")
NotFound = error(404, "NotFound", "No such resource.")
PayloadTooLarge = error(413, "PayloadTooLarge", "The request body is too large.")
UnsupportedMediaType = error(415, "UnsupportedMediaType", "Send the body as application/json.")
IdempotencyKeyReused = error(
    422, "IdempotencyKeyReused", "This Idempotency-Key was used with a different request."
)
IdempotencyKeyInFlight = error(
    409, "IdempotencyKeyInFlight", "A request with this Idempotency-Key is still being processed."
)
TooManyRequests = error(429, "TooManyRequests", "Too many requests; retry after the time Retry-After gives.")
ServiceUnavailable = error(503, "ServiceUnavailable", "The database is unavailable; retry shortly.")
InternalError = error(500, "InternalError", "Something went wrong on our side.")
