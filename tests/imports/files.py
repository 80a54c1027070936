"""Plain functions the import tests share: writing import files and the tools to import them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from patron.imports import runs
from patron.imports.xml_format import ImportKind
from patron.imports.xml_writer import write
from patron.state import AppState

# xml_writer puts the declaration and the root on lines 1 and 2, then one row a line.
FIRST_ROW_LINE = 3


def write_file(
    path: Path, kind: ImportKind, bodies: Iterable[Mapping[str, Any]], custom: Iterable[str] = ()
) -> Path:
    with path.open("w", encoding="utf-8") as out:
        write(out, kind, bodies, custom)
    return path


def tools(state: AppState) -> runs.ImportTools:
    return runs.tools_for(state.settings, state.database, state.bus, state.write_turn)


def report_lines(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))
