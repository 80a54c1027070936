"""Errors of challenges, with Engage-style keys."""

from patron.errors import error

ChallengeDefinitionNotFound = error(
    404, "ChallengeDefinitionNotFound", "No challenge definition with that id."
)
ChallengeNotFound = error(404, "ChallengeNotFound", "No challenge with that id.")
ChallengeDefinitionNotActive = error(
    409, "ChallengeDefinitionNotActive", "The challenge definition is not active."
)
ChallengeDefinitionInUse = error(
    409,
    "ChallengeDefinitionInUse",
    "The definition has challenges: it cannot be deleted, nor its requirement, expiry or recurrence changed.",
)
ChallengeDefinitionNotDraft = error(
    409, "ChallengeDefinitionNotDraft", "Only a draft definition can be activated."
)
