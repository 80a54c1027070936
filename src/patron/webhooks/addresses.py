"""Which URLs may receive webhooks: https (or http where allowed), and, against SSRF, no
loopback, private, link-local or otherwise internal address unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from patron.webhooks.errors import WebhookUrlRefused


def check_form(url: str, *, allow_insecure: bool) -> None:
    """The URL's own shape: scheme, host, no credentials."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as exc:
        raise WebhookUrlRefused(f"Not a URL: {exc}.") from exc
    allowed = ("https", "http") if allow_insecure else ("https",)
    if parts.scheme not in allowed:
        hint = "" if allow_insecure else " (http needs PATRON_WEBHOOK_ALLOW_INSECURE)"
        raise WebhookUrlRefused(f"A webhook URL must use {' or '.join(allowed)}{hint}.")
    if not parts.hostname:
        raise WebhookUrlRefused("A webhook URL needs a host.")
    if parts.username or parts.password:
        raise WebhookUrlRefused("A webhook URL may not carry credentials.")


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookUrlRefused(f"The webhook host {host!r} does not resolve: {exc}.") from exc
    return sorted({str(info[4][0]) for info in found})


@dataclass(frozen=True)
class Destination:
    """Where a delivery connects: the address its host was checked at (so a name that changes
    between the check and the connection, DNS rebinding, cannot send it elsewhere), and what
    the request still says of the name: its Host header and the TLS server name."""

    url: str
    host_header: str
    server_name: str


def pinned(url: str, address: str) -> Destination:
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port is not None else ""
    return Destination(
        url=urlunsplit(parts._replace(netloc=f"{literal}{port}")),
        host_header=f"{host}{port}" if ":" not in host else f"[{host}]{port}",
        server_name=host,
    )


async def _checked_addresses(url: str, *, allow_private: bool) -> list[str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = await resolve(host, port)
    if not allow_private:
        for address in found:
            if _internal(address):
                raise WebhookUrlRefused(
                    f"The webhook host {host!r} resolves to {address}, a loopback, private or "
                    "link-local address (allowed only with PATRON_WEBHOOK_ALLOW_PRIVATE)."
                )
    return found


async def check_destination(url: str, *, allow_insecure: bool, allow_private: bool) -> None:
    """Refuse `url` unless its form is allowed and, unless private addresses are allowed,
    every address its host resolves to is a public one."""
    check_form(url, allow_insecure=allow_insecure)
    if not allow_private:
        await _checked_addresses(url, allow_private=False)


async def destination(url: str, *, allow_insecure: bool, allow_private: bool) -> Destination:
    """Where to connect to deliver to `url` now, refused as `check_destination` refuses."""
    check_form(url, allow_insecure=allow_insecure)
    found = await _checked_addresses(url, allow_private=allow_private)
    return pinned(url, found[0])
