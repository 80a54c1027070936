"""Logs, progress and reward logs: integrations send logs; staff read everyone's, end users
their own; admins may correct a reward log's coupon code and dates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter, Request, Response, status
from starlette.types import Scope

from patron.api.deps import Admin, Integration, Session, app_state, authorised, errors, session_of
from patron.api.direct import Answer, Endpoint, body_as, json_answer, json_bytes
from patron.api.records.access import Language, ListParams, ReadsAs
from patron.auth.roles import INTEGRATIONS
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.kit import clock
from patron.records import logs as record_logs
from patron.records import reads, rewards
from patron.records.errors import DefinitionNotLive, DuplicateUniqueIdentifier, MemberNotFound, RecordNotFound
from patron.records.progress import progress_out
from patron.records.query import parse_list_query
from patron.records.render import log_out
from patron.records.schemas import Kind, NewLog, RewardLogChanges
from patron.state import AppState

router = APIRouter(tags=["records"])


async def _logged(kind: Kind, body: NewLog, scope: Scope, state: AppState) -> Answer:
    session, settings = session_of(scope), state.settings
    logged = await record_logs.add_log(
        session,
        kind,
        body,
        rules=ContactRules.from_settings(settings),
        zone=settings.zone,
        issuer=state.rewards,
    )
    data = log_out(logged.log)
    data["progress"] = progress_out(
        logged.progress, logged.definition, logged.milestones, [], clock.now(), None
    )
    if logged.achieved is not None:
        data["achievedMilestone"] = (
            await reads.milestone(session, logged.achieved.id, reads.Viewer(staff=True), None)
        )["data"]
        data["achievedMilestoneRewardLog"] = (
            await reads.reward_log_record(session, logged.reward) if logged.reward is not None else None
        )
    return json_answer(status.HTTP_201_CREATED, json_bytes({"data": data}))


def _activity_routes(kind: Kind, direct: dict[Callable[..., Any], Endpoint]) -> None:
    logs_path = f"/schema/{kind.value}_log/record"
    progress_path = f"/schema/{kind.value}_progress/record"

    @router.post(
        logs_path,
        name=f"create_{kind.value}_log",
        status_code=status.HTTP_201_CREATED,
        response_model=dict[str, Any],
        responses=errors(
            BadRequest, RecordNotFound, MemberNotFound, DefinitionNotLive, DuplicateUniqueIdentifier
        ),
    )
    async def create_log(body: NewLog, request: Request, caller: Integration) -> Response:
        """A log counts in the window its activityAt falls in; the answer adds the milestone it
        crossed (`achievedMilestone`) and that milestone's reward log. Answered directly
        (`create_log_directly`) unless PATRON_DIRECT_ROUTES is off."""
        answer = await _logged(kind, body, request.scope, app_state(request))
        return Response(answer.body, status_code=answer.status, media_type="application/json")

    async def create_log_directly(scope: Scope, state: AppState) -> Answer:
        """POST of a log without FastAPI (patron.api.direct): the record dialect's most frequent call."""
        body = await body_as(NewLog, scope, lambda: authorised(scope, state, INTEGRATIONS))
        return await _logged(kind, body, scope, state)

    direct[create_log] = create_log_directly

    @router.get(logs_path, name=f"list_{kind.value}_logs", responses=errors(BadRequest))
    async def list_logs(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
        return dict(await reads.logs(session, kind, parse_list_query(query, reads.LOG_FIELDS[kind]), viewer))

    @router.get(f"{logs_path}/{{recordId}}", name=f"get_{kind.value}_log", responses=errors(RecordNotFound))
    async def get_log(recordId: uuid.UUID, session: Session, viewer: ReadsAs) -> dict[str, Any]:
        return await reads.one_log(session, kind, recordId, viewer)

    @router.get(progress_path, name=f"list_{kind.value}_progress", responses=errors(BadRequest))
    async def list_progress(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
        return dict(
            await reads.progress_page(
                session, kind, parse_list_query(query, reads.PROGRESS_FIELDS[kind]), viewer
            )
        )

    @router.get(
        f"{progress_path}/{{recordId}}", name=f"get_{kind.value}_progress", responses=errors(RecordNotFound)
    )
    async def get_progress(
        recordId: uuid.UUID, session: Session, viewer: ReadsAs, language: Language
    ) -> dict[str, Any]:
        return await reads.one_progress(session, kind, recordId, viewer, language)


def _routes() -> Mapping[Callable[..., Any], Endpoint]:
    direct: dict[Callable[..., Any], Endpoint] = {}
    for kind in Kind:
        _activity_routes(kind, direct)
    return MappingProxyType(direct)


# The log-creating FastAPI endpoints, each with its direct counterpart (app.DIRECT_ENDPOINTS).
DIRECT_ENDPOINTS = _routes()

REWARD_LOGS = "/schema/reward_log/record"


@router.get(REWARD_LOGS, responses=errors(BadRequest))
async def list_reward_logs(session: Session, viewer: ReadsAs, query: ListParams) -> dict[str, Any]:
    return dict(await reads.reward_logs(session, parse_list_query(query, reads.REWARD_LOG_FIELDS), viewer))


@router.get(f"{REWARD_LOGS}/{{recordId}}", responses=errors(RecordNotFound))
async def get_reward_log(recordId: uuid.UUID, session: Session, viewer: ReadsAs) -> dict[str, Any]:
    row = await reads.one_reward_log(session, recordId, viewer)
    return {"data": await reads.reward_log_record(session, row)}


@router.patch(f"{REWARD_LOGS}/{{recordId}}", responses=errors(BadRequest, RecordNotFound))
async def update_reward_log(
    recordId: uuid.UUID, body: RewardLogChanges, session: Session, caller: Admin
) -> dict[str, Any]:
    """Only `couponCode`, `rewardIssuedAt` and `rewardExpiryAt` may change."""
    row = await rewards.correct(session, recordId, body)
    return {"data": await reads.reward_log_record(session, row)}
