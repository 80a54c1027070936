"""Numeric enums rendered by name, for the dialect (Engage v2) whose clients list the names."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BeforeValidator


def pascal_name(member: IntEnum) -> str:
    """`NOT_COMPLETED` -> `NotCompleted`, `NONE` -> `None`."""
    return "".join(part.capitalize() for part in member.name.split("_"))


def by_name(enum: type[IntEnum]) -> BeforeValidator:
    """Reads a member's number (or the member) as its PascalCase name; a name stays a name."""

    def name_of(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return pascal_name(enum(value))
        return value

    return BeforeValidator(name_of)
