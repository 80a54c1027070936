"""When a failed delivery is tried again (pure): the configured delays with up to 10 % jitter."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta


def next_attempt(
    failed_attempts: int, delays: Sequence[float], now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """After `failed_attempts` failures, when to try again; None when the retries are spent.

    The jitter spreads the retries of many deliveries that failed together (an endpoint that
    was down) so they do not all arrive at the same instant when it comes back."""
    if failed_attempts < 1 or failed_attempts > len(delays):
        return None
    delay = delays[failed_attempts - 1]
    jitter = (rng or random).uniform(0, delay * 0.1)
    return now + timedelta(seconds=delay + jitter)
