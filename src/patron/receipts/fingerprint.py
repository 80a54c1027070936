"""The fingerprint of a receipt body: equal for the same receipt sent again, whatever its layout."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def _canonical(value: Any) -> str:
    # Called by the encoder for what JSON has no type for. 10, 10.0 and 10.00 are one amount;
    # an instant is the same in any offset.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def fingerprint(body: dict[str, Any]) -> str:
    """sha256 of the body as canonical JSON (sorted keys, normalised amounts and instants)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()
