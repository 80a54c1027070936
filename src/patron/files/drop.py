"""The drop folder's layout and rules: which files are complete, how a worker takes one (a
rename, so two workers never take the same file) and where it goes when it is done.

    <drop>/<keyId>/file.xml     a key's folder (its FTP home); files at the top are taken too
    <folder>/processing/        taken by a worker, being imported
    <folder>/processed/         imported, with FILE.report.csv
    <folder>/failed/            refused whole, with its report
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROCESSING, PROCESSED, FAILED = "processing", "processed", "failed"
OUTCOME_FOLDERS = frozenset({PROCESSING, PROCESSED, FAILED})
TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart")
# A key's folder is named by its key id; anything else is not a key's folder.
KEY_FOLDER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DROP_CALLER = "drop"


def is_temporary(name: str) -> bool:
    """A name being written to, not yet a file to take."""
    return name.startswith(".") or name.endswith(TEMPORARY_SUFFIXES)


def is_candidate(path: Path) -> bool:
    return path.suffix.lower() == ".xml" and not is_temporary(path.name)


@dataclass(frozen=True)
class DroppedFile:
    path: Path
    # The key whose folder holds it; `drop` for a file at the top.
    caller: str

    @property
    def folder(self) -> Path:
        return self.path.parent


def folders(drop: Path) -> Iterator[tuple[Path, str]]:
    """The drop folder itself and every key's folder in it, with whose they are."""
    yield drop, DROP_CALLER
    for entry in sorted(drop.iterdir()):
        if entry.is_dir() and entry.name not in OUTCOME_FOLDERS and KEY_FOLDER.match(entry.name):
            yield entry, entry.name


def prepare(drop: Path) -> None:
    drop.mkdir(parents=True, exist_ok=True)


def complete_files(
    drop: Path, settle_seconds: float, renamed: frozenset[Path] = frozenset(), *, abandoned: bool = False
) -> list[DroppedFile]:
    """The files ready to take: renamed in from a temporary name (`renamed`), or unchanged for
    `settle_seconds`; with `abandoned`, also those left in processing/ (by a worker that died,
    or one still at work, whose lease then keeps the file its own)."""
    now = time.time()
    found: list[DroppedFile] = []
    for folder, caller in folders(drop):
        for place in (folder, folder / PROCESSING) if abandoned else (folder,):
            if not place.is_dir():
                continue
            for path in sorted(place.iterdir()):
                if not path.is_file() or not is_candidate(path):
                    continue
                try:
                    unchanged = now - path.stat().st_mtime >= settle_seconds
                except FileNotFoundError:
                    continue  # taken by another worker meanwhile
                if place != folder or unchanged or path in renamed:
                    found.append(DroppedFile(path, caller))
    return found


def take(dropped: DroppedFile) -> DroppedFile | None:
    """Move the file into processing/; None when another worker took it first."""
    if dropped.path.parent.name == PROCESSING:
        return dropped
    target = dropped.folder / PROCESSING
    target.mkdir(exist_ok=True)
    moved = target / dropped.path.name
    try:
        os.rename(dropped.path, moved)
    except FileNotFoundError:
        return None
    return DroppedFile(moved, dropped.caller)


def outcome_folder(taken: DroppedFile, outcome: str) -> Path:
    """processed/ or failed/ beside processing/, made when first needed."""
    folder = taken.path.parent.parent / outcome
    folder.mkdir(exist_ok=True)
    return folder


def finish(taken: DroppedFile, folder: Path) -> Path:
    """Move the imported file out of processing/ into `folder` (its report is there already)."""
    final = folder / taken.path.name
    os.replace(taken.path, final)
    return final
