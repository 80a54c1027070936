"""A real `patron serve` for the browser tests, and a web shop of another origin to embed the
widget in. Both listen on this block of ports (PATRON_CONSOLE_TEST_PORTS moves it)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.reliability.server import ServerProcess

_first, _last = os.environ.get("PATRON_CONSOLE_TEST_PORTS", "8770-8799").split("-")
_BLOCK = range(int(_first), int(_last) + 1)
if "PYTEST_XDIST_WORKER" in os.environ:
    _share = len(_BLOCK) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    _start = _BLOCK.start + int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw")) * _share
    _BLOCK = range(_start, _start + _share)


def free_port() -> int:
    for port in _BLOCK:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_BLOCK.start}-{_BLOCK.stop - 1}")


@contextmanager
def patron_serving(database_url: str, log: Path, **settings: str) -> Iterator[str]:
    """`patron serve` on a free port of the block; yields its address."""
    server = ServerProcess(database_url, log, embedded_worker="false", **settings)
    server.port = free_port()
    server.url = f"http://127.0.0.1:{server.port}"
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


Page = Callable[[str], tuple[int, str, bytes]]


@contextmanager
def shop_serving(answer: Page) -> Iterator[str]:
    """A web shop on `localhost` (another origin than Patron's 127.0.0.1): `answer(path)` gives
    each GET its status, content type and body."""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = answer(self.path)
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Shop)
    thread = threading.Thread(target=httpd.serve_forever, name="test-shop", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
