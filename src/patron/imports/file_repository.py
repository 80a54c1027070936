"""Queries for file imports: the file's row, its lease, and the rows that failed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import FileImport, FileImportFailure

FAILURES_PAGE = 1000


async def by_content(session: AsyncSession, kind: str, digest: str) -> FileImport | None:
    return (
        await session.execute(select(FileImport).where(FileImport.kind == kind, FileImport.digest == digest))
    ).scalar_one_or_none()


def add(session: AsyncSession, file_import: FileImport) -> None:
    session.add(file_import)


async def take_lease(
    session: AsyncSession,
    file_import_id: uuid.UUID,
    holder: uuid.UUID,
    previous: uuid.UUID | None,
    now: datetime,
) -> bool:
    """Make `holder` the run of the file, if `previous` still is: one of two racing runs wins."""
    taken = await session.execute(
        update(FileImport)
        .where(
            FileImport.id == file_import_id,
            FileImport.status == "Running",
            FileImport.holder.is_(None) if previous is None else FileImport.holder == previous,
        )
        .values(holder=holder, renewed_on=now)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


async def renew_lease(
    session: AsyncSession, file_import_id: uuid.UUID, holder: uuid.UUID, now: datetime
) -> FileImport | None:
    """The file's row, locked for this batch, if `holder` still holds it; None once taken over.

    The first statement of every batch: it also makes sure the batch is one transaction."""
    renewed = await session.execute(
        update(FileImport)
        .where(FileImport.id == file_import_id, FileImport.holder == holder)
        .values(renewed_on=now)
    )
    if not renewed.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(FileImport, file_import_id, populate_existing=True)


def add_failures(session: AsyncSession, failures: Sequence[FileImportFailure]) -> None:
    session.add_all(failures)


async def failures_of(session: AsyncSession, file_import_id: uuid.UUID) -> AsyncIterator[FileImportFailure]:
    """The failed rows in file order, a page at a time, however many there are."""
    after = -1
    while True:
        page = (
            await session.execute(
                select(FileImportFailure)
                .where(FileImportFailure.file_import_id == file_import_id, FileImportFailure.row > after)
                .order_by(FileImportFailure.row)
                .limit(FAILURES_PAGE)
            )
        ).scalars()
        found = list(page)
        for failure in found:
            yield failure
        if len(found) < FAILURES_PAGE:
            return
        after = found[-1].row
