"""Patron's import format (patron-import.xsd): which document holds which rows, and how one row
element becomes the JSON body of its API call. Pure: elements in, plain values out."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

NAMESPACE = "urn:patron:import:1"


class ImportKind(StrEnum):
    CONTACTS = "contacts"
    RECEIPTS = "receipts"
    REDEMPTIONS = "redemptions"


# The root element of each kind of document and the element of each of its rows.
ROW_ELEMENT = MappingProxyType(
    {ImportKind.CONTACTS: "contact", ImportKind.RECEIPTS: "receipt", ImportKind.REDEMPTIONS: "redemption"}
)

# A JSON array is a wrapper element holding one element per entry, named so.
LIST_ENTRIES = MappingProxyType(
    {
        "paymentMethods": "paymentMethod",
        "items": "item",
        "discounts": "discount",
        "usedPromotions": "usedPromotion",
        "consents": "consent",
    }
)

# Free-form objects are carried as JSON text, which an XML schema cannot spell out.
JSON_OBJECTS = frozenset({"extraData"})

# A contact's custom attributes: `<attributes><attribute name="..." type="...">`.
CUSTOM_ATTRIBUTES = "attributes"
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class RowElement(Protocol):
    """What of an lxml element the conversion reads (lxml.etree._Element has it)."""

    tag: Any
    text: str | None

    def __iter__(self) -> Any: ...
    def __len__(self) -> int: ...
    def get(self, key: str, default: str | None = None) -> str | None: ...


class RowNotReadable(ValueError):
    """A row element that has no JSON body: `field` names where, as the API's `details` do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def local_name(tag: Any) -> str:
    """`{urn:patron:import:1}receipt` -> `receipt`; comments and processing instructions -> ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _text(element: RowElement) -> str | None:
    text = element.text
    # An empty element is a field sent as null, as a JSON body may send it.
    return None if text is None or not text.strip() else text


def _json_object(element: RowElement, path: str) -> Any:
    text = _text(element)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RowNotReadable(path, f"not JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise RowNotReadable(path, "a JSON object is expected")
    return value


def _custom_value(element: RowElement, path: str) -> str | int | float | bool | None:
    text = _text(element)
    kind = element.get("type", "string")
    if text is None:
        return None
    if kind == "string":
        return text
    if kind == "boolean":
        if text.strip().lower() in _TRUE:
            return True
        if text.strip().lower() in _FALSE:
            return False
        raise RowNotReadable(path, "a boolean is true, false, 1 or 0")
    if kind == "number":
        try:
            number = Decimal(text.strip())
        except InvalidOperation as exc:
            raise RowNotReadable(path, "not a number") from exc
        if not number.is_finite():
            raise RowNotReadable(path, "not a finite number")
        return int(number) if number == number.to_integral_value() else float(number)
    raise RowNotReadable(path, "type is string, number or boolean")


def _custom_attributes(element: RowElement, path: str, into: dict[str, Any]) -> None:
    for entry in _elements(element):
        if local_name(entry.tag) != "attribute":
            raise RowNotReadable(path, f"holds <attribute> elements, not <{local_name(entry.tag)}>")
        name = (entry.get("name") or "").strip()
        if not name:
            raise RowNotReadable(path, "an <attribute> has a name")
        if name in into:
            raise RowNotReadable(f"{path}.{name}", "given twice")
        into[name] = _custom_value(entry, f"{path}.{name}")


def _elements(element: RowElement) -> list[RowElement]:
    return [child for child in element if local_name(child.tag)]


def fields_of(element: RowElement, path: str = "") -> dict[str, Any]:
    """The JSON object an element stands for: each child a field, named as in the API."""
    fields: dict[str, Any] = {}
    for child in _elements(element):
        name = local_name(child.tag)
        where = f"{path}.{name}" if path else name
        if name == CUSTOM_ATTRIBUTES and not path:
            _custom_attributes(child, where, fields)
            continue
        if name in fields:
            raise RowNotReadable(where, "given twice")
        if name in LIST_ENTRIES:
            fields[name] = _entries(child, LIST_ENTRIES[name], where)
        elif name in JSON_OBJECTS:
            fields[name] = _json_object(child, where)
        elif len(_elements(child)):
            fields[name] = fields_of(child, where)
        else:
            fields[name] = _text(child)
    return fields


def _entries(wrapper: RowElement, entry_name: str, path: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for position, entry in enumerate(_elements(wrapper)):
        if local_name(entry.tag) != entry_name:
            raise RowNotReadable(path, f"holds <{entry_name}> elements, not <{local_name(entry.tag)}>")
        entries.append(fields_of(entry, f"{path}.{position}"))
    return entries
