"""The earning rules, kept per process for a few seconds.

Every stored receipt asks for them, and they change only when an admin writes one. A process
keeps them for PATRON_DEFINITION_CACHE_SECONDS and drops them when it commits a change itself,
so other processes apply a changed rule within that time.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from patron.earning import repository
from patron.earning.rules import ArticleFilter, EarningRule, Multiplier
from patron.kit import clock
from patron.models import PointRule


def earning_rule(row: PointRule) -> EarningRule:
    found = row.article_filter or {}
    multiplier = (
        None
        if row.multiplier is None
        else Multiplier(
            factor=row.multiplier,
            starts=row.multiplier_from,
            ends=row.multiplier_to,
            weekdays=frozenset(row.multiplier_weekdays or ()),
        )
    )
    return EarningRule(
        id=row.id,
        name=row.name,
        definition_id=row.definition_id,
        position=row.position,
        created_on=row.created_on,
        points_per_unit=row.points_per_unit,
        article_filter=ArticleFilter(
            article_numbers=frozenset(found.get("articleNumbers") or ()),
            groups=frozenset(found.get("groups") or ()),
            brands=frozenset(found.get("brands") or ()),
        ),
        stores=frozenset(row.store_external_ids or ()),
        multiplier=multiplier,
        minimum_receipt_total=row.minimum_receipt_total,
        pending_days=row.pending_days,
        expiry_months=row.expiry_months,
    )


class PointRules:
    """One application's kept rules (active and not), for `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._rules: tuple[tuple[EarningRule, bool], ...] | None = None
        self._loaded_at = 0.0

    async def _current(self, session: AsyncSession) -> tuple[tuple[EarningRule, bool], ...]:
        if self._rules is not None and clock.monotonic() - self._loaded_at < self.ttl:
            return self._rules
        loaded_at = clock.monotonic()
        rules = tuple((earning_rule(row), row.is_active) for row in await repository.all_rules(session))
        self._rules, self._loaded_at = rules, loaded_at
        return rules

    async def any_rule(self, session: AsyncSession) -> bool:
        """Whether any rule exists, active or not (a return takes back what an old rule paid)."""
        return bool(await self._current(session))

    async def active(self, session: AsyncSession) -> list[EarningRule]:
        return [rule for rule, is_active in await self._current(session) if is_active]

    def forget(self) -> None:
        self._rules = None

    def forget_after_commit(self, session: AsyncSession) -> None:
        """Drop the rules now and again once the session's change is committed."""
        self.forget()
        event.listen(session.sync_session, "after_commit", lambda _session: self.forget(), once=True)
