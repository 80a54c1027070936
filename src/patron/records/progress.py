"""A member's progress as they see it: its status at the moment of reading (a window that has
closed below target is failed, whether or not the worker has written so yet), the next
milestone and what is still needed, and the messages rendered for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from patron.models import Milestone, RecordDefinition, RecordLog, RecordProgress
from patron.progress.windows import calendar_window
from patron.records import display, streaks
from patron.records.intake import window_kind
from patron.records.render import instant, log_out, milestone_out, number
from patron.records.repository import PeriodOf
from patron.records.schemas import Kind, ProgressStatus


def period_of(row: RecordProgress, definition: RecordDefinition) -> PeriodOf:
    """Whose logs the row shows as its taskProgress: its window's, or its run's current period's."""
    if row.kind == Kind.CHALLENGE:
        return PeriodOf(row.contact_id, row.definition_id, row.period_key)
    period = calendar_window(window_kind(definition), row.period_start, ZoneInfo(row.zone))
    return PeriodOf(row.contact_id, row.definition_id, period.key or "")


def ended_at(row: RecordProgress, definition: RecordDefinition, now: datetime) -> datetime | None:
    """When a window failed or a run broke, as seen at `now`: stored once the worker (or the
    next log) wrote it, worked out from the clock before."""
    if row.ended_at is not None or row.status != ProgressStatus.IN_PROGRESS:
        return row.ended_at
    if row.kind == Kind.CHALLENGE:
        return row.period_end if row.period_end <= now else None
    return streaks.broken_at(definition, row, now)


def status_at(row: RecordProgress, definition: RecordDefinition, now: datetime) -> ProgressStatus:
    if row.status == ProgressStatus.IN_PROGRESS and ended_at(row, definition, now) is not None:
        return ProgressStatus.FAILED if row.kind == Kind.CHALLENGE else ProgressStatus.BROKEN
    return ProgressStatus(row.status)


@dataclass(frozen=True)
class Next:
    """The next value that earns something: a milestone's target, or the completion target."""

    target: Decimal
    milestone: Milestone | None


def next_mark(value: Decimal, definition: RecordDefinition, milestones: list[Milestone]) -> Next | None:
    marks = [Next(m.target, m) for m in milestones if m.status == "live" and m.target > value]
    if definition.completion_target > value:
        marks.append(Next(definition.completion_target, None))
    return min(marks, key=lambda mark: (mark.target, mark.milestone is None), default=None)


def progress_out(
    row: RecordProgress,
    definition: RecordDefinition,
    milestones: list[Milestone],
    logs: list[RecordLog],
    now: datetime,
    language: str | None,
) -> dict[str, Any]:
    status = status_at(row, definition, now)
    texts = display.localised(
        display.DEFINITION_FIELDS, definition.eud, definition.eud_translations, language
    )
    coming = next_mark(row.value, definition, milestones) if status is ProgressStatus.IN_PROGRESS else None
    messages = display.messages(
        texts,
        period=definition.aggregation_period,
        remaining=None if coming is None else coming.target - row.value,
        status=status.value,
    )
    if row.kind == Kind.CHALLENGE:
        body: dict[str, Any] = {
            "id": str(row.id),
            "challengeId": str(row.definition_id),
            "ownedById": str(row.contact_id),
            "uniqueIdentifier": f"{row.definition_id}:{row.contact_id}",
            "currentProgressValue": number(row.value),
            "challengeProgressStatus": status.value,
            "challengeStartedAt": instant(row.started_at),
            "challengeCompletedAt": instant(row.completed_at),
            "challengeFailedAt": instant(ended_at(row, definition, now)),
            "periodStart": instant(row.period_start),
            "periodEnd": instant(row.period_end),
            "periodKey": row.period_key,
        }
    else:
        body = {
            "id": str(row.id),
            "streakId": str(row.definition_id),
            "ownedById": str(row.contact_id),
            "uniqueIdentifier": f"{row.definition_id}:{row.contact_id}:{row.run}",
            "currentProgressValue": number(row.value),
            "streakProgressStatus": status.value,
            "streakStartedAt": instant(row.started_at),
            "streakBrokenAt": instant(ended_at(row, definition, now)),
            "streakCompletedAt": instant(row.completed_at),
            "periodStart": instant(row.period_start),
            "periodEnd": instant(row.period_end),
            "currentPeriodValue": number(row.period_value),
        }
    body["nextMilestone"] = (
        milestone_out(coming.milestone, language, definition.kind)
        if coming is not None and coming.milestone is not None
        else None
    )
    body["nextRemainingValue"] = None if coming is None else number(coming.target - row.value)
    body.update(messages)
    body["taskProgress"] = [log_out(log) for log in logs]
    return body
