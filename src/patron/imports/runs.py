"""Importing one file: the job's boundary, for `patron import` and the drop folder alike.

The file is checked whole first (xml_reader.check), so a refused file stores nothing. Its rows
are then applied in batches; each batch is one transaction holding the rows, their failures and
how far the file has got, so a run that dies resumes after the last committed batch and applies
every row once. A file is known by its content: imported once, it is never applied again.
A run holds a lease on the file, renewed by each batch; another run takes the file over only
once the lease has run out (or when told the first is dead), and the first then stops.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ActivityBus
from patron.config import Settings
from patron.contacts.service import ContactRules
from patron.db.engine import Database
from patron.db.session import transaction
from patron.errors import PatronError
from patron.imports import file_repository as repository
from patron.imports import report, rows
from patron.imports.errors import FileImportInProgress, FileImportLeaseLost
from patron.imports.rows import RowServices
from patron.imports.xml_format import ImportKind
from patron.imports.xml_reader import CheckedFile, FileRefused, XmlRow, check
from patron.imports.xml_reader import rows as file_rows
from patron.kit import clock, ids
from patron.models import FileImport, FileImportFailure

DEFAULT_BATCH_ROWS = 500


class Outcome(StrEnum):
    IMPORTED = "Imported"
    # Imported before (the same content): nothing applied, the report written again.
    ALREADY_IMPORTED = "AlreadyImported"
    # Not imported at all: not XML, a DOCTYPE, the wrong kind of document.
    REFUSED = "Refused"


@dataclass(frozen=True)
class ImportTools:
    """What a file import needs, built by the composition root and passed down."""

    database: Database
    services: RowServices
    # The process's turn to write (SQLite's one writer), as for any other write.
    write_turn: Callable[[], AbstractAsyncContextManager[object]]
    lease: timedelta


@dataclass(frozen=True)
class FileOutcome:
    path: Path
    outcome: Outcome
    kind: ImportKind | None
    total: int
    succeeded: int
    failed: int
    report: Path


class Progress(Protocol):
    """Told how a file goes, batch by batch (the command line draws it)."""

    def started(self, path: Path, total: int, done: int) -> None: ...
    def advanced(self, done: int, failed: int) -> None: ...


class _Silent:
    def started(self, path: Path, total: int, done: int) -> None:
        return None

    def advanced(self, done: int, failed: int) -> None:
        return None


@dataclass(frozen=True)
class _Claim:
    file_import_id: uuid.UUID
    holder: uuid.UUID
    rows_done: int
    finished: bool


async def _claim(
    tools: ImportTools, path: Path, checked: CheckedFile, caller: str, take_over: bool
) -> _Claim:
    """This run's hold on the file's import row, created on its first run."""
    holder = ids.new_id()
    now = clock.now()
    async with tools.write_turn(), transaction(tools.database) as session:
        found = await repository.by_content(session, checked.kind.value, checked.digest)
        if found is None:
            found = FileImport(
                id=ids.new_id(),
                kind=checked.kind.value,
                digest=checked.digest,
                file_name=path.name[:500],
                caller=caller[:40],
                status="Running",
                total=checked.rows,
                rows_done=0,
                succeeded=0,
                failed=0,
                holder=holder,
                renewed_on=now,
                started_on=now,
            )
            repository.add(session, found)
            await session.flush()
            return _Claim(found.id, holder, 0, finished=False)
        if found.status == "Done":
            return _Claim(found.id, holder, found.rows_done, finished=True)
        alive = found.renewed_on is not None and now - found.renewed_on < tools.lease
        if alive and not take_over:
            raise FileImportInProgress(
                details={"file": path.name, "rowsDone": found.rows_done, "total": found.total}
            )
        if not await repository.take_lease(session, found.id, holder, found.holder, now):
            raise FileImportInProgress(details={"file": path.name})
        return _Claim(found.id, holder, found.rows_done, finished=False)


def _batches(path: Path, kind: ImportKind, skip: int, size: int) -> Generator[list[XmlRow]]:
    reading = file_rows(path, kind, skip)
    while batch := list(islice(reading, size)):
        yield batch


class _RowFailedUnguarded(Exception):
    """A row failed in a batch applied without savepoints: the batch is applied again with them."""


async def _apply_batch(
    tools: ImportTools, claim: _Claim, kind: ImportKind, batch: list[XmlRow], *, guarded: bool
) -> tuple[int, int]:
    """Apply one batch with the file's progress, in one transaction; (rows done, failed so far).

    Unguarded, the rows run one after another in the batch's transaction, and the first that
    fails undoes the whole batch (_RowFailedUnguarded): a row that failed half-way may have
    written something. Guarded, each row has a savepoint of its own, so a row that fails leaves
    nothing behind and the others go on. Most batches have no failing row and are applied once,
    at two round trips a row fewer."""
    async with tools.write_turn(), transaction(tools.database) as session:
        file_import = await repository.renew_lease(session, claim.file_import_id, claim.holder, clock.now())
        if file_import is None:
            raise FileImportLeaseLost()
        failures: list[FileImportFailure] = []
        for row in batch:
            failure = await _apply_row(session, kind, row, tools.services, guarded=guarded)
            if failure is not None and not guarded:
                raise _RowFailedUnguarded()
            if failure is not None:
                failures.append(
                    FileImportFailure(
                        file_import_id=file_import.id,
                        row=row.position,
                        line=row.line,
                        key=failure.key[:100],
                        message=failure.message[:1000],
                    )
                )
        repository.add_failures(session, failures)
        file_import.rows_done = batch[-1].position
        file_import.failed += len(failures)
        file_import.succeeded += len(batch) - len(failures)
        await session.flush()
        return file_import.rows_done, file_import.failed


async def _apply_row(
    session: AsyncSession, kind: ImportKind, row: XmlRow, services: RowServices, *, guarded: bool
) -> rows.RowFailure | None:
    if not isinstance(row.fields, dict):
        return rows.RowFailure("BadRequest", str(row.fields))
    try:
        if guarded:
            async with session.begin_nested():
                await rows.apply(session, kind, row.fields, services)
        else:
            await rows.apply(session, kind, row.fields, services)
    except (ValidationError, PatronError) as exc:
        return rows.failure_of(exc)
    return None


async def _finish(tools: ImportTools, claim: _Claim) -> FileImport:
    async with tools.write_turn(), transaction(tools.database) as session:
        file_import = await repository.renew_lease(session, claim.file_import_id, claim.holder, clock.now())
        if file_import is None:
            raise FileImportLeaseLost()
        file_import.status = "Done"
        file_import.holder = None
        file_import.finished_on = clock.now()
        await session.flush()
        return file_import


async def _recorded_failures(
    tools: ImportTools, file_import_id: uuid.UUID
) -> AsyncIterator[report.ReportLine]:
    async with transaction(tools.database, write=False) as session:
        async for failure in repository.failures_of(session, file_import_id):
            yield report.ReportLine(failure.line, failure.row, failure.key, failure.message)


async def _one_line(line: report.ReportLine) -> AsyncIterator[report.ReportLine]:
    yield line


async def _done_import(tools: ImportTools, claim: _Claim) -> FileImport:
    async with transaction(tools.database, write=False) as session:
        found = await session.get(FileImport, claim.file_import_id)
        assert found is not None  # file imports are never deleted
        return found


async def _apply_file(
    tools: ImportTools, claim: _Claim, path: Path, kind: ImportKind, batch_rows: int, told: Progress
) -> None:
    # The parser is read from one thread of its own, start to end: lxml's parsers and their
    # elements belong to the thread that made them, and the event loop stays free meanwhile.
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="patron-import-reader") as reader:
        batches = await loop.run_in_executor(reader, _batches, path, kind, claim.rows_done, batch_rows)
        try:
            while batch := await loop.run_in_executor(reader, next, batches, None):
                try:
                    done_rows, failed = await _apply_batch(tools, claim, kind, batch, guarded=False)
                except (_RowFailedUnguarded, DBAPIError):
                    # Rolled back whole; again, row by row. A database that is gone fails here too.
                    done_rows, failed = await _apply_batch(tools, claim, kind, batch, guarded=True)
                told.advanced(done_rows, failed)
        finally:
            await loop.run_in_executor(reader, batches.close)


async def import_file(
    tools: ImportTools,
    path: Path,
    kind: ImportKind | None,
    caller: str,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    take_over: bool = False,
    progress: Progress | None = None,
    report_folder: Path | None = None,
) -> FileOutcome:
    """Import the file at `path` (of `kind`, or of the kind its root names when None) and write
    its report beside it (or in `report_folder`). OSError when the file cannot be read;
    FileImportInProgress when another live run holds it."""
    told = progress or _Silent()
    report_to = report.report_path(path, report_folder)
    try:
        checked = await asyncio.to_thread(check, path, kind)
    except FileRefused as refused:
        line = report.ReportLine(refused.line, 0, refused.key, refused.message)
        await report.write(report_to, _one_line(line))
        return FileOutcome(path, Outcome.REFUSED, kind, 0, 0, 0, report_to)
    try:
        claim = await _claim(tools, path, checked, caller, take_over)
    except IntegrityError:
        # Another run created the file's row first; claim what it made.
        claim = await _claim(tools, path, checked, caller, take_over)
    if claim.finished:
        done = await _done_import(tools, claim)
        await report.write(report_to, _recorded_failures(tools, claim.file_import_id))
        return FileOutcome(
            path, Outcome.ALREADY_IMPORTED, checked.kind, done.total, done.succeeded, done.failed, report_to
        )
    told.started(path, checked.rows, claim.rows_done)
    await _apply_file(tools, claim, path, checked.kind, batch_rows, told)
    finished = await _finish(tools, claim)
    await report.write(report_to, _recorded_failures(tools, claim.file_import_id))
    return FileOutcome(
        path, Outcome.IMPORTED, checked.kind, finished.total, finished.succeeded, finished.failed, report_to
    )


def tools_for(
    settings: Settings,
    database: Database,
    bus: ActivityBus,
    write_turn: Callable[[], AbstractAsyncContextManager[object]],
) -> ImportTools:
    """The tools of file imports, from what the composition root built (AppState's parts)."""
    services = RowServices(ContactRules.from_settings(settings), settings.zone, bus)
    return ImportTools(database, services, write_turn, timedelta(seconds=settings.import_lease_seconds))
