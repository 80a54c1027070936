"""Challenges, streaks and milestones: admins create, change and delete them; everyone may
read the live ones (guests their public fields), staff every one."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from patron.api.deps import Admin, Session, errors
from patron.api.records.access import Language, ListParams, ReadsAs
from patron.errors import BadRequest
from patron.promotions.errors import PromotionNotFound
from patron.records import definitions, reads
from patron.records.errors import DefinitionHasProgress, MilestoneRewarded, RecordNotFound
from patron.records.query import parse_list_query
from patron.records.render import definition_out, milestone_out
from patron.records.schemas import DefinitionChanges, Kind, MilestoneChanges, NewDefinition, NewMilestone

router = APIRouter(tags=["records"])


def _definition_routes(kind: Kind) -> None:
    path = f"/schema/{kind.value}/record"

    @router.get(path, name=f"list_{kind.value}s", responses=errors(BadRequest))
    async def list_definitions(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
        return dict(
            await reads.definitions(session, kind, parse_list_query(query, reads.DEFINITION_FIELDS), viewer)
        )

    @router.post(
        path, name=f"create_{kind.value}", status_code=status.HTTP_201_CREATED, responses=errors(BadRequest)
    )
    async def create_definition(
        body: NewDefinition, session: Session, caller: Admin, language: Language
    ) -> dict[str, Any]:
        row = await definitions.create(session, kind, body, language)
        return {"data": definition_out(row, [], language)}

    @router.get(f"{path}/{{recordId}}", name=f"get_{kind.value}", responses=errors(RecordNotFound))
    async def get_definition(
        recordId: uuid.UUID, session: Session, viewer: ReadsAs, language: Language
    ) -> dict[str, Any]:
        return await reads.definition(session, kind, recordId, viewer, language)

    @router.patch(
        f"{path}/{{recordId}}",
        name=f"update_{kind.value}",
        responses=errors(BadRequest, RecordNotFound, DefinitionHasProgress),
    )
    async def update_definition(
        recordId: uuid.UUID, body: DefinitionChanges, session: Session, caller: Admin, language: Language
    ) -> dict[str, Any]:
        row = await definitions.change(session, kind, recordId, body, language)
        milestones = list(await definitions.milestones_of(session, [row.id]))
        return {"data": definition_out(row, milestones, language)}

    @router.delete(
        f"{path}/{{recordId}}",
        name=f"delete_{kind.value}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=errors(RecordNotFound, DefinitionHasProgress),
    )
    async def delete_definition(recordId: uuid.UUID, session: Session, caller: Admin) -> Response:
        await definitions.remove(session, kind, recordId)
        return Response(status_code=status.HTTP_204_NO_CONTENT)


for _kind in Kind:
    _definition_routes(_kind)

MILESTONES = "/schema/milestone/record"


@router.get(MILESTONES, responses=errors(BadRequest))
async def list_milestones(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
    return dict(await reads.milestones(session, parse_list_query(query, reads.MILESTONE_FIELDS), viewer))


@router.post(
    MILESTONES,
    status_code=status.HTTP_201_CREATED,
    responses=errors(BadRequest, RecordNotFound, PromotionNotFound),
)
async def create_milestone(
    body: NewMilestone, session: Session, caller: Admin, language: Language
) -> dict[str, Any]:
    row = await definitions.create_milestone(session, body, language)
    return {"data": milestone_out(row, language, body.linkedSchemaSlug.value)}


@router.get(f"{MILESTONES}/{{recordId}}", responses=errors(RecordNotFound))
async def get_milestone(
    recordId: uuid.UUID, session: Session, viewer: ReadsAs, language: Language
) -> dict[str, Any]:
    return await reads.milestone(session, recordId, viewer, language)


@router.patch(
    f"{MILESTONES}/{{recordId}}",
    responses=errors(BadRequest, RecordNotFound, MilestoneRewarded, PromotionNotFound),
)
async def update_milestone(
    recordId: uuid.UUID, body: MilestoneChanges, session: Session, caller: Admin, language: Language
) -> dict[str, Any]:
    row = await definitions.change_milestone(session, recordId, body, language)
    owner = await definitions.owner_kind(session, row)
    return {"data": milestone_out(row, language, owner)}


@router.delete(
    f"{MILESTONES}/{{recordId}}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(RecordNotFound, MilestoneRewarded),
)
async def delete_milestone(recordId: uuid.UUID, session: Session, caller: Admin) -> Response:
    await definitions.remove_milestone(session, recordId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
