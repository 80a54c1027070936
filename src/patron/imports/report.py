"""The report of an import file, written beside it: one CSV line per failed row."""

from __future__ import annotations

import csv
import os
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

HEADER = ("line", "row", "key", "message")
SUFFIX = ".report.csv"


@dataclass(frozen=True)
class ReportLine:
    line: int
    # The row's position, from 1; 0 for a file refused whole.
    row: int
    key: str
    message: str


def report_path(source: Path, folder: Path | None = None) -> Path:
    """`till-3.xml` -> `till-3.xml.report.csv`, beside it or in `folder`."""
    return (folder or source.parent) / f"{source.name}{SUFFIX}"


async def write(path: Path, lines: AsyncIterable[ReportLine]) -> Path:
    """Write the report under a temporary name and rename it, so no reader (an FTP client, the
    drop folder's watcher) ever sees half a report."""
    partial = path.with_name(f".{path.name}.part")
    with partial.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        async for line in lines:
            writer.writerow((line.line, line.row, line.key, line.message))
    os.replace(partial, path)
    return path
