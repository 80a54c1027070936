"""The record dialect's records as its clients read them: camelCase, `id`, instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from patron.models import Milestone, RecordDefinition, RecordLog, Reward
from patron.records import display
from patron.records.schemas import Kind


def instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def number(value: Decimal | None) -> float | int | None:
    """A JSON number: whole values as integers, others as decimals (4 places at most)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def milestone_out(row: Milestone, language: str | None, kind: str) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "linkedSchemaSlug": kind,
        "linkedSchemaRecordId": str(row.definition_id),
        "name": row.name,
        "description": row.description,
        "milestoneTargetValue": number(row.target),
        "status": row.status,
        "reward": row.reward,
        **display.localised(display.MILESTONE_FIELDS, row.eud, row.eud_translations, language),
        "createdAt": instant(row.created_on),
        "updatedAt": instant(row.modified_on),
    }


def definition_out(
    row: RecordDefinition, milestones: list[Milestone], language: str | None, *, public: bool = False
) -> dict[str, Any]:
    """A challenge or streak; `public` for guests: live milestones only."""
    shown = [m for m in milestones if not public or m.status == "live"]
    body: dict[str, Any] = {
        "id": str(row.id),
        "name": row.name,
        "description": row.description,
        "status": row.status,
        "completionTargetValue": number(row.completion_target),
        "aggregationMethod": row.aggregation_method,
        "aggregationPeriod": row.aggregation_period,
    }
    if row.kind == Kind.STREAK:
        body["aggregationTargetValue"] = number(row.aggregation_target)
    body["timezone"] = row.timezone
    body["milestones"] = [milestone_out(m, language, row.kind) for m in shown]
    body.update(display.localised(display.DEFINITION_FIELDS, row.eud, row.eud_translations, language))
    # The uploaded icon, or the default one while there is none.
    body["eudIcon"] = f"/schema/{row.kind}/record/{row.id}/eudIcon"
    body["createdAt"] = instant(row.created_on)
    body["updatedAt"] = instant(row.modified_on)
    return body


def log_out(row: RecordLog) -> dict[str, Any]:
    key = "challengeId" if row.kind == Kind.CHALLENGE else "streakId"
    return {
        "id": str(row.id),
        key: str(row.definition_id),
        "ownedById": str(row.contact_id),
        "activityAt": instant(row.activity_at),
        "activityId": row.activity_id,
        "uniqueIdentifier": row.unique_identifier,
        "activityValue": number(row.activity_value),
        "periodKey": row.period_key,
        "createdAt": instant(row.created_on),
    }


def reward_log_out(row: Reward, milestone: Milestone | None, kind: str | None) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "linkedSchemaSlug": kind,
        "linkedSchemaRecordId": str(milestone.definition_id) if milestone else None,
        "milestoneId": row.source_id,
        "ownedById": str(row.contact_id),
        "couponCode": row.coupon_code,
        "rewardIssuedAt": instant(row.issued_on),
        "rewardExpiryAt": instant(row.expires_on),
        "periodKey": row.period_key,
        "reward": row.details.get("reward"),
        "milestone": milestone_out(milestone, None, kind or "challenge") if milestone else None,
    }
