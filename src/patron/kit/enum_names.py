"""Enums as Engage clients write them: numeric ones rendered by name (v2 clients list the
names), string ones read in any case."""

from __future__ import annotations

from enum import IntEnum, StrEnum
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


def any_case(enum: type[StrEnum]) -> BeforeValidator:
    """Reads a member of `enum` whatever the case of its value (`Purchase`, `contactId`,
    `active`), as Engage's clients send them."""
    members = {member.value.lower(): member for member in enum}

    def read(value: Any) -> Any:
        return members.get(value.strip().lower(), value) if isinstance(value, str) else value

    return BeforeValidator(read)
