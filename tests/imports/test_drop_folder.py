"""The drop folder, watched by a real worker: a complete file is imported and moved to
processed/ with its report, a malicious one to failed/ storing nothing, a file still being
written (a temporary name) is left alone."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
from fastapi import FastAPI

from patron.imports.xml_format import ImportKind
from tests.factories import make_contact_id
from tests.imports.files import report_lines, until, write_file
from tests.imports.test_xml_attacks import ATTACKS
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows


async def test_a_dropped_file_is_imported_and_moved_to_processed_with_its_report(
    watched: tuple[FastAPI, Path], client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    _, drop = watched
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    key_folder = drop / "k_till3"
    key_folder.mkdir(parents=True)
    partial = write_file(
        key_folder / ".till.xml.part", ImportKind.RECEIPTS, [receipt(contact, store) for _ in range(3)]
    )
    await asyncio.sleep(1.5)
    assert partial.exists(), "a temporary name is never taken"
    os.rename(partial, key_folder / "till.xml")
    processed = key_folder / "processed" / "till.xml"
    await until(lambda: processed.exists() and (key_folder / "processed" / "till.xml.report.csv").exists())
    assert not (key_folder / "till.xml").exists()
    history = await client.get("/api/v3/contacts/transactions", params={"contactId": contact}, headers=till)
    assert history.json()["totalCount"] == 3


async def test_a_malicious_dropped_file_goes_to_failed_and_stores_nothing(
    watched: tuple[FastAPI, Path], client: httpx.AsyncClient
) -> None:
    application, drop = watched
    before = await stored_rows(application.state.patron.database)
    (drop / "laughs.xml").write_text(ATTACKS["billion-laughs"], encoding="utf-8")
    failed = drop / "failed"
    await until(lambda: (failed / "laughs.xml").exists() and (failed / "laughs.xml.report.csv").exists())
    assert report_lines(failed / "laughs.xml.report.csv")[1][2] == "XmlDoctypeRefused"
    assert await stored_rows(application.state.patron.database) == before
