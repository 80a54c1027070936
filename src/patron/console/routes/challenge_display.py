"""The end-user display of a challenge or streak in the console: the EUD fields of one language
as the form shows them, and the live preview of the messages a member would read."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from patron.console.web import field
from patron.models import RecordDefinition
from patron.records import display

LABELS = (
    ("eudTitle", "Title", 48),
    ("eudDescription", "Description", 1024),
    ("eudInProgressLabel", "“In progress” label", 32),
    ("eudCompletedLabel", "“Completed” label", 32),
    ("eudNotStartedLabel", "“Not started” label", 32),
    ("eudFailedLabel", "“Failed” label", 32),
    ("eudViewDetailsButtonText", "Details button", 32),
)
MESSAGES = (
    ("eudMilestoneNextToBeAchievedMessage", "Next milestone message", 256),
    ("eudCompletedChallengeMessage", "Completed message", 256),
    ("eudFailedChallengeMessage", "Failed message", 256),
)
FIELDS = tuple(name for name, _, _ in LABELS + MESSAGES)
# The preview's member: $350 of a $500 month, as in the seed's rendered example.
SAMPLE_REMAINING = Decimal("150.00")


def eud_of(form: FormData) -> dict[str, str]:
    """The EUD fields filled in; an empty one keeps its default (or the base language's)."""
    return {name: field(form, name) for name in FIELDS if field(form, name)}


def shown(definition: RecordDefinition | None, language: str | None) -> dict[str, str | None]:
    """The fields as a member reading in `language` sees them (defaults and fallbacks applied)."""
    if definition is None:
        return dict(display.DEFINITION_FIELDS)
    return display.localised(display.DEFINITION_FIELDS, definition.eud, definition.eud_translations, language)


def own_values(definition: RecordDefinition, language: str | None) -> dict[str, Any]:
    """What is stored for exactly this language (the form edits only those)."""
    if language is None:
        return dict(definition.eud)
    return dict(definition.eud_translations.get(language, {}))


def preview(texts: dict[str, str | None], period: str, remaining_text: str) -> dict[str, str | None]:
    """Each message rendered as it would read: the next-milestone one with `remaining_text` to go,
    the completed and failed ones for the period."""
    try:
        remaining = Decimal(remaining_text) if remaining_text else SAMPLE_REMAINING
    except InvalidOperation:
        remaining = SAMPLE_REMAINING
    merged = {**dict(display.DEFINITION_FIELDS), **{k: v for k, v in texts.items() if v}}
    return {name: display.render(merged[name], period=period, remaining=remaining) for name, _, _ in MESSAGES}
