"""What the clock ends: a challenge window that ended below its target is written `failed` and
told as `challenge.failed`, and a streak run whose needed period ended unmet is written
`broken` and told as `streak.broken`, each once (reads show both from the clock before this
runs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.records import repository
from patron.records import told as told_of
from patron.records.render import instant, number
from patron.records.schemas import ProgressStatus


async def emit_failed(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Up to `limit` windows closed and told; how many."""
    closed = await repository.claim_closed_windows(session, now, limit)
    for row in closed:
        row.status, row.ended_at, row.end_told_on, row.modified_on = (
            ProgressStatus.FAILED.value,
            row.period_end,
            now,
            now,
        )
    await session.flush()
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.CHALLENGE_FAILED,
                {
                    "id": str(row.id),
                    "challengeId": str(row.definition_id),
                    "ownedById": str(row.contact_id),
                    "currentProgressValue": number(row.value),
                    "challengeProgressStatus": row.status,
                    "periodKey": row.period_key,
                    "periodStart": instant(row.period_start),
                    "periodEnd": instant(row.period_end),
                    "challengeFailedAt": instant(row.period_end),
                },
                row.contact_id,
                row.period_end,
            )
            for row in closed
        ],
    )
    return len(closed)


async def emit_broken(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Up to `limit` runs whose needed period ended unmet written broken and told as
    `streak.broken`, once; how many. A log for that period arriving later still counts
    (`progress.streaks`), so a run written broken here may go on."""
    claimed = await repository.claim_broken_runs(session, now, limit)
    told: list[NewEvent] = []
    for row in claimed:
        broke = row.breaks_at
        row.status, row.ended_at, row.breaks_at, row.end_told_on, row.modified_on = (
            ProgressStatus.BROKEN.value,
            broke,
            None,
            now,
            now,
        )
        told.append(NewEvent(EventType.STREAK_BROKEN, told_of.challenge_progress(row), row.contact_id, broke))
    await session.flush()
    await outbox.record(session, told)
    return len(claimed)
