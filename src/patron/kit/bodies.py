"""Request bodies of the Engage dialect, and what they do with fields they do not know.

Engage integrations send fields Patron does not model (an order's `shippedDate`, a read-only
`id` copied from a response), and Engage itself takes such bodies. So every Engage body
ignores an unknown field: it is never applied, never stored, and its name is logged, so an
integrator who misspells a field finds it in the log. Everything Patron does model is
validated as strictly as ever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

log = logging.getLogger("patron.bodies")


def log_ignored(shape: str, names: Iterable[str]) -> None:
    """Says which fields of a `shape` body were ignored."""
    log.info("ignored unknown fields of %s: %s", shape, ", ".join(sorted(names)))


class Body(BaseModel):
    """A request body (or a part of one): unknown fields are dropped and their names logged."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _log_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = cls.model_fields
            if any(name not in known for name in data):
                log_ignored(cls.__name__, (str(name) for name in data if name not in known))
        return data
