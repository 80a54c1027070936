"""Watches PATRON_DROP_DIR (watchfiles) and imports each complete file as `patron import`
would, then moves it to processed/ or failed/ with its report (patron.files.drop)."""

from __future__ import annotations

import logging
import math
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from watchfiles import Change, awatch

from patron.files import drop
from patron.imports import runs
from patron.imports.errors import FileImportInProgress, FileImportLeaseLost
from patron.kit import clock
from patron.state import AppState

log = logging.getLogger("patron.worker.drop")

# A quiet folder is still rescanned this often, for files that settle without another event.
RESCAN_MILLISECONDS = 1000


def _renamed_in(changes: set[tuple[Change, str]]) -> frozenset[Path]:
    """Files added in the same change set as a temporary name went away: renamed when complete."""
    gone_temporary = any(
        change is Change.deleted and drop.is_temporary(Path(path).name) for change, path in changes
    )
    if not gone_temporary:
        return frozenset()
    return frozenset(Path(path) for change, path in changes if change is Change.added)


async def import_one(tools: runs.ImportTools, dropped: drop.DroppedFile) -> Path | None:
    """Take one file, import it, move it out; where it went, or None when it was not taken."""
    taken = drop.take(dropped)
    if taken is None:
        return None
    # The report is written where the file goes: refused files to failed/, the rest to processed/.
    processed = drop.outcome_folder(taken, drop.PROCESSED)
    try:
        done = await runs.import_file(tools, taken.path, None, taken.caller, report_folder=processed)
    except (FileImportInProgress, FileImportLeaseLost):
        return None  # another worker has it; it stays in processing/ until that one is done
    if done.outcome is runs.Outcome.REFUSED:
        failed = drop.outcome_folder(taken, drop.FAILED)
        done.report.replace(failed / done.report.name)
        return drop.finish(taken, failed)
    log.info(
        "dropped file %s: %s, %d applied, %d failed",
        taken.path.name,
        done.outcome,
        done.succeeded,
        done.failed,
    )
    return drop.finish(taken, processed)


async def sweep(
    state: AppState, tools: runs.ImportTools, folder: Path, renamed: frozenset[Path], *, abandoned: bool
) -> int:
    """Import every complete file in the drop folder; how many were imported."""
    imported = 0
    settle = state.settings.drop_settle_seconds
    for dropped in drop.complete_files(folder, settle, renamed, abandoned=abandoned):
        try:
            if await import_one(tools, dropped) is not None:
                imported += 1
        except OSError as exc:
            log.warning("dropped file %s could not be read: %s", dropped.path, exc)
    return imported


async def loop(state: AppState) -> None:
    folder = Path(state.settings.drop_dir)
    drop.prepare(folder)
    tools = runs.tools_for(state.settings, state.database, state.bus, state.write_turn)
    # Files in processing/ are looked at first and then once a lease, not on every event:
    # each look reads the whole file before its lease says whose it is.
    last_abandoned_sweep = -math.inf
    async for changes in awatch(
        folder, rust_timeout=RESCAN_MILLISECONDS, yield_on_timeout=True, recursive=True
    ):
        now = clock.monotonic()
        abandoned = now - last_abandoned_sweep >= state.settings.import_lease_seconds
        if abandoned:
            last_abandoned_sweep = now
        try:
            await sweep(state, tools, folder, _renamed_in(changes), abandoned=abandoned)
        except DBAPIError as exc:
            # The file stays in processing/ and is resumed on the next sweep.
            log.warning("drop folder: database error, retrying: %s", exc)
