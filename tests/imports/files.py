"""Plain functions the import tests share: writing import files and the tools to import them."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable, Iterable, Mapping
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
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


async def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait for what a background loop does, failing after `seconds`."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not there in time")
