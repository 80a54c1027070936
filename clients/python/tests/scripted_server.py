"""A real HTTP server on a local port that answers what the test scripts, in order: any status
with any headers, an answer held back past the client's timeout, or a connection closed with
no answer at all. It records every request it was sent."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from patron_servers import free_port


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: object = None
    headers: tuple[tuple[str, str], ...] = ()
    # Seconds to wait before answering: longer than the client's timeout is a timeout.
    delay: float = 0.0
    # Close the connection without a word, as a server that died mid-request does.
    hang_up: bool = False


def error(status: int, key: str, **headers: str) -> Answer:
    body = {
        "code": status,
        "key": key,
        "message": f"scripted {key}",
        "details": None,
        "request_id": "scripted",
    }
    return Answer(status, body, tuple(headers.items()))


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Script:
    answers: deque[Answer] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    otherwise: Answer = Answer(200, {})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self, request: Received) -> Answer:
        with self.lock:
            self.received.append(request)
            return self.answers.popleft() if self.answers else self.otherwise


class ScriptedServer:
    def __init__(self) -> None:
        self.script = Script()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command,
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                answer = script.next_answer(request)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.hang_up:
                    self.close_connection = True
                    self.connection.close()
                    return
                content = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(content)))
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def will_answer(self, *answers: Answer) -> None:
        self.script.answers.extend(answers)

    @property
    def received(self) -> list[Received]:
        with self.script.lock:
            return list(self.script.received)
