"""A bare HTTP/1.1 client for bursts: httpx spends milliseconds of its own on each request,
so 200 of them cannot leave it within a second on a small machine; this sends them over a
few kept-alive connections and reads back only each answer's status."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping


def request_bytes(path: str, headers: Mapping[str, str]) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        "host: 127.0.0.1",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def statuses_over_one_connection(port: int, request: bytes, count: int) -> list[int]:
    """`count` requests one after another on one connection; each answer's status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    statuses = []
    try:
        for _ in range(count):
            writer.write(request)
            await writer.drain()
            statuses.append(int((await reader.readline()).split()[1]))
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
    finally:
        writer.close()
        await writer.wait_closed()
    return statuses


async def statuses_of_burst(
    port: int, path: str, headers: Mapping[str, str], count: int, connections: int
) -> list[int]:
    """`count` requests at once over `connections` connections to one server."""
    request = request_bytes(path, headers)
    shares = [count // connections + (n < count % connections) for n in range(connections)]
    answered = await asyncio.gather(
        *(statuses_over_one_connection(port, request, share) for share in shares if share)
    )
    return [status for statuses in answered for status in statuses]
