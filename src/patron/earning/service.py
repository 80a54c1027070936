"""Use cases of earning rules: create, read, change, delete (admin)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.earning import repository
from patron.earning.cache import PointRules
from patron.earning.errors import PointRuleHasEarnings, PointRuleNotFound
from patron.earning.schemas import ArticleFilterOut, MultiplierOut, PointRuleIn, PointRuleOut
from patron.kit import clock, ids
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import PointRule
from patron.points import service as points


def rule_out(rule: PointRule, base_url: str, zone: ZoneInfo) -> PointRuleOut:
    found = rule.article_filter
    return PointRuleOut(
        id=rule.id,
        name=rule.name,
        definitionId=rule.definition_id,
        pointsPerUnit=rule.points_per_unit,
        articleFilter=None
        if found is None
        else ArticleFilterOut(
            articleNumbers=found.get("articleNumbers") or [],
            groups=found.get("groups") or [],
            brands=found.get("brands") or [],
        ),
        storeExternalIds=list(rule.store_external_ids or []),
        multiplier=None
        if rule.multiplier is None
        else MultiplierOut(
            factor=rule.multiplier,
            fromDate=rule.multiplier_from,
            toDate=rule.multiplier_to,
            weekdays=list(rule.multiplier_weekdays or []),
        ),
        minimumReceiptTotal=rule.minimum_receipt_total,
        pendingDays=rule.pending_days,
        expiryMonths=rule.expiry_months,
        position=rule.position,
        isActive=rule.is_active,
        createdOn=local_iso(rule.created_on, zone),
        modifiedOn=local_iso(rule.modified_on, zone),
        links=[
            item_link(base_url, f"/point-rules/{rule.id}", rule.id, "self"),
            item_link(
                base_url,
                f"/point-accounts/definitions/{rule.definition_id}",
                rule.definition_id,
                "definition",
            ),
        ],
    )


def _write(rule: PointRule, body: PointRuleIn) -> None:
    rule.name = body.name
    rule.definition_id = body.definitionId
    rule.points_per_unit = body.pointsPerUnit
    rule.article_filter = None if body.articleFilter is None else body.articleFilter.model_dump()
    rule.store_external_ids = list(body.storeExternalIds)
    multiplier = body.multiplier
    rule.multiplier = None if multiplier is None else multiplier.factor
    rule.multiplier_from = None if multiplier is None else multiplier.fromDate
    rule.multiplier_to = None if multiplier is None else multiplier.toDate
    rule.multiplier_weekdays = [] if multiplier is None else sorted(set(multiplier.weekdays))
    rule.minimum_receipt_total = body.minimumReceiptTotal
    rule.pending_days = body.pendingDays
    rule.expiry_months = body.expiryMonths
    rule.position = body.position
    rule.is_active = body.isActive
    rule.modified_on = clock.now()


async def create(session: AsyncSession, body: PointRuleIn, cache: PointRules) -> PointRule:
    await points.get_definition(session, body.definitionId)
    now = clock.now()
    rule = PointRule(id=ids.new_id(), created_on=now)
    _write(rule, body)
    repository.add_rule(session, rule)
    await session.flush()
    cache.forget_after_commit(session)
    return rule


async def get(session: AsyncSession, rule_id: uuid.UUID) -> PointRule:
    found = await repository.rule(session, rule_id)
    if found is None:
        raise PointRuleNotFound(f"No earning rule {rule_id}.")
    return found


async def page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[PointRule], int]:
    return await repository.rules_page(session, offset, count)


async def replace(
    session: AsyncSession, rule_id: uuid.UUID, body: PointRuleIn, cache: PointRules
) -> PointRule:
    """A whole update; what lines earned before keeps the rule it earned under."""
    rule = await get(session, rule_id)
    await points.get_definition(session, body.definitionId)
    if body.definitionId != rule.definition_id and await repository.has_earnings(session, rule_id):
        raise PointRuleHasEarnings(
            "Points were earned under this rule in its definition; make a new rule for another one."
        )
    _write(rule, body)
    await session.flush()
    cache.forget_after_commit(session)
    return rule


async def delete(session: AsyncSession, rule_id: uuid.UUID, cache: PointRules) -> None:
    await get(session, rule_id)
    if await repository.has_earnings(session, rule_id):
        raise PointRuleHasEarnings()
    await repository.delete_rule(session, rule_id)
    cache.forget_after_commit(session)
