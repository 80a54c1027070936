"""Engage challenges: definitions, assignment, checkpoints, a contact's challenges."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import TypeAdapter
from starlette.types import Scope

from patron.api.deps import (
    Admin,
    CurrentSettings,
    EngageBase,
    Integration,
    ListUrl,
    Page,
    Session,
    State,
    authorised,
    errors,
    session_of,
)
from patron.api.dialect import EngageDialect, rendered, rendered_all
from patron.api.direct import Answer, body_as, json_answer
from patron.api.pages import Paged
from patron.auth.roles import INTEGRATIONS
from patron.challenges import service as challenges
from patron.challenges.errors import (
    ChallengeDefinitionInUse,
    ChallengeDefinitionNotActive,
    ChallengeDefinitionNotDraft,
    ChallengeDefinitionNotFound,
    ChallengeNotFound,
)
from patron.challenges.schemas import (
    ChallengeFilter,
    ChallengeFilterQuery,
    ChallengeOut,
    ChallengeV2,
    CheckpointRow,
    CheckpointsResult,
    DefinitionFields,
    DefinitionOut,
    DefinitionStatusFilter,
    DefinitionStatusQuery,
    DefinitionV2,
)
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest, PayloadTooLarge
from patron.kit.paging import page_body
from patron.promotions.errors import PromotionNotFound
from patron.state import AppState

router = APIRouter(tags=["challenges"])


@router.get(
    "/challenges/definitions",
    response_model=Paged[DefinitionOut | DefinitionV2],
    responses=errors(BadRequest),
)
async def list_challenge_definitions(
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
    status: DefinitionStatusQuery = DefinitionStatusFilter.ALL,
) -> dict[str, object]:
    found, total = await challenges.definitions_page(session, status, page.offset, page.count)
    items = rendered_all(
        dialect, [challenges.definition_out(d, base, settings.zone) for d in found], DefinitionV2
    )
    return page_body(items, url, {"status": status.value}, page, total)


@router.post(
    "/challenges/definitions",
    response_model=DefinitionOut | DefinitionV2,
    responses=errors(BadRequest, PromotionNotFound),
)
async def create_challenge_definition(
    body: DefinitionFields,
    session: Session,
    caller: Admin,
    base: EngageBase,
    state: State,
    dialect: EngageDialect,
) -> DefinitionOut | DefinitionV2:
    settings = state.settings
    definition = await challenges.create_definition(session, body, caller, settings.zone, state.receipt_rules)
    return rendered(dialect, challenges.definition_out(definition, base, settings.zone), DefinitionV2)


@router.get(
    "/challenges/definitions/{definitionId}",
    response_model=DefinitionOut | DefinitionV2,
    responses=errors(ChallengeDefinitionNotFound),
)
async def get_challenge_definition(
    definitionId: uuid.UUID,
    session: Session,
    caller: Integration,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> DefinitionOut | DefinitionV2:
    found = await challenges.get_definition(session, definitionId)
    return rendered(dialect, challenges.definition_out(found, base, settings.zone), DefinitionV2)


@router.put(
    "/challenges/definitions/{definitionId}",
    response_model=DefinitionOut | DefinitionV2,
    responses=errors(BadRequest, ChallengeDefinitionNotFound, ChallengeDefinitionInUse, PromotionNotFound),
)
async def replace_challenge_definition(
    definitionId: uuid.UUID,
    body: DefinitionFields,
    session: Session,
    caller: Admin,
    base: EngageBase,
    state: State,
    dialect: EngageDialect,
) -> DefinitionOut | DefinitionV2:
    definition = await challenges.replace_definition(session, definitionId, body, caller, state.receipt_rules)
    return rendered(dialect, challenges.definition_out(definition, base, state.settings.zone), DefinitionV2)


@router.delete(
    "/challenges/definitions/{definitionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(ChallengeDefinitionNotFound, ChallengeDefinitionInUse),
)
async def delete_challenge_definition(
    definitionId: uuid.UUID, session: Session, caller: Admin, state: State
) -> Response:
    await challenges.delete_definition(session, definitionId, state.receipt_rules)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/challenges/definitions/{definitionId}/activate",
    response_model=DefinitionOut | DefinitionV2,
    responses=errors(ChallengeDefinitionNotFound, ChallengeDefinitionNotDraft),
)
async def activate_challenge_definition(
    definitionId: uuid.UUID,
    session: Session,
    caller: Admin,
    base: EngageBase,
    state: State,
    dialect: EngageDialect,
) -> DefinitionOut | DefinitionV2:
    activated = await challenges.activate(session, definitionId, caller, state.receipt_rules)
    return rendered(dialect, challenges.definition_out(activated, base, state.settings.zone), DefinitionV2)


@router.post(
    "/challenges/definitions/{definitionId}/end",
    response_model=DefinitionOut | DefinitionV2,
    responses=errors(ChallengeDefinitionNotFound),
)
async def end_challenge_definition(
    definitionId: uuid.UUID,
    session: Session,
    caller: Admin,
    base: EngageBase,
    state: State,
    dialect: EngageDialect,
) -> DefinitionOut | DefinitionV2:
    ended = await challenges.end(session, definitionId, caller, state.receipt_rules)
    return rendered(dialect, challenges.definition_out(ended, base, state.settings.zone), DefinitionV2)


@router.post(
    "/challenges/definitions/{definitionId}/assign",
    response_model=bool,
    responses=errors(ChallengeDefinitionNotFound, ContactNotFound, ChallengeDefinitionNotActive),
)
async def assign_challenge(
    definitionId: uuid.UUID, contactId: Annotated[uuid.UUID, Query()], session: Session, caller: Integration
) -> bool:
    return await challenges.assign(session, definitionId, contactId)


@router.post(
    "/challenges/checkpoints",
    response_model=CheckpointsResult,
    responses=errors(BadRequest, PayloadTooLarge),
)
async def award_checkpoints(
    body: Annotated[list[CheckpointRow], Body()], session: Session, caller: Integration, state: State
) -> CheckpointsResult:
    """Answered directly (`award_checkpoints_directly`) unless PATRON_DIRECT_ROUTES is off."""
    return await challenges.checkpoints(session, state.checkpoints, body)


_ROWS = TypeAdapter(list[CheckpointRow])


async def award_checkpoints_directly(scope: Scope, state: AppState) -> Answer:
    """POST /challenges/checkpoints without FastAPI (patron.api.direct): up to a thousand rows,
    where FastAPI's turning them into Python objects before validating them, and its checking
    the answer again, are a share of the call worth sparing."""
    rows = await body_as(_ROWS, scope, lambda: authorised(scope, state, INTEGRATIONS))
    result = await challenges.checkpoints(session_of(scope), state.checkpoints, rows)
    return json_answer(status.HTTP_200_OK, result.model_dump_json().encode())


@router.get(
    "/challenges",
    response_model=Paged[ChallengeOut | ChallengeV2],
    responses=errors(BadRequest, ContactNotFound),
)
async def list_challenges(
    contactId: Annotated[uuid.UUID, Query()],
    session: Session,
    caller: Integration,
    page: Page,
    url: ListUrl,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
    definitionId: Annotated[uuid.UUID | None, Query()] = None,
    filter: ChallengeFilterQuery = ChallengeFilter.ALL,
) -> dict[str, object]:
    found, total = await challenges.challenges_of(
        session, contactId, definitionId, filter, page.offset, page.count, base, settings.zone
    )
    items = rendered_all(dialect, found, ChallengeV2)
    query = {
        "contactId": str(contactId),
        "definitionId": definitionId and str(definitionId),
        "filter": filter.value,
    }
    return page_body(items, url, query, page, total)


@router.get(
    "/challenges/{challengeId}",
    response_model=ChallengeOut | ChallengeV2,
    responses=errors(ChallengeNotFound),
)
async def get_challenge(
    challengeId: uuid.UUID,
    session: Session,
    caller: Integration,
    base: EngageBase,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> ChallengeOut | ChallengeV2:
    return rendered(
        dialect, await challenges.get_challenge(session, challengeId, base, settings.zone), ChallengeV2
    )
