"""A contact's challenges and the checkpoints they take, as the Engage dialect renders them:
for the API's answers and for the events told of them (pure)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from patron.challenges.schemas import ChallengeOut
from patron.challenges.statuses import ChallengeStatus, DefinitionStatus, challenge_status, status_at
from patron.kit import clock
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import Challenge, ChallengeDefinition


def status_now(definition: ChallengeDefinition) -> DefinitionStatus:
    return status_at(definition, clock.now())


def challenge_out(
    challenge: Challenge,
    definition: ChallengeDefinition,
    base_url: str,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> ChallengeOut:
    """The challenge as seen at `now` (the clock's instant by default)."""
    at = clock.now() if now is None else now
    status = challenge_status(challenge.status, challenge.ends_on, status_at(definition, at), at)
    return ChallengeOut(
        id=challenge.id,
        challengeId=challenge.definition_id,
        contactId=challenge.contact_id,
        challengeStart=local_iso(challenge.started_on, zone),
        challengeEnd=local_iso(challenge.ends_on, zone),
        challengeCompletedOn=local_iso(challenge.completed_on, zone),
        completedCheckpoints=challenge.completed_checkpoints,
        requiredCheckpoints=challenge.required_checkpoints,
        isActive=status is ChallengeStatus.ACTIVE,
        isChallengeCompleted=status is ChallengeStatus.COMPLETED,
        latestCheckpointAddedOn=local_iso(challenge.latest_checkpoint_on, zone),
        imageUrl=definition.image_url,
        status=status,
        links=[
            item_link(base_url, f"/challenges/{challenge.id}", challenge.id, "self"),
            item_link(base_url, f"/challenges/definitions/{definition.id}", definition.id, "definition"),
        ],
    )


def checkpoint_added_out(
    contact_id: uuid.UUID,
    definition_id: uuid.UUID,
    amount: int,
    source: str,
    receipt_id: uuid.UUID | None,
    added_on: str | None,
) -> dict[str, Any]:
    """One accepted checkpoint row: the row as it was sent (`CheckpointRow`'s fields), where it
    came from (`api` or `receipt`, and the receipt) and when it was added. Built as a plain
    mapping: a batch renders a thousand of them."""
    return {
        "definitionId": str(definition_id),
        "contactId": str(contact_id),
        "checkpointAmount": amount,
        "source": source,
        "receiptId": None if receipt_id is None else str(receipt_id),
        "addedOn": added_on,
    }
