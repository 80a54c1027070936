"""Writing import files: JSON bodies of the API to Patron's import format, the inverse of
xml_format.fields_of (tests pin the round trip). Streams: rows go out as they come."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from patron.imports.xml_format import (
    CUSTOM_ATTRIBUTES,
    JSON_OBJECTS,
    LIST_ENTRIES,
    NAMESPACE,
    ROW_ELEMENT,
    ImportKind,
)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _field(name: str, value: Any) -> str:
    if value is None:
        return f"<{name}/>"
    if name in JSON_OBJECTS:
        return f"<{name}>{escape(json.dumps(value, separators=(',', ':')))}</{name}>"
    if name in LIST_ENTRIES:
        entry = LIST_ENTRIES[name]
        return f"<{name}>{''.join(f'<{entry}>{_fields(item)}</{entry}>' for item in value)}</{name}>"
    if isinstance(value, Mapping):
        return f"<{name}>{_fields(value)}</{name}>"
    return f"<{name}>{_scalar(value)}</{name}>"


def _fields(body: Mapping[str, Any]) -> str:
    return "".join(_field(name, value) for name, value in body.items())


def _attribute(name: str, value: Any) -> str:
    kind = "boolean" if isinstance(value, bool) else "number" if isinstance(value, int | float) else "string"
    typed = "" if kind == "string" else f" type={quoteattr(kind)}"
    return f"<attribute name={quoteattr(name)}{typed}>{_scalar(value)}</attribute>"


def row_element(kind: ImportKind, body: Mapping[str, Any], custom: Iterable[str] = ()) -> str:
    """One row: `custom` names the contact's custom attributes among the body's keys."""
    extra = set(custom)
    plain = {name: value for name, value in body.items() if name not in extra}
    attributes = "".join(_attribute(name, body[name]) for name in body if name in extra)
    inner = _fields(plain) + (
        f"<{CUSTOM_ATTRIBUTES}>{attributes}</{CUSTOM_ATTRIBUTES}>" if attributes else ""
    )
    tag = ROW_ELEMENT[kind]
    return f"<{tag}>{inner}</{tag}>"


def write(
    out: IO[str], kind: ImportKind, bodies: Iterable[Mapping[str, Any]], custom: Iterable[str] = ()
) -> int:
    """Write a whole document, one row per line; the number of rows written."""
    names = tuple(custom)
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<{kind.value} xmlns="{NAMESPACE}">\n')
    written = 0
    for body in bodies:
        out.write(row_element(kind, body, names))
        out.write("\n")
        written += 1
    out.write(f"</{kind.value}>\n")
    return written
