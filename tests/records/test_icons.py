"""`eudIcon` (API.md §2, the seed's EUD labels): PNG, JPEG, GIF or SVG told by content, at most
100 KB, an SVG that could run or load anything refused; served with its type, `nosniff` and a
policy that runs nothing; the default icon until one is uploaded; only admins change it, and
only those who may read the definition fetch it."""

from __future__ import annotations

import httpx
import pytest

from tests.records.factories import make_challenge

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
GIF = b"GIF89a" + bytes(30)
JPEG = b"\xff\xd8\xff\xe0" + bytes(30)
CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>'
    b'<use href="#c"/><circle id="c" cx="5" cy="5" r="4" fill="url(#g)"/></svg>'
)


def _upload(content: bytes, name: str = "icon.bin", declared: str = "application/octet-stream") -> dict:
    return {"file": (name, content, declared)}


async def test_each_format_is_told_by_its_content_and_served_as_it(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}/eudIcon"
    for content, served_as in (
        (PNG, "image/png"),
        (GIF, "image/gif"),
        (JPEG, "image/jpeg"),
        (CLEAN_SVG, "image/svg+xml"),
    ):
        # Named and declared as something else: the content decides.
        put = await client.put(path, files=_upload(content, "notes.txt", "text/plain"), headers=admin)
        assert put.status_code == 200, put.text
        assert put.json()["data"]["eudIcon"] == path
        got = await client.get(path)
        assert got.status_code == 200
        assert got.headers["content-type"] == served_as
        assert got.content == content
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in got.headers["content-security-policy"]
        assert "sandbox" in got.headers["content-security-policy"]


async def test_the_default_icon_is_served_until_one_is_uploaded_and_again_after_removal(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}/eudIcon"
    assert challenge["eudIcon"] == path
    default = await client.get(path)
    assert default.status_code == 200
    assert default.headers["content-type"] == "image/svg+xml"
    assert default.content.startswith(b"<svg")
    assert (await client.put(path, files=_upload(PNG), headers=admin)).status_code == 200
    assert (await client.get(path)).content == PNG
    assert (await client.delete(path, headers=admin)).status_code == 204
    assert (await client.get(path)).content == default.content


async def test_an_unchanged_icon_is_not_sent_again(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}/eudIcon"
    assert (await client.put(path, files=_upload(GIF), headers=admin)).status_code == 200
    first = await client.get(path)
    again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert (await client.put(path, files=_upload(PNG), headers=admin)).status_code == 200
    changed = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.content == PNG


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"<html><script>alert(1)</script></html>", "not a PNG"),
        (b"GIF8" + bytes(10), "not a PNG"),
        (b"", "empty"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g onClick="x()"/></svg>', "onclick"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
            "<foreignobject>",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>', "href"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
            "href",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p)"/></svg>',
            "outside",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://evil.example/s.css";</style></svg>',
            "styles",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(//evil.example/p)"/></svg>',
            "styles",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "not a PNG",
        ),
        (b"<notsvg/>", "not a PNG"),
    ],
)
async def test_what_is_not_a_safe_image_is_refused_and_the_icon_stays(
    client: httpx.AsyncClient, admin: dict[str, str], content: bytes, says: str
) -> None:
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}/eudIcon"
    assert (await client.put(path, files=_upload(PNG), headers=admin)).status_code == 200
    refused = await client.put(path, files=_upload(content, "icon.svg", "image/svg+xml"), headers=admin)
    assert refused.status_code == 400, refused.text
    assert says in refused.json()["message"]
    assert (await client.get(path)).content == PNG


async def test_more_than_100_kb_is_refused(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    challenge = await make_challenge(client, admin)
    path = f"/schema/challenge/record/{challenge['id']}/eudIcon"
    at_limit = await client.put(path, files=_upload(PNG + bytes(100 * 1024 - len(PNG))), headers=admin)
    assert at_limit.status_code == 200, at_limit.text
    over = await client.put(path, files=_upload(PNG + bytes(100 * 1024 - len(PNG) + 1)), headers=admin)
    assert over.status_code == 413, over.text
    assert len((await client.get(path)).content) == 100 * 1024


async def test_only_admins_change_it_and_only_readers_of_the_definition_fetch_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    draft = await make_challenge(client, admin, status="draft")
    path = f"/schema/challenge/record/{draft['id']}/eudIcon"
    assert (await client.put(path, files=_upload(PNG), headers=till)).status_code == 403
    assert (await client.put(path, files=_upload(PNG))).status_code == 401
    assert (await client.delete(path, headers=till)).status_code == 403
    assert (await client.put(path, files=_upload(PNG), headers=admin)).status_code == 200
    # A guest sees live definitions only; staff see every one.
    assert (await client.get(path)).status_code == 404
    assert (await client.get(path, headers=till)).status_code == 200
    streak_path = f"/schema/streak/record/{draft['id']}/eudIcon"
    assert (await client.get(streak_path, headers=admin)).status_code == 404
