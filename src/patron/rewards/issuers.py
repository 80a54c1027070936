"""The deployment's default point definition for points rewards, set when the app is assembled."""

from __future__ import annotations

_default_point_definition: list[int | None] = [None]


def set_default_point_definition(definition_id: int | None) -> None:
    _default_point_definition[0] = definition_id


def default_point_definition() -> int | None:
    return _default_point_definition[0]
