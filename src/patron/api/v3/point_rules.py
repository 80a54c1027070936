"""Earning rules (admin): how purchases credit points (docs/POINTS.md)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from patron.api.deps import Admin, CurrentSettings, EngageBase, ListUrl, Page, Session, State, errors
from patron.api.pages import Paged
from patron.earning import service as earning
from patron.earning.errors import PointRuleHasEarnings, PointRuleNotFound
from patron.earning.schemas import PointRuleIn, PointRuleOut
from patron.errors import BadRequest
from patron.kit.paging import page_body
from patron.points.errors import PointDefinitionNotFound

router = APIRouter(tags=["point rules"])


@router.get("/point-rules", response_model=Paged[PointRuleOut], responses=errors(BadRequest))
async def list_point_rules(
    session: Session, caller: Admin, page: Page, url: ListUrl, base: EngageBase, settings: CurrentSettings
) -> dict[str, object]:
    found, total = await earning.page(session, page.offset, page.count)
    return page_body([earning.rule_out(r, base, settings.zone) for r in found], url, {}, page, total)


@router.post(
    "/point-rules",
    status_code=status.HTTP_201_CREATED,
    response_model=PointRuleOut,
    responses=errors(BadRequest, PointDefinitionNotFound),
)
async def create_point_rule(
    body: PointRuleIn, session: Session, caller: Admin, base: EngageBase, state: State
) -> PointRuleOut:
    rule = await earning.create(session, body, state.point_rules)
    return earning.rule_out(rule, base, state.settings.zone)


@router.get(
    "/point-rules/{ruleId}", response_model=PointRuleOut, responses=errors(BadRequest, PointRuleNotFound)
)
async def get_point_rule(
    ruleId: uuid.UUID, session: Session, caller: Admin, base: EngageBase, settings: CurrentSettings
) -> PointRuleOut:
    return earning.rule_out(await earning.get(session, ruleId), base, settings.zone)


@router.put(
    "/point-rules/{ruleId}",
    response_model=PointRuleOut,
    responses=errors(BadRequest, PointRuleNotFound, PointDefinitionNotFound, PointRuleHasEarnings),
)
async def replace_point_rule(
    ruleId: uuid.UUID, body: PointRuleIn, session: Session, caller: Admin, base: EngageBase, state: State
) -> PointRuleOut:
    rule = await earning.replace(session, ruleId, body, state.point_rules)
    return earning.rule_out(rule, base, state.settings.zone)


@router.delete(
    "/point-rules/{ruleId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(BadRequest, PointRuleNotFound, PointRuleHasEarnings),
)
async def delete_point_rule(ruleId: uuid.UUID, session: Session, caller: Admin, state: State) -> Response:
    await earning.delete(session, ruleId, state.point_rules)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
