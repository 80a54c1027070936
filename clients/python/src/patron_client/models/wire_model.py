"""The base of every Engage and record body: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    # Answers may grow fields this client does not know yet: they are ignored, not refused.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")
