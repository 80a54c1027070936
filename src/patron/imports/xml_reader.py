"""Reading import files as a stream: memory stays flat whatever the file's size.

A file is read twice. `check` reads it whole once, before anything is applied: it must be
well-formed, carry no DOCTYPE (no DTD, no entities, nothing fetched: the XML attacks) and have
the root of its kind; it counts the rows and hashes the bytes. `rows` then yields the rows one
by one. The parser never resolves entities, never loads a DTD and never touches the network,
so a refused construct is never expanded even while it is being refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from lxml import etree

from patron.imports.xml_format import (
    NAMESPACE,
    ROW_ELEMENT,
    ImportKind,
    RowNotReadable,
    fields_of,
    local_name,
)

CHUNK_BYTES = 1 << 20
_ROW_TAGS = tuple(f"{{{NAMESPACE}}}{name}" for name in ROW_ELEMENT.values())
_KINDS_BY_ROOT = MappingProxyType({kind.value: kind for kind in ImportKind})


class FileRefused(Exception):
    """A file that is not imported at all: `key` is its report's error key, `line` where."""

    def __init__(self, key: str, line: int, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.line = line
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: ImportKind
    # SHA-256 of the bytes, hex: a file is known by its content.
    digest: str
    rows: int


@dataclass(frozen=True)
class XmlRow:
    # From 1, in document order.
    position: int
    # The line of the row's start tag.
    line: int
    # The row's JSON body, or why it has none.
    fields: dict[str, Any] | RowNotReadable


def _parser_options() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def _root_kind(root: Any, expected: ImportKind | None) -> ImportKind:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.system_url:
        raise FileRefused(
            "XmlDoctypeRefused", root.sourceline or 1, "A DOCTYPE (DTD or entities) is not accepted."
        )
    name = local_name(root.tag)
    if not root.tag.startswith(f"{{{NAMESPACE}}}") or name not in _KINDS_BY_ROOT:
        raise FileRefused(
            "XmlWrongDocument",
            root.sourceline or 1,
            f"The root is <{name}>; expected <contacts>, <receipts> or <redemptions> in {NAMESPACE}.",
        )
    kind = _KINDS_BY_ROOT[name]
    if expected is not None and kind is not expected:
        raise FileRefused(
            "XmlWrongDocument", root.sourceline or 1, f"This file holds {kind.value}, not {expected.value}."
        )
    return kind


class _Hashed:
    """The file as the parser reads it, each chunk hashed on its way."""

    def __init__(self, file: BinaryIO, digest: Any) -> None:
        self._file = file
        self._digest = digest

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        chunk = self._file.read(size)
        self._digest.update(chunk)
        return chunk


def check(path: Path, expected: ImportKind | None = None) -> CheckedFile:
    """Read the whole file once: FileRefused unless it is safe and of the `expected` kind
    (any kind when None). OSError when it cannot be read.

    Only the rows' start tags reach Python (lxml filters the rest), and each row before the
    current one is dropped once parsed, so memory stays flat and the read is fast."""
    digest = hashlib.sha256()
    kind: ImportKind | None = None
    rows = 0
    with path.open("rb") as file:
        context = etree.iterparse(
            _Hashed(file, digest), events=("start",), tag=_ROW_TAGS, **_parser_options()
        )
        try:
            for _, element in context:
                parent = element.getparent()
                if parent is None or parent.getparent() is not None:
                    continue  # not a row of the document, e.g. a receipt's <contact>
                if kind is None:
                    kind = _root_kind(parent, expected)
                if local_name(element.tag) == ROW_ELEMENT[kind]:
                    rows += 1
                while element.getprevious() is not None:
                    del parent[0]
            if kind is None:
                kind = _root_kind(context.root, expected)
        except etree.XMLSyntaxError as exc:
            raise FileRefused("XmlNotWellFormed", exc.lineno or 1, str(exc)) from exc
    return CheckedFile(kind, digest.hexdigest(), rows)


def rows(path: Path, kind: ImportKind, skip: int = 0) -> Iterator[XmlRow]:
    """The file's rows after the first `skip`, each converted to its JSON body. For a file
    that `check` accepted: other elements at the top are not rows and are passed over."""
    row_tag = f"{{{NAMESPACE}}}{ROW_ELEMENT[kind]}"
    position = 0
    for _, element in etree.iterparse(str(path), events=("end",), tag=row_tag, **_parser_options()):
        parent = element.getparent()
        if parent is None or parent.getparent() is not None:
            continue  # not a row of the document, e.g. a receipt's <contact> in a contacts file
        position += 1
        if position > skip:
            try:
                fields: dict[str, Any] | RowNotReadable = fields_of(element)
            except RowNotReadable as exc:
                fields = exc
            yield XmlRow(position, element.sourceline or 0, fields)
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
