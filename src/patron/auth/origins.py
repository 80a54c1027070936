"""A web shop's origin as a key admits it: `https://shop.example.com` or with a port, nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from patron.errors import BadRequest

# A key names a handful of shops (its storefronts, their staging sites), not a crowd.
MAX_ORIGINS = 20


def origin_of(text: str) -> str:
    """The origin exactly as a browser sends it in `Origin`, or a 400 that says what is wrong."""
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(f"{text!r} is not an origin: write it as https://shop.example.com.")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise BadRequest(f"{text!r} is not an origin: a scheme, a host and a port at most, no path.")
    try:
        port = parts.port
    except ValueError as exc:
        raise BadRequest(f"{text!r} has no valid port.") from exc
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address keeps its brackets in an origin
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def origins_of(texts: Iterable[str]) -> tuple[str, ...]:
    """Each origin once, in the order given; blank lines ignored."""
    kept: dict[str, None] = {}
    for text in texts:
        if text.strip():
            kept[origin_of(text)] = None
    if len(kept) > MAX_ORIGINS:
        raise BadRequest(f"A key admits at most {MAX_ORIGINS} origins.")
    return tuple(kept)
