"""`patron keys` and `patron db` as an operator uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from patron import cli
from patron.cli import app

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("PATRON_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def test_create_list_revoke(sqlite_env: str) -> None:
    created = runner.invoke(app, ["keys", "create", "--role", "integration", "--name", "till 4", "--json"])
    assert created.exit_code == 0, created.output
    issued = json.loads(created.output)
    assert issued["role"] == "integration"
    assert issued["token"].startswith(issued["keyId"] + ".")

    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)
    assert [(key["keyId"], key["name"], key["revokedOn"]) for key in listed] == [
        (issued["keyId"], "till 4", None)
    ]
    assert issued["token"].split(".")[1] not in runner.invoke(app, ["keys", "list"]).output

    revoked = runner.invoke(app, ["keys", "revoke", issued["keyId"]])
    assert revoked.exit_code == 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)[0]["revokedOn"] is not None
    unknown = runner.invoke(app, ["keys", "revoke", "pk_nope"])
    assert unknown.exit_code == 1


def test_bad_role_is_refused(sqlite_env: str) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "root", "--name", "x"])
    assert result.exit_code != 0


def test_db_current_and_downgrade(sqlite_env: str) -> None:
    assert "(head)" in runner.invoke(app, ["db", "current"]).output
    assert runner.invoke(app, ["db", "downgrade", "base"]).exit_code == 0
    assert "empty" in runner.invoke(app, ["db", "current"]).output


def test_a_key_created_with_a_rate_keeps_it_and_lists_it(
    sqlite_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The table is as wide as the console the command line made when it was imported; a test
    # process without a terminal (a pytest-xdist worker) would get 80 columns and ellipses.
    monkeypatch.setattr(cli.console, "width", 200)
    command = "keys create --role integration --name till_5 --rate 50 --burst 80 --json"
    created = runner.invoke(app, command.split())
    assert created.exit_code == 0, created.output
    issued = json.loads(created.output)
    assert (issued["rate"], issued["burst"]) == (50, 80)
    plain = runner.invoke(app, ["keys", "create", "--role", "integration", "--name", "till 6", "--json"])
    listed = {key["name"]: key for key in json.loads(runner.invoke(app, ["keys", "list", "--json"]).output)}
    assert (listed["till_5"]["rate"], listed["till_5"]["burst"]) == (50, 80)
    assert (listed["till 6"]["rate"], listed["till 6"]["burst"]) == (None, None)
    assert json.loads(plain.output)["rate"] is None
    assert "50/s, burst 80" in runner.invoke(app, ["keys", "list"]).output


def test_a_burst_without_a_rate_is_refused(sqlite_env: str) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "integration", "--name", "x", "--burst", "10"])
    assert result.exit_code != 0
    assert json.loads(runner.invoke(app, ["keys", "list", "--json"]).output) == []
