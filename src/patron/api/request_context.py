"""The outermost layer of every request: its id, body limits, access log, metrics, and the
500 envelope for anything that escaped (a 5xx is a bug, but it still gets the envelope)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patron.api.asgi import header, send_error
from patron.api.json_bodies import json_problem
from patron.api.metrics import Metrics
from patron.errors import BadRequest, InternalError, PayloadTooLarge, UnsupportedMediaType
from patron.kit.ids import RequestIds

access_log = logging.getLogger("patron.access")
log = logging.getLogger("patron.errors")

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _route_template(scope: Scope) -> str:
    """The matched route with its mount prefix (`/api/v3/contacts/{contactId}`), for labels."""
    template = str(getattr(scope.get("route"), "path", "") or "")
    if not template:
        return "unmatched"
    segments = str(scope["path"]).split("/")
    depth = len(template.split("/")) - 1
    return "/".join(segments[: max(len(segments) - depth, 0)]) + template


# The routes that take a file by multipart/form-data (a record definition's icon); every other
# body is JSON.
UPLOADS = ("/eudIcon",)


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        access_log_enabled: bool,
        metrics: Metrics,
        form_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Pages whose HTML forms post application/x-www-form-urlencoded (the console's).
        self.form_paths = form_paths
        self.access_log_enabled = access_log_enabled
        self.metrics = metrics
        self.request_ids = RequestIds()
        self._timers: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent_id = header(scope, b"x-request-id")
        request_id = sent_id if sent_id and _SANE_REQUEST_ID.match(sent_id) else self.request_ids.new()
        scope["patron.request_id"] = request_id
        status_holder = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            rejection = await self._read_body(scope, receive)
            if rejection is not None:
                status_holder["status"] = rejection.status
                await send_error(send_with_id, rejection, request_id)
            else:
                await self.app(scope, self._replay(scope, receive), send_with_id)
        except Exception as exc:
            log.exception("unhandled error", exc_info=exc)
            if not status_holder["started"]:
                status_holder["status"] = 500
                await send_error(send_with_id, InternalError(), request_id)
        finally:
            self._record(scope, request_id, int(status_holder["status"]), time.perf_counter() - started)

    async def _read_body(self, scope: Scope, receive: Receive) -> Any:
        """Read the whole body up front (bounded), so later layers can hash and replay it."""
        body = b""
        if scope["method"] in _BODY_METHODS:
            declared = header(scope, b"content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                return PayloadTooLarge(f"The body may be at most {self.max_body_bytes} bytes.")
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body_bytes:
                    return PayloadTooLarge(f"The body may be at most {self.max_body_bytes} bytes.")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if (
                body
                and content_type == "application/x-www-form-urlencoded"
                and self.form_paths
                and str(scope["path"]).startswith(self.form_paths)
            ):
                scope["patron.body"] = body
                return None
            if body and content_type == "multipart/form-data" and str(scope["path"]).endswith(UPLOADS):
                scope["patron.body"] = body
                return None
            if body and content_type != "application/json" and not content_type.endswith("+json"):
                return UnsupportedMediaType(
                    f"Send the body as application/json, not {content_type or 'nothing'}."
                )
            if body:
                problem = json_problem(body)
                if problem is not None:
                    return BadRequest(problem)
        scope["patron.body"] = body
        return None

    @staticmethod
    def _replay(scope: Scope, original: Receive) -> Receive:
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": scope["patron.body"], "more_body": False}
            return await original()

        return receive

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = _route_template(scope)
        labels = (scope["method"], route, status)
        timer = self._timers.get(labels)
        if timer is None:  # one per method, route and status: a bounded set
            timer = self._timers[labels] = self.metrics.request_seconds.labels(
                scope["method"], route, str(status)
            )
        timer.observe(seconds)
        if self.access_log_enabled:
            line = {
                "request_id": request_id,
                "method": scope["method"],
                "route": route,
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
            sys.stdout.write(json.dumps(line) + "\n")
