"""Files that are not imported at all: XML attacks (entities, billion laughs, external DTDs),
files that are not well-formed, and documents of another kind. Each gets a one-line report
and stores nothing, not even the rows before the point where it breaks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from patron.imports import runs
from patron.imports.xml_format import ImportKind
from patron.state import AppState
from tests.factories import make_contact_id
from tests.imports.files import report_lines, tools, write_file
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows

ROOT = '<receipts xmlns="urn:patron:import:1">'
ATTACKS = {
    "billion-laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE receipts [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        f"{ROOT}<receipt><uniqueReceiptId>&lol3;</uniqueReceiptId></receipt></receipts>\n"
    ),
    "external-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE receipts [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        f"{ROOT}<receipt><uniqueReceiptId>&secret;</uniqueReceiptId></receipt></receipts>\n"
    ),
    "external-dtd": (
        '<?xml version="1.0"?>\n<!DOCTYPE receipts SYSTEM "http://127.0.0.1:1/evil.dtd">\n'
        f"{ROOT}</receipts>\n"
    ),
    "parameter-entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE receipts [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x">%remote;]>\n'
        f"{ROOT}</receipts>\n"
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_an_xml_attack_is_refused_whole_and_stores_nothing(
    attack: str, client: httpx.AsyncClient, state: AppState, tmp_path: Path
) -> None:
    path = tmp_path / f"{attack}.xml"
    path.write_text(ATTACKS[attack], encoding="utf-8")
    before = await stored_rows(state.database)
    done = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    assert done.outcome is runs.Outcome.REFUSED
    lines = report_lines(done.report)
    assert len(lines) == 2 and lines[1][1:3] == ["0", "XmlDoctypeRefused"]
    assert await stored_rows(state.database) == before


async def test_a_file_broken_after_good_rows_stores_none_of_them(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState, tmp_path: Path
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    path = write_file(tmp_path / "cut.xml", ImportKind.RECEIPTS, [receipt(contact, store) for _ in range(3)])
    # Cut off mid-row, as a copy that stopped short would be.
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    before = await stored_rows(state.database)
    done = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    assert done.outcome is runs.Outcome.REFUSED
    assert report_lines(done.report)[1][2] == "XmlNotWellFormed"
    assert await stored_rows(state.database) == before


@pytest.mark.parametrize(
    "document",
    [
        '<contacts xmlns="urn:patron:import:1"></contacts>',
        "<receipts></receipts>",
        '<orders xmlns="urn:patron:import:1"></orders>',
    ],
)
async def test_a_document_of_another_kind_is_refused(
    document: str, client: httpx.AsyncClient, state: AppState, tmp_path: Path
) -> None:
    path = tmp_path / "other.xml"
    path.write_text(document, encoding="utf-8")
    done = await runs.import_file(tools(state), path, ImportKind.RECEIPTS, "cli")
    assert (done.outcome, report_lines(done.report)[1][2]) == (runs.Outcome.REFUSED, "XmlWrongDocument")
