"""Activity logs of the record dialect (`/schema/challenge_log/record`, `streak_log`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import JsonValue

from patron_client.models.wire_model import CamelModel


class ActivityLog(CamelModel):
    """What a member did, when: counted in the window `activity_at` falls in. `owned_by_id` is
    the contact's id or its externalId; `unique_identifier` makes a resend harmless (Patron
    refuses a second log under it). `activity_value` is needed when the challenge sums."""

    owned_by_id: str
    unique_identifier: str
    activity_at: dt.datetime | None = None
    activity_id: str | None = None
    activity_value: Decimal | None = None


class ChallengeLog(ActivityLog):
    challenge_id: str


class StreakLog(ActivityLog):
    streak_id: str


class LoggedActivity(CamelModel):
    """The stored log, with the progress it made and the milestone it crossed, if any."""

    id: str
    owned_by_id: str
    unique_identifier: str
    progress: dict[str, JsonValue] | None = None
    achieved_milestone: dict[str, JsonValue] | None = None
    achieved_milestone_reward_log: dict[str, JsonValue] | None = None
