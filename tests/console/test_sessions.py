"""The console cookie without a browser: signed, lapsing after 8 idle hours, naming no secret."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from starlette.requests import Request

from patron.auth import console_secret
from patron.console.sessions import COOKIE, IDLE_SECONDS, ConsoleSessions, Visit, csrf_matches
from patron.state import AppState, assemble
from tests.conftest import make_settings

SECRET = "a-test-sealing-key-of-more-than-32-characters"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[ConsoleSessions]:
    # With PATRON_SECRET_KEY set, the signing key is derived from it: no database is read.
    state: AppState = assemble(
        make_settings(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", secret_key=SECRET)
    )
    yield ConsoleSessions(state)


def _request(cookie: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/console",
            "headers": [(b"cookie", f"{COOKIE}={cookie}".encode())],
        }
    )


def _signed(payload: dict[str, object], seconds_ago: float, monkeypatch: pytest.MonkeyPatch) -> str:
    key = console_secret.configured_key(SECRET)
    assert key is not None
    signing = URLSafeTimedSerializer(key, salt="patron console session")
    then = time.time() - seconds_ago
    with monkeypatch.context() as moved:
        moved.setattr(time, "time", lambda: then)
        return signing.dumps(payload)


async def test_a_cookie_signed_within_the_idle_time_is_the_visit(
    sessions: ConsoleSessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _signed({"k": "pk_marketer", "c": "form-token"}, IDLE_SECONDS - 60, monkeypatch)
    assert await sessions.read(_request(cookie)) == Visit("pk_marketer", "form-token")


async def test_a_cookie_idle_for_longer_than_eight_hours_is_no_visit(
    sessions: ConsoleSessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _signed({"k": "pk_marketer", "c": "form-token"}, IDLE_SECONDS + 60, monkeypatch)
    assert await sessions.read(_request(cookie)) is None


async def test_a_cookie_signed_with_another_key_is_no_visit(
    sessions: ConsoleSessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = URLSafeTimedSerializer(b"x" * 32, salt="patron console session").dumps(
        {"k": "pk_admin", "c": "t"}
    )
    assert await sessions.read(_request(forged)) is None


def test_the_form_token_must_match_exactly() -> None:
    visit = Visit("pk_marketer", "form-token")
    assert csrf_matches(visit, "form-token")
    assert not csrf_matches(visit, "form-toke")
    assert not csrf_matches(visit, "")
    assert not csrf_matches(visit, None)
