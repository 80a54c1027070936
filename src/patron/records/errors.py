"""Errors of the record dialect; each says what to do differently."""

from __future__ import annotations

from patron.errors import error

RecordNotFound = error(404, "RecordNotFound", "No such record.")
MemberNotFound = error(404, "MemberNotFound", "No member with that id or externalId.")
DefinitionNotLive = error(409, "DefinitionNotLive", "Only a live challenge or streak takes logs.")
DuplicateUniqueIdentifier = error(
    409, "DuplicateUniqueIdentifier", "A log with this uniqueIdentifier exists; nothing changed."
)
DefinitionHasProgress = error(409, "DefinitionHasProgress", "Members have progress on this definition.")
MilestoneRewarded = error(409, "MilestoneRewarded", "Rewards were issued for this milestone.")
