"""A `Call` made into an HTTP request, and its answer sorted into success or an error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from patron_client.credentials import ApiKey, Dialect
from patron_client.errors import error_from
from patron_client.request import Call

USER_AGENT = "patron-client/0.1"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Endpoint:
    """Where Patron is and who calls it. `engage_prefix` is `/api/v3` (or `/api/v2`); the
    record and campaign dialects live at the root."""

    base_url: str
    key: ApiKey
    engage_prefix: str = "/api/v3"

    def url(self, call: Call) -> str:
        prefix = self.engage_prefix if call.dialect is Dialect.ENGAGE else ""
        return f"{self.base_url.rstrip('/')}{prefix}{call.path}"

    def request(self, http: httpx.Client | httpx.AsyncClient, call: Call, key: str | None) -> httpx.Request:
        headers = {"user-agent": USER_AGENT, "accept": "application/json", **self.key.headers(call.dialect)}
        if call.body is not None:
            headers["content-type"] = "application/json"
        if key is not None:
            headers["idempotency-key"] = key
        return http.build_request(
            call.method, self.url(call), params=list(call.params), content=call.body, headers=headers
        )


def checked(response: httpx.Response) -> httpx.Response:
    """The response when it is a success; the error it names otherwise."""
    if response.is_success:
        return response
    raise error_from(response)
