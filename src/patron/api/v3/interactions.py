"""Engage interactions and interaction schemas: a retailer's own kinds of activity, stored per
contact and validated against the kind's JSON Schema."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Response, status

from patron.api.deps import Admin, CurrentSettings, EngageBase, Integration, ListUrl, Session, errors
from patron.api.dialect import Dialect, EngageDialect, rendered
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest
from patron.interactions import service as interactions
from patron.interactions.errors import (
    InteractionNotFound,
    InteractionSchemaAlreadyExists,
    InteractionSchemaInUse,
    InteractionSchemaNotFound,
    InvalidInteractionPayload,
    InvalidInteractionSchema,
)
from patron.interactions.schemas import (
    InteractionCreated,
    InteractionOut,
    InteractionSchemaCreated,
    InteractionSchemaOut,
    InteractionSchemaSummary,
    InteractionSchemaV2,
    InteractionSelf,
    InteractionsV2,
    InteractionsV3,
    NewInteraction,
    NewInteractionSchema,
    SchemaId,
    SchemaSelf,
)
from patron.kit.links import LinkV2
from patron.kit.paging import DEFAULT_COUNT, MAX_COUNT
from patron.kit.timefmt import local_iso

router = APIRouter(tags=["interactions"])

SchemaPath = Annotated[SchemaId, Path()]


@router.post(
    "/interactionschemas",
    status_code=status.HTTP_201_CREATED,
    response_model=InteractionSchemaCreated,
    responses=errors(BadRequest, InvalidInteractionSchema, InteractionSchemaAlreadyExists),
)
async def create_interaction_schema(
    body: NewInteractionSchema, session: Session, caller: Admin, base: EngageBase, settings: CurrentSettings
) -> InteractionSchemaCreated:
    created = await interactions.create_schema(session, body)
    href = f"{base}/interactionschemas/{created.id}"
    return InteractionSchemaCreated(
        id=created.id, self=SchemaSelf(href=href, created=local_iso(created.created_on, settings.zone) or "")
    )


@router.get("/interactionschemas", response_model=list[InteractionSchemaSummary])
async def list_interaction_schemas(session: Session, caller: Integration) -> list[InteractionSchemaSummary]:
    return [
        InteractionSchemaSummary(id=found.id, displayName=found.display_name)
        for found in await interactions.list_schemas(session)
    ]


@router.get(
    "/interactionschemas/{interactionSchemaId}",
    response_model=InteractionSchemaOut | InteractionSchemaV2,
    responses=errors(BadRequest, InteractionSchemaNotFound),
)
async def get_interaction_schema(
    interactionSchemaId: SchemaPath, session: Session, caller: Integration, dialect: EngageDialect
) -> InteractionSchemaOut | InteractionSchemaV2:
    found = await interactions.get_schema(session, interactionSchemaId)
    return rendered(dialect, interactions.schema_out(found), InteractionSchemaV2)


@router.delete(
    "/interactionschemas/{interactionSchemaId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(BadRequest, InteractionSchemaNotFound, InteractionSchemaInUse),
)
async def delete_interaction_schema(
    interactionSchemaId: SchemaPath, session: Session, caller: Admin
) -> Response:
    await interactions.delete_schema(session, interactionSchemaId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/interactions",
    status_code=status.HTTP_201_CREATED,
    response_model=InteractionCreated,
    responses=errors(BadRequest, ContactNotFound, InteractionSchemaNotFound, InvalidInteractionPayload),
)
async def create_interaction(
    body: NewInteraction, session: Session, caller: Integration, base: EngageBase, settings: CurrentSettings
) -> InteractionCreated:
    stored = await interactions.create(session, body)
    return InteractionCreated(
        id=stored.id,
        self=InteractionSelf(
            contactId=stored.contact_id,
            href=f"{base}/interactions/{stored.id}",
            created=local_iso(stored.received_on, settings.zone) or "",
        ),
    )


@router.get(
    "/interactions",
    response_model=InteractionsV3 | InteractionsV2,
    responses=errors(BadRequest, ContactNotFound, InteractionSchemaNotFound),
)
async def list_interactions(
    contactId: Annotated[uuid.UUID, Query()],
    schemaId: Annotated[SchemaId, Query()],
    session: Session,
    caller: Integration,
    url: ListUrl,
    settings: CurrentSettings,
    dialect: EngageDialect,
    continuation: Annotated[str | None, Query(max_length=500)] = None,
    count: Annotated[int, Query(ge=1, le=MAX_COUNT)] = DEFAULT_COUNT,
) -> InteractionsV3 | InteractionsV2:
    """Newest first; a `next` link carries the continuation of the following page."""
    found, following = await interactions.page(session, contactId, schemaId, continuation, count)
    items = [interactions.interaction_out(i, settings.zone) for i in found]
    links: list[LinkV2] = []
    if following is not None:
        query = {"contactId": str(contactId), "schemaId": schemaId, "count": count, "continuation": following}
        href = f"{url}?{urlencode(query)}"
        links.append(LinkV2(href=href, rel="next"))
    if dialect is Dialect.V2:
        return InteractionsV2(links=links, items=items)
    return InteractionsV3(data=items, links=links)


@router.get(
    "/interactions/{interactionId}",
    response_model=InteractionOut,
    responses=errors(BadRequest, InteractionNotFound),
)
async def get_interaction(
    interactionId: uuid.UUID, session: Session, caller: Integration, settings: CurrentSettings
) -> InteractionOut:
    return interactions.interaction_out(await interactions.get(session, interactionId), settings.zone)


@router.delete(
    "/interactions/{interactionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(BadRequest, InteractionNotFound),
)
async def delete_interaction(interactionId: uuid.UUID, session: Session, caller: Integration) -> Response:
    await interactions.delete(session, interactionId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
