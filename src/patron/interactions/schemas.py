"""The wire format of interactions and interaction schemas (Engage's camelCase).

Booleans arrive as JSON booleans or as the strings clients send ("true", "False": pydantic's
lax reading); v2 and v3
show a schema and an interaction alike, except the list of interactions: v3 `{data, links}`,
v2 `{links, items}` (its clients' `InteractionPage`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from patron.kit.bodies import Body
from patron.kit.instants import Instant
from patron.kit.links import LinkV2

SchemaId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NewInteractionSchema(Body):
    id: SchemaId
    displayName: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    jsonSchema: dict[str, Any]
    showInContactCard: bool = False
    addToSegmentation: bool = False


class SchemaSelf(BaseModel):
    href: str
    created: str


class InteractionSchemaCreated(BaseModel):
    id: str
    self: SchemaSelf


class InteractionSchemaSummary(BaseModel):
    id: str
    displayName: str


class InteractionSchemaOut(BaseModel):
    id: str
    displayName: str
    jsonSchema: dict[str, Any]
    showInContactCard: bool
    addToSegmentation: bool


class InteractionSchemaV2(BaseModel):
    """Its clients' `InteractionSchemaModel`."""

    id: str
    displayName: str
    jsonSchema: dict[str, Any]


class NewInteraction(Body):
    contactId: uuid.UUID
    schemaId: SchemaId
    createdDate: Instant | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class InteractionSelf(BaseModel):
    contactId: uuid.UUID
    href: str
    created: str


class InteractionCreated(BaseModel):
    id: uuid.UUID
    self: InteractionSelf


class InteractionOut(BaseModel):
    id: uuid.UUID
    contactId: uuid.UUID
    schemaId: str
    createdDate: str
    payload: dict[str, Any]


class InteractionsV3(BaseModel):
    data: list[InteractionOut]
    links: list[LinkV2]


class InteractionsV2(BaseModel):
    links: list[LinkV2]
    items: list[InteractionOut]
