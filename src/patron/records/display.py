"""What the customer sees of a challenge or streak (seed: gamified-challenges.txt, "End-user
display"): labels and messages with their defaults and limits, the two template variables,
and the language fallback (the language asked for, its base language, then the default)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from patron.errors import BadRequest

COMPLETED_MESSAGE = "Congratulations! You have completed this challenge! Shop more next {{periodText}} to start a new challenge!"
FAILED_MESSAGE = (
    "Your challenge has failed. Don't worry, shop more next {{periodText}} to start a new challenge!"
)
NEXT_MESSAGE = "Shop for ${{nextRemainingValue}} or more to complete the next milestone!"

# name -> default (None: no default)
DEFINITION_FIELDS: Mapping[str, str | None] = MappingProxyType(
    {
        "eudTitle": None,
        "eudDescription": None,
        "eudInProgressLabel": "In Progress",
        "eudCompletedLabel": "Completed",
        "eudNotStartedLabel": "Not Started",
        "eudFailedLabel": "Failed",
        "eudViewDetailsButtonText": "View Details",
        "eudCompletedChallengeMessage": COMPLETED_MESSAGE,
        "eudFailedChallengeMessage": FAILED_MESSAGE,
        "eudMilestoneNextToBeAchievedMessage": NEXT_MESSAGE,
    }
)
MILESTONE_FIELDS: Mapping[str, str | None] = MappingProxyType({"eudMilestoneRewardInstructionMessage": None})
TEMPLATE_FIELDS = frozenset(
    {
        "eudCompletedChallengeMessage",
        "eudFailedChallengeMessage",
        "eudMilestoneNextToBeAchievedMessage",
        "eudMilestoneRewardInstructionMessage",
    }
)
VARIABLES = frozenset({"periodText", "nextRemainingValue"})
PERIOD_TEXT: Mapping[str, str] = MappingProxyType({"daily": "day", "weekly": "week", "monthly": "month"})
_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TWO_PLACES = Decimal("0.01")


def check(values: Mapping[str, str]) -> None:
    """A message may name only the known template variables: 400 naming the one it may not."""
    for name, value in values.items():
        if name not in TEMPLATE_FIELDS:
            continue
        for variable in _VARIABLE.findall(value):
            if variable not in VARIABLES:
                raise BadRequest(
                    f"{name} uses {{{{{variable}}}}}, which is not a template variable "
                    f"(known: {', '.join(sorted(VARIABLES))}).",
                    details=[{"field": name, "message": f"unknown template variable {variable}"}],
                )


def language_code(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > 35 or not _LANGUAGE.match(value):
        raise BadRequest(
            f"languageCode {value!r} is not a language tag such as sv or sv-SE.",
            details=[{"field": "languageCode", "message": "not a language tag"}],
        )
    return value.lower()


def _fallbacks(language: str | None) -> list[str]:
    if language is None:
        return []
    parts = language.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def localised(
    fields: Mapping[str, str | None],
    default: Mapping[str, Any],
    translations: Mapping[str, Mapping[str, Any]],
    language: str | None,
) -> dict[str, str | None]:
    shown: dict[str, str | None] = {}
    for name, seed_default in fields.items():
        value = next(
            (translations[code][name] for code in _fallbacks(language) if name in translations.get(code, {})),
            default.get(name, seed_default),
        )
        shown[name] = value
    return shown


def render(template: str | None, *, period: str, remaining: Decimal | None) -> str | None:
    if template is None:
        return None
    values = {"periodText": PERIOD_TEXT.get(period, period)}
    if remaining is not None:
        values["nextRemainingValue"] = str(max(remaining, Decimal(0)).quantize(TWO_PLACES, ROUND_HALF_UP))
    elif "nextRemainingValue" in template:
        return None
    return _VARIABLE.sub(lambda found: values.get(found.group(1), found.group(0)), template)


def messages(
    texts: Mapping[str, str | None], *, period: str, remaining: Decimal | None, status: str
) -> dict[str, str | None]:
    """The messages of a progress row: the one that applies to its status rendered, the others None."""
    return {
        "eudCompletedChallengeMessage": render(
            texts["eudCompletedChallengeMessage"], period=period, remaining=None
        )
        if status == "completed"
        else None,
        "eudFailedChallengeMessage": render(texts["eudFailedChallengeMessage"], period=period, remaining=None)
        if status in ("failed", "broken")
        else None,
        "eudMilestoneNextToBeAchievedMessage": render(
            texts["eudMilestoneNextToBeAchievedMessage"], period=period, remaining=remaining
        )
        if status == "in_progress"
        else None,
    }
