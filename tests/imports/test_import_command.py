"""`patron import` as an operator runs it: plain progress lines off a terminal, a report beside
each file, exit 1 when a file was refused; the same file again applies nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from patron.cli import app
from patron.imports.xml_format import ImportKind
from tests.imports.files import report_lines, write_file

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("PATRON_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def test_importing_contacts_from_the_command_line(sqlite_env: str, tmp_path: Path) -> None:
    contacts = [{"email": f"c{number}@example.com", "firstName": f"C{number}"} for number in range(5)]
    contacts.append({"email": "not an address"})
    path = write_file(tmp_path / "contacts.xml", ImportKind.CONTACTS, contacts)
    result = runner.invoke(app, ["import", "contacts", str(path), "--batch-rows", "2"])
    assert result.exit_code == 0, result.output
    assert "contacts.xml: 6 rows, 0 done before" in result.output
    assert "Imported, 5 applied, 1 failed" in result.output
    assert [row[1:3] for row in report_lines(tmp_path / "contacts.xml.report.csv")[1:]] == [
        ["6", "BadRequest"]
    ]
    again = runner.invoke(app, ["import", "contacts", str(path)])
    assert again.exit_code == 0 and "AlreadyImported, 5 applied, 1 failed" in again.output


def test_a_refused_file_makes_the_command_fail(sqlite_env: str, tmp_path: Path) -> None:
    path = tmp_path / "receipts.xml"
    write_file(path, ImportKind.RECEIPTS, [])
    result = runner.invoke(app, ["import", "contacts", str(path)])
    assert result.exit_code == 1
    assert "Refused" in result.output
    assert report_lines(tmp_path / "receipts.xml.report.csv")[1][2] == "XmlWrongDocument"
