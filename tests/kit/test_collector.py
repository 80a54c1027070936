"""The server settles the garbage collector once it has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from patron.kit import collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_objects_loaded_at_start_leave_the_collections_and_young_ones_wait_longer(
    restored_collector: None,
) -> None:
    _, middle, old = gc.get_threshold()
    collector.settle_for_serving()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, middle, old)
