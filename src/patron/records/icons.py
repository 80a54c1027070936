"""A challenge's or streak's icon (`eudIcon`): PNG, JPEG, GIF or SVG, told by its content and
never by its name or declared type, at most 100 KB. Icons are shown on the shop's own pages,
so an SVG that could run anything there is refused: scripts, event attributes, `foreignObject`,
and references to anything outside the file itself (links, external images, stylesheets)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from patron.errors import error

MAX_ICON_BYTES = 100 * 1024

IconRefused = error(400, "IconRefused", "The icon must be a PNG, JPEG, GIF or a safe SVG.")
IconTooLarge = error(413, "IconTooLarge", "The icon must be at most 100 KB.")

# The first bytes of each raster format, and the type it is served as.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
SVG = "http://www.w3.org/2000/svg"
SVG_TYPE = "image/svg+xml"
# Elements that run code or embed another document.
FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler"})
# A url(...) in CSS that points outside the file (a fragment, #id, stays inside).
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_IMPORT = re.compile(r"@import", re.IGNORECASE)
# The default icon, served while an admin has uploaded none: a rosette in currentColor.
DEFAULT_ICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">'
    b'<circle cx="12" cy="9" r="6" fill="none" stroke="currentColor" stroke-width="2"/>'
    b'<path d="M8.5 14 7 22l5-3 5 3-1.5-8" fill="none" stroke="currentColor" stroke-width="2" '
    b'stroke-linejoin="round"/></svg>'
)


@dataclass(frozen=True)
class Icon:
    content_type: str
    content: bytes


def checked(content: bytes) -> Icon:
    """The icon with its type, or IconTooLarge / IconRefused saying why not."""
    if len(content) > MAX_ICON_BYTES:
        raise IconTooLarge(f"The icon is {len(content)} bytes; at most {MAX_ICON_BYTES} are taken.")
    if not content:
        raise IconRefused("The icon is empty.")
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return Icon(content_type, content)
    return Icon(SVG_TYPE, _safe_svg(content))


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace, lower-cased."""
    return name.rsplit("}", 1)[-1].lower()


def _safe_svg(content: bytes) -> bytes:
    try:
        root = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise IconRefused("The icon is not a PNG, JPEG or GIF image, nor an SVG document.") from exc
    if root.tag != f"{{{SVG}}}svg":
        raise IconRefused("The icon is not a PNG, JPEG or GIF image, nor an SVG document.")
    for element in root.iter():
        _check_element(element)
    return content


def _check_element(element: Element) -> None:
    name = _local(str(element.tag))
    if name in FORBIDDEN_ELEMENTS:
        raise IconRefused(f"An SVG icon may not contain <{name}>.")
    if name == "style" and _outside_css(element.text or ""):
        raise IconRefused("An SVG icon's styles may not load anything from outside it.")
    for attribute, value in element.attrib.items():
        key = _local(attribute)
        if key.startswith("on"):
            raise IconRefused(f"An SVG icon may not carry event attributes ({key}).")
        if key == "href" and not value.strip().startswith("#"):
            raise IconRefused('An SVG icon may refer only to its own parts (href="#…").')
        if key == "style" and _outside_css(value):
            raise IconRefused("An SVG icon's styles may not load anything from outside it.")
        if _outside_url(value):
            raise IconRefused(f"An SVG icon may not refer to anything outside it ({key}).")


def _outside_css(css: str) -> bool:
    return bool(_IMPORT.search(css) or _OUTSIDE_URL.search(css))


def _outside_url(value: str) -> bool:
    lowered = value.strip().lower()
    return lowered.startswith(("javascript:", "data:", "http:", "https:", "//")) or bool(
        _OUTSIDE_URL.search(value)
    )
