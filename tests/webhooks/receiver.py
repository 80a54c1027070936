"""A real HTTP receiver on loopback, in a thread: answers each delivery as the test says and
keeps what it was sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.reliability.server import free_port


@dataclass(frozen=True)
class Hit:
    headers: dict[str, str]
    body: bytes
    status: int
    at: float


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    # A worker opens up to its concurrency's connections at once: the default backlog of 5
    # would reset the rest, and their deliveries would fail for the receiver's sake.
    request_queue_size = 256


class Receiver:
    """`answer(n)` gives the status of the n-th request (from 1); 200 by default."""

    def __init__(self, answer: Callable[[int], int] | None = None, port: int | None = None) -> None:
        self.answer = answer or (lambda n: 200)
        self.port = port or free_port()
        self.hits: list[Hit] = []
        # The webhook-id of every request as it arrives, answered or not.
        self.arrivals: list[str] = []
        self.lock = threading.Lock()
        # Set to hold requests until released (a delivery in flight).
        self.hold = threading.Event()
        self.hold.set()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Keeps connections open between deliveries, as a receiver behind any web server does.
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    receiver.arrivals.append(self.headers.get("webhook-id", ""))
                receiver.hold.wait()
                with receiver.lock:
                    status = receiver.answer(len(receiver.hits) + 1)
                    receiver.hits.append(Hit(dict(self.headers.items()), body, status, time.monotonic()))
                # 204 and 304 carry no body; a connection kept open would read one as the next answer.
                answer = b"" if status in (204, 304) else b"answer %d " % status + b"x" * 2000
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self) -> list[Hit]:
        with self.lock:
            return list(self.hits)
