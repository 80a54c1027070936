"""`patron keys origins`: the widget's origins of a key, set, normalised, refused when not origins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from patron.cli import app

runner = CliRunner()


@pytest.fixture
def key_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PATRON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["keys", "create", "--role", "integration", "--name", "web shop", "--json"])
    assert created.exit_code == 0, created.output
    return str(json.loads(created.output)["keyId"])


def test_origins_are_kept_as_browsers_send_them(key_id: str) -> None:
    answer = runner.invoke(
        app,
        [
            "keys",
            "origins",
            key_id,
            "HTTPS://Shop.Example.com/",
            "https://shop.example.com:443",
            "http://localhost:8080",
        ],
    )
    assert answer.exit_code == 0, answer.output
    assert "https://shop.example.com, http://localhost:8080" in answer.output
    cleared = runner.invoke(app, ["keys", "origins", key_id])
    assert cleared.exit_code == 0 and "no other origin" in cleared.output


def test_a_path_or_another_scheme_is_not_an_origin(key_id: str) -> None:
    for wrong in ("https://shop.example.com/my-pages", "ftp://shop.example.com", "shop.example.com"):
        answer = runner.invoke(app, ["keys", "origins", key_id, wrong])
        assert answer.exit_code == 1, wrong
        assert "BadRequest" in answer.output


def test_an_unknown_key_is_refused(key_id: str) -> None:
    answer = runner.invoke(app, ["keys", "origins", "pk_nobody", "https://shop.example.com"])
    assert answer.exit_code == 1 and "NotFound" in answer.output
