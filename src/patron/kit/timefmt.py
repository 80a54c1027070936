"""Rendering instants the way each dialect documents them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_iso(instant: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 in the deployment's zone, with its offset (Engage's form)."""
    if instant is None:
        return None
    return instant.astimezone(zone).isoformat()
