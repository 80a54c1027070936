"""The test web shop: a "My pages" page embedding `<patron-rewards>`, and the shop backend's
token endpoint, which mints an end-user token through Patron's API with the shop's key (as a
real shop's server would; the browser never sees the key)."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.console.servers import Page


def my_pages(patron: str, language: str, token: str) -> bytes:
    given = f' token="{escape(token)}" account-id="patron"' if token else ""
    return f"""<!doctype html>
<html lang="{escape(language)}">
<head><meta charset="utf-8"><title>My pages · Test shop</title>
<script src="{escape(patron)}/widget.js" defer></script>
<script src="/shop.js" defer></script>
<style>patron-rewards {{ --patron-accent: rgb(120, 20, 80); max-width: 40rem; }}</style>
</head>
<body><main><h1>My pages</h1>
<patron-rewards language="{escape(language)}" label="Your loyalty rewards"{given}></patron-rewards>
</main></body></html>""".encode()


# The shop's own script: hands the widget a way to get a fresh token from the shop's backend.
SHOP_SCRIPT = b"""
customElements.whenDefined("patron-rewards").then(() => {
  for (const widget of document.querySelectorAll("patron-rewards")) {
    widget.refreshToken = async () => (await fetch("/patron-token")).json();
    widget.load();
  }
});
"""


def shop(patron: str, shop_key: str, contact_id: str, minted: list[str]) -> Page:
    """The shop's answers; `minted` gets a line each time the backend mints a token."""

    def answer(path: str) -> tuple[int, str, bytes]:
        address = urlsplit(path)
        if address.path == "/my-pages":
            query = parse_qs(address.query)
            language = query.get("language", ["en"])[0]
            token = query.get("token", [""])[0]
            return 200, "text/html; charset=utf-8", my_pages(patron, language, token)
        if path == "/shop.js":
            return 200, "text/javascript", SHOP_SCRIPT
        if path == "/patron-token":
            signed = httpx.post(
                f"{patron}/api/v3/end-user-tokens",
                headers={"apikey": shop_key},
                json={"contactId": contact_id},
                timeout=10,
            )
            minted.append(str(signed.status_code))
            body = signed.json()
            token = {"token": body.get("token"), "accountId": body.get("accountId")}
            return signed.status_code, "application/json", json.dumps(token).encode()
        return 404, "text/plain", b"not here"

    return answer
