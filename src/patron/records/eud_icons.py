"""Uploading, serving and removing a challenge's or streak's `eudIcon`: admins upload (checked
by `icons.checked`), whoever may read the definition may fetch it, and a definition without
one serves the default icon."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.models import RecordDefinition
from patron.records import definitions, icons, reads, repository
from patron.records.reads import Viewer
from patron.records.schemas import Kind

DEFAULT_DIGEST = hashlib.sha256(icons.DEFAULT_ICON).hexdigest()


@dataclass(frozen=True)
class ServedIcon:
    content_type: str
    content: bytes
    digest: str  # its ETag


async def upload(
    session: AsyncSession, kind: Kind, definition_id: uuid.UUID, content: bytes
) -> RecordDefinition:
    row = await definitions.get(session, kind, definition_id)
    icon = icons.checked(content)
    now = clock.now()
    await repository.put_icon(
        session,
        {
            "definition_id": row.id,
            "content_type": icon.content_type,
            "content": icon.content,
            "digest": hashlib.sha256(icon.content).hexdigest(),
            "modified_on": now,
        },
    )
    row.icon_type, row.modified_on = icon.content_type, now
    await session.flush()
    return row


async def remove(session: AsyncSession, kind: Kind, definition_id: uuid.UUID) -> None:
    """Back to the default icon."""
    row = await definitions.get(session, kind, definition_id)
    await repository.delete_icon(session, row.id)
    row.icon_type, row.modified_on = None, clock.now()
    await session.flush()


async def served(session: AsyncSession, kind: Kind, definition_id: uuid.UUID, viewer: Viewer) -> ServedIcon:
    row = await reads.visible_definition(session, kind, definition_id, viewer)
    stored = await repository.icon(session, row.id) if row.icon_type else None
    if stored is None:
        return ServedIcon(icons.SVG_TYPE, icons.DEFAULT_ICON, DEFAULT_DIGEST)
    return ServedIcon(stored.content_type, stored.content, stored.digest)
