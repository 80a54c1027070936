"""What every request and background loop can reach: settings, the database, the key verifier."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from patron.auth.service import KeyVerifier
from patron.config import Settings
from patron.db.engine import Database


@dataclass
class AppState:
    settings: Settings
    database: Database
    verifier: KeyVerifier
    # Set when a bulk import is queued, so the import loop starts at once instead of polling.
    imports_queued: asyncio.Event = field(default_factory=asyncio.Event)
