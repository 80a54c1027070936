"""The only place that reads the current time, so tests can move it (by patching this
module's functions: `tests/clock.py`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back, for measuring durations and cache ages."""
    return time.monotonic()
