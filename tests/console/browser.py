"""Debian's Chromium, driven by Playwright: the one browser these tests use, found on the machine
(`playwright install` would download one of its own, which these machines cannot)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PATRON_TEST_CHROMIUM", "/usr/bin/chromium"))
ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
# In CI (and wherever PostgreSQL is required) a missing browser fails the run: a skipped browser
# test would pass silently. `make test` installs the package first.
REQUIRE_BROWSER = os.environ.get("CI") == "true" or os.environ.get("PATRON_REQUIRE_POSTGRES") == "1"


def require_chromium() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(f"{message}: the browser tests cannot run")
    pytest.skip(f"{message}: the browser tests did NOT run")
