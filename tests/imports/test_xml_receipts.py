"""Receipts imported from an XML file: through the receipt service (validation, idempotency by
uniqueReceiptId, outbox events), failures reported by line and key, re-imports changing
nothing, and an interrupted import resuming to apply every receipt once."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from patron.db.session import transaction
from patron.imports import runs
from patron.imports.errors import FileImportInProgress
from patron.imports.xml_format import ImportKind
from patron.models import OutboxEvent, Receipt
from patron.state import AppState
from tests.factories import make_contact_id
from tests.imports.files import FIRST_ROW_LINE, report_lines, tools, write_file
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows


async def _count(state: AppState, model: type) -> int:
    async with transaction(state.database, write=False) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _receipts_file(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], path: Path, good: int
) -> list[dict]:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    bodies = [receipt(contact, store) for _ in range(good)]
    write_file(path, ImportKind.RECEIPTS, bodies)
    return bodies


async def test_a_file_of_receipts_stores_each_once_with_its_event(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    bodies = await _receipts_file(client, admin, till, tmp_path / "till.xml", good=5)
    done = await runs.import_file(
        tools(state), tmp_path / "till.xml", ImportKind.RECEIPTS, "cli", batch_rows=2
    )
    assert (done.outcome, done.total, done.succeeded, done.failed) == (runs.Outcome.IMPORTED, 5, 5, 0)
    assert await _count(state, Receipt) == 5
    for body in bodies:
        stored = await client.get(
            "/api/v3/contacts/transactions", params={"contactId": body["contact"]["matchKey"]}, headers=till
        )
        assert body["uniqueReceiptId"] in {item["uniqueReceiptId"] for item in stored.json()["items"]}
    async with transaction(state.database, write=False) as session:
        told = (
            await session.execute(
                select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "receipt.created")
            )
        ).scalar_one()
    assert told == 5
    assert report_lines(done.report) == [["line", "row", "key", "message"]]


async def test_failing_rows_are_reported_by_line_and_key_and_the_rest_go_on(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    bodies = [
        receipt(contact, store),
        receipt(contact, "no-such-store"),
        receipt(contact, store, currency="not a currency"),
        receipt(contact, store),
        {**receipt(contact, store), "uniqueReceiptId": "R-taken", "totalGrossPrice": 1},
    ]
    taken = await client.post(
        "/api/v3/receipts", json={**bodies[0], "uniqueReceiptId": "R-taken"}, headers=till
    )
    assert taken.status_code == 201
    path = write_file(tmp_path / "mixed.xml", ImportKind.RECEIPTS, bodies)
    done = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    assert (done.succeeded, done.failed) == (2, 3)
    assert done.report == tmp_path / "mixed.xml.report.csv"
    lines = report_lines(done.report)
    assert [(line, row, key) for line, row, key, _ in lines[1:]] == [
        (str(FIRST_ROW_LINE + 1), "2", "StoreNotFound"),
        (str(FIRST_ROW_LINE + 2), "3", "BadRequest"),
        (str(FIRST_ROW_LINE + 4), "5", "ReceiptAlreadyExists"),
    ]
    assert "currency" in lines[2][3]
    assert await _count(state, Receipt) == 3


async def test_importing_the_same_file_again_changes_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    path = tmp_path / "again.xml"
    bodies = await _receipts_file(client, admin, till, path, good=3)
    write_file(path, ImportKind.RECEIPTS, [*bodies, receipt(bodies[0]["contact"]["matchKey"], "nowhere")])
    first = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    before = await stored_rows(state.database)
    first_report = report_lines(first.report)
    first.report.unlink()
    again = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    assert again.outcome is runs.Outcome.ALREADY_IMPORTED
    assert (again.succeeded, again.failed) == (3, 1)
    assert await stored_rows(state.database) == before
    assert report_lines(again.report) == first_report


async def test_the_same_receipts_in_another_file_are_replays(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    bodies = await _receipts_file(client, admin, till, tmp_path / "one.xml", good=3)
    await runs.import_file(tools(state), tmp_path / "one.xml", ImportKind.RECEIPTS, "cli")
    # The same receipts, in another order: another file, whose receipts are stored already.
    write_file(tmp_path / "two.xml", ImportKind.RECEIPTS, list(reversed(bodies)))
    again = await runs.import_file(tools(state), tmp_path / "two.xml", ImportKind.RECEIPTS, "cli")
    assert (again.outcome, again.succeeded, again.failed) == (runs.Outcome.IMPORTED, 3, 0)
    assert await _count(state, Receipt) == 3


class _Dies:
    """A run that dies (as a killed process would) once `after` rows are committed."""

    def __init__(self, after: int) -> None:
        self.after = after

    def started(self, path: Path, total: int, done: int) -> None:
        return None

    def advanced(self, done: int, failed: int) -> None:
        if done >= self.after:
            raise KeyboardInterrupt


async def test_an_interrupted_import_resumes_and_applies_every_receipt_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    path = tmp_path / "long.xml"
    await _receipts_file(client, admin, till, path, good=10)
    with pytest.raises(KeyboardInterrupt):
        await runs.import_file(
            tools(state), path, ImportKind.RECEIPTS, "cli", batch_rows=3, progress=_Dies(6)
        )
    assert await _count(state, Receipt) == 6
    # The dead run's lease has not run out: a second run waits, unless told to take over.
    with pytest.raises(FileImportInProgress):
        await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli", batch_rows=3)
    resumed = await runs.import_file(
        tools(state), path, ImportKind.RECEIPTS, "cli", batch_rows=3, take_over=True
    )
    assert (resumed.outcome, resumed.total, resumed.succeeded, resumed.failed) == (
        runs.Outcome.IMPORTED,
        10,
        10,
        0,
    )
    assert await _count(state, Receipt) == 10
