"""Moving Patron's clock in a test: `kit.clock` is the only place that reads the time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from patron.kit import clock


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Pin `clock.now()` to `instant` for the duration of the block."""
    pinned = instant.astimezone(UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: pinned)
        yield
