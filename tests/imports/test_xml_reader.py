"""The reader without a database: the check pass counts a document's rows and hashes its bytes,
and the rows come back as the JSON bodies they were written from (xml_writer's inverse)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from patron.imports.xml_format import ImportKind, RowNotReadable
from patron.imports.xml_reader import FileRefused, check, rows
from tests.imports.files import FIRST_ROW_LINE, write_file
from tests.receipts.factories import receipt

CONTACT = "7d0c2c43-3a3e-4d43-9d0e-2f7f3b1f9c55"


def test_check_counts_the_rows_and_hashes_the_bytes(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.xml", ImportKind.RECEIPTS, [receipt(CONTACT) for _ in range(7)])
    checked = check(path)
    assert (checked.kind, checked.rows) == (ImportKind.RECEIPTS, 7)
    assert checked.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(FileRefused):
        check(path, ImportKind.CONTACTS)


def test_rows_come_back_as_the_bodies_they_were_written_from(tmp_path: Path) -> None:
    bodies = [
        receipt(CONTACT, extraData={"till": "3", "nested": {"a": [1, 2]}}),
        receipt(CONTACT, usedPromotions=[{"promotionId": CONTACT}], exchangeRateToGroupCurrency=None),
    ]
    path = write_file(tmp_path / "r.xml", ImportKind.RECEIPTS, bodies)
    read = list(rows(path, ImportKind.RECEIPTS))
    assert [row.line for row in read] == [FIRST_ROW_LINE, FIRST_ROW_LINE + 1]
    as_text = [
        {**body, "items": [{name: str(value) for name, value in line.items()} for line in body["items"]]}
        for body in bodies
    ]
    assert read[0].fields["extraData"] == bodies[0]["extraData"]
    assert read[1].fields["usedPromotions"] == [{"promotionId": CONTACT}]
    assert read[1].fields["exchangeRateToGroupCurrency"] is None
    assert read[0].fields["items"] == as_text[0]["items"]
    assert [row.position for row in rows(path, ImportKind.RECEIPTS, skip=1)] == [2]


def test_a_row_whose_extra_data_is_not_json_is_not_readable(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text(
        '<receipts xmlns="urn:patron:import:1"><receipt><extraData>{nope</extraData></receipt></receipts>'
    )
    (row,) = rows(path, ImportKind.RECEIPTS)
    assert isinstance(row.fields, RowNotReadable) and row.fields.field == "extraData"
