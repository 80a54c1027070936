"""Errors of earning rules."""

from patron.errors import error

PointRuleNotFound = error(404, "PointRuleNotFound", "No earning rule with that id.")
PointRuleHasEarnings = error(
    409, "PointRuleHasEarnings", "Points were earned under this rule; deactivate it instead of deleting it."
)
