"""Statuses of definitions and challenges as the clock sees them (pure).

Nothing has to run for a scheduled definition to go live or end, or for a challenge to
expire: both are read from the clock whenever they are read or applied to.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Protocol


class DefinitionStatus(IntEnum):
    DRAFT = 0
    ACTIVE = 1
    SCHEDULED = 2
    ENDED = 3


class ChallengeStatus(IntEnum):
    UNKNOWN = 0
    ACTIVE = 1
    COMPLETED = 2
    NOT_COMPLETED = 3


class AssignOn(IntEnum):
    NONE = 0
    RECEIPT_TOTAL = 1
    RECEIPT_LINE_QUANTITY = 2
    RECEIPT_LINE_TOTAL = 3


def definition_status(
    stored: int,
    is_scheduled: bool,
    scheduled_from: datetime | None,
    scheduled_to: datetime | None,
    now: datetime,
) -> DefinitionStatus:
    if stored in (DefinitionStatus.DRAFT, DefinitionStatus.ENDED):
        return DefinitionStatus(stored)
    if is_scheduled:
        if scheduled_to is not None and now >= scheduled_to:
            return DefinitionStatus.ENDED
        if scheduled_from is not None and now < scheduled_from:
            return DefinitionStatus.SCHEDULED
    return DefinitionStatus.ACTIVE


def challenge_status(
    stored: int, ends_on: datetime | None, definition: DefinitionStatus, now: datetime
) -> ChallengeStatus:
    if stored == ChallengeStatus.COMPLETED:
        return ChallengeStatus.COMPLETED
    if (ends_on is not None and now >= ends_on) or definition is DefinitionStatus.ENDED:
        return ChallengeStatus.NOT_COMPLETED
    return ChallengeStatus(stored)


class Scheduled(Protocol):
    """A definition as its status needs it: a stored definition or a kept snapshot of one."""

    @property
    def status(self) -> int: ...
    @property
    def is_scheduled(self) -> bool: ...
    @property
    def scheduled_from(self) -> datetime | None: ...
    @property
    def scheduled_to(self) -> datetime | None: ...


def status_at(definition: Scheduled, now: datetime) -> DefinitionStatus:
    return definition_status(
        definition.status, definition.is_scheduled, definition.scheduled_from, definition.scheduled_to, now
    )
