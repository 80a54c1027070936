"""The outbox's pending calls written as Patron's import XML (docs/IMPORTS.md, the schema
src/patron/imports/patron-import.xsd), for the file route: the drop folder or `patron ftp`.

Receipts, redemptions and contact creations have a file form; what has none (updates,
checkpoints, points, logs, events) stays pending for the sender. Each file is written under a
temporary name and renamed when complete, so a drop folder never takes half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from pydantic import JsonValue

from patron_client.outbox.store import Entry, OutboxStore, State

NAMESPACE = "urn:patron:import:1"
# A list in JSON is a wrapper element of one element per entry, named thus.
_ENTRY_NAMES = MappingProxyType(
    {
        "paymentMethods": "paymentMethod",
        "items": "item",
        "discounts": "discount",
        "usedPromotions": "usedPromotion",
        "consents": "consent",
    }
)
# Fields the contact format names; any other key of a contact is a custom attribute.
_CONTACT_FIELDS = frozenset(
    {
        "firstName",
        "lastName",
        "email",
        "mobilePhone",
        "externalId",
        "memberNumber",
        "cardId",
        "birthDay",
        "gender",
        "street",
        "zipCode",
        "city",
        "countryCode",
        "contactType",
        "preferences",
        "consents",
    }
)
_REDEEM_PATH = re.compile(r"^/promotion-assignments/([^/]+)/redeem$")


@dataclass(frozen=True)
class _Kind:
    root: str
    row: str


@dataclass(frozen=True)
class FileRow:
    """A pending call as a row of an import file of its kind."""

    kind: _Kind
    element: ElementTree.Element


RECEIPTS = _Kind("receipts", "receipt")
REDEMPTIONS = _Kind("redemptions", "redemption")
CONTACTS = _Kind("contacts", "contact")


def _text(value: JsonValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, body: dict[str, JsonValue]) -> None:
    """JSON fields as child elements: objects nest, lists get their wrapper, extraData is text."""
    for name, value in body.items():
        if value is None:
            continue
        child = ElementTree.SubElement(element, name)
        if name == "extraData":
            child.text = json.dumps(value, separators=(",", ":"))
        elif isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, list):
            for entry in value:
                row = ElementTree.SubElement(child, _ENTRY_NAMES.get(name, "entry"))
                if isinstance(entry, dict):
                    _fill(row, entry)
                else:
                    row.text = _text(entry)
        else:
            child.text = _text(value)


def _contact(body: dict[str, JsonValue]) -> ElementTree.Element:
    row = ElementTree.Element(CONTACTS.row)
    _fill(row, {name: value for name, value in body.items() if name in _CONTACT_FIELDS})
    custom = {
        name: value for name, value in body.items() if name not in _CONTACT_FIELDS and value is not None
    }
    if custom:
        attributes = ElementTree.SubElement(row, "attributes")
        for name, value in custom.items():
            kind = (
                "boolean"
                if isinstance(value, bool)
                else "number"
                if isinstance(value, int | float)
                else "string"
            )
            attribute = ElementTree.SubElement(attributes, "attribute", {"name": name, "type": kind})
            attribute.text = _text(value)
    return row


def file_form(entry: Entry) -> FileRow | None:
    """The row a pending call becomes; None when the call has no file form."""
    call = entry.call
    body = call.body_json()
    if call.method != "POST" or not isinstance(body, dict):
        return None
    if call.path == "/receipts":
        row = ElementTree.Element(RECEIPTS.row)
        _fill(row, body)
        return FileRow(RECEIPTS, row)
    if redeem := _REDEEM_PATH.match(call.path):
        row = ElementTree.Element(REDEMPTIONS.row)
        _fill(row, {"assignmentId": redeem.group(1), **body})
        return FileRow(REDEMPTIONS, row)
    # A creation under a store (?storeExternalId=) has no such field in the file: it is sent.
    if call.path == "/contacts" and not call.params:
        return FileRow(CONTACTS, _contact(body))
    return None


def _write(path: Path, kind: _Kind, rows: Iterable[ElementTree.Element]) -> None:
    partial = path.with_name(f".{path.name}.part")
    with partial.open("wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<{kind.root} xmlns="{NAMESPACE}">\n'.encode())
        for row in rows:
            ElementTree.indent(row, space="  ", level=1)
            out.write(b"  " + ElementTree.tostring(row, encoding="utf-8", xml_declaration=False) + b"\n")
        out.write(f"</{kind.root}>\n".encode())
        out.flush()
        os.fsync(out.fileno())
    partial.rename(path)


def export_pending(store: OutboxStore, folder: Path, *, mark_exported: bool = False) -> list[Path]:
    """One file per kind of what is pending, rows in the order queued; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    pending = [(entry.seq, file_form(entry)) for entry in store.entries(State.PENDING)]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    written = []
    # Contacts first: a receipt in the next file may name one of them.
    for kind in (CONTACTS, RECEIPTS, REDEMPTIONS):
        rows = [(seq, row.element) for seq, row in pending if row is not None and row.kind == kind]
        if not rows:
            continue
        path = folder / f"{store.path.stem}-{kind.root}-{stamp}.xml"
        _write(path, kind, (element for _, element in rows))
        if mark_exported:
            store.mark_exported([seq for seq, _ in rows], path.name)
        written.append(path)
    return written
