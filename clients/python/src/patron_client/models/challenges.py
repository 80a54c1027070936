"""Checkpoints toward a contact's Engage challenges (stamp cards and the like)."""

from __future__ import annotations

from patron_client.models.wire_model import CamelModel


class CheckpointAward(CamelModel):
    definition_id: str
    contact_id: str
    checkpoint_amount: int = 1


class CheckpointsResult(CamelModel):
    """Rows Patron did not apply, and why: ids it does not know, or rows it did not accept."""

    missing_contact_ids: list[str]
    missing_definition_ids: list[str]
    not_accepted: list[CheckpointAward]
