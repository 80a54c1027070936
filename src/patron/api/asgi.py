"""Small pieces the raw ASGI layers share: reading a header, answering with JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Scope, Send

from patron.errors import PatronError

JSON_CONTENT_TYPE = (b"content-type", b"application/json")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_json(
    send: Send, status: int, body: bytes, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Answer on a raw ASGI `send` with `body`, JSON already encoded (so a body rendered by its
    model is sent as it is): its content type, `headers`, its length, in that order. Every
    JSON answer a layer below FastAPI's responses gives goes through here."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [JSON_CONTENT_TYPE, *headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_error(
    send: Send, error: PatronError, request_id: str | None, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """`error`'s envelope through `send_json`, rendered as these layers have always rendered it
    (`json.dumps` as it comes; FastAPI's handlers and the direct routes render it compact)."""
    await send_json(send, error.status, json.dumps(error.envelope(request_id)).encode(), headers)
