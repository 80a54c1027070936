"""What the record dialect's events carry: a milestone reached, a window or run completed, a
run broken (docs/WEBHOOKS.md lists them)."""

from __future__ import annotations

from patron.models import Milestone, RecordProgress


def milestone_achieved(milestone: Milestone, row: RecordProgress) -> dict[str, object]:
    return {
        "milestoneId": str(milestone.id),
        "linkedSchemaRecordId": str(milestone.definition_id),
        "ownedById": str(row.contact_id),
        "milestoneTargetValue": str(milestone.target),
        "periodKey": row.period_key,
    }


def challenge_progress(row: RecordProgress) -> dict[str, object]:
    """A challenge's window, or a streak's run, as the event of its completion, failure or break."""
    id_field = "challengeId" if row.kind == "challenge" else "streakId"
    return {
        id_field: str(row.definition_id),
        "dialect": "record",
        "ownedById": str(row.contact_id),
        "currentProgressValue": str(row.value),
        "periodKey": row.period_key,
        "run": row.run,
        "status": row.status,
    }
