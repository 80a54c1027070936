"""A segment rule compiled to one SQL condition on `contacts`: membership is always a query.

Every condition is a predicate on the contact row, a semi-join on a contact-scoped table
(receipt lines, receipts, challenges, assignments) or a correlated sum (a point balance), so the
database decides the plan and no contact is loaded into Python. The same tree compiles for
SQLite and PostgreSQL; the few places their JSON functions differ say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    not_,
    or_,
    select,
    text,
    true,
)

from patron.db.types import Money, UTCDateTime
from patron.models import (
    Article,
    Challenge,
    Contact,
    PointAccount,
    PointTransaction,
    PromotionAssignment,
    Receipt,
    ReceiptLine,
)
from patron.models.contact import LIVE
from patron.segments.grammar import (
    AllOf,
    AnyOf,
    AnyPurchase,
    AttributeIs,
    ChallengeStatus,
    ConsentIs,
    ContactTypeIs,
    CreatedOn,
    LastPurchase,
    NoneOf,
    Operand,
    PointBalance,
    PreferenceIs,
    PromotionIs,
    PurchaseFilter,
    PurchaseMeasure,
    Rule,
    StoreIs,
)

Condition = ColumnElement[bool]


def _condition(built: Any) -> Condition:
    """A comparison built on a column of loosely typed SQL (JSON paths, sums) is still one."""
    assert isinstance(built, ColumnElement)
    return built


# Challenge statuses as stored: 1 Active, 2 Completed, 3 NotCompleted.
_ACTIVE, _COMPLETED, _NOT_COMPLETED = 1, 2, 3


@dataclass
class Compiler:
    """Compiles rules for one dialect, at one instant, with local days in one zone."""

    dialect: str
    now: datetime
    zone: ZoneInfo
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def _postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _bind(self, value: object, type_: Any = None) -> Any:
        return bindparam(f"seg_{next(self._names)}", value, type_=type_)

    # Instants and days ---------------------------------------------------------------------

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone)

    def _instant(self, value: object, *, end: bool = False) -> datetime:
        """A date-time as it is; a day as its first instant, or with `end` the next day's."""
        if isinstance(value, datetime):
            return value
        assert isinstance(value, date)
        return self._start_of(value + timedelta(days=1) if end else value)

    def _compare_instant(self, column: Any, op: str, value: Operand) -> Condition:
        stamp = UTCDateTime()
        if op in ("withinDays", "notWithinDays"):
            assert isinstance(value, Decimal)
            since = self._bind(self.now - timedelta(days=int(value)), stamp)
            return _condition(column >= since if op == "withinDays" else column < since)
        if op == "between":
            assert isinstance(value, tuple)
            low, high = value
            return and_(
                column >= self._bind(self._instant(low), stamp),
                column < self._bind(self._instant(high, end=True), stamp),
            )
        at = {
            "gt": self._instant(value, end=True),
            "gte": self._instant(value),
            "lt": self._instant(value),
            "lte": self._instant(value, end=True),
        }[op]
        bound = self._bind(at, stamp)
        return _condition(column >= bound if op in ("gt", "gte") else column < bound)

    # Numbers ---------------------------------------------------------------------------------

    def _compare_number(self, column: Any, op: str, value: Operand, type_: Any = None) -> Condition:
        if op == "between":
            assert isinstance(value, tuple)
            return and_(column >= self._bind(value[0], type_), column <= self._bind(value[1], type_))
        bound = self._bind(value, type_)
        compared = {
            "eq": column == bound,
            "neq": column != bound,
            "gt": column > bound,
            "gte": column >= bound,
            "lt": column < bound,
            "lte": column <= bound,
        }
        return _condition(compared[op])

    @staticmethod
    def _zero_matches(op: str, value: Operand) -> bool:
        """Whether a contact with nothing (0) meets the comparison: then no row must match too."""
        zero = Decimal(0)
        if op == "between":
            assert isinstance(value, tuple)
            return Decimal(str(value[0])) <= zero <= Decimal(str(value[1]))
        number = Decimal(str(value))
        return {
            "eq": zero == number,
            "neq": zero != number,
            "gt": zero > number,
            "gte": zero >= number,
            "lt": zero < number,
            "lte": zero <= number,
        }[op]

    # Attributes (JSON) -------------------------------------------------------------------------

    def _json_kind(self, column: Any, key: str) -> Any:
        """The JSON type of a key: PostgreSQL says string/number/boolean, SQLite text/integer/real/true/false."""
        if self._postgres:
            return func.jsonb_typeof(column[key])
        return func.json_type(column, f'$."{key}"')

    def _is_text(self, column: Any, key: str) -> Condition:
        return _condition(self._json_kind(column, key) == ("string" if self._postgres else "text"))

    def _is_number(self, column: Any, key: str) -> Condition:
        kind = self._json_kind(column, key)
        return _condition(kind == "number" if self._postgres else kind.in_(("integer", "real")))

    def _is_flag(self, column: Any, key: str, flag: bool) -> Condition:
        if self._postgres:
            return and_(
                self._json_kind(column, key) == "boolean",
                column[key].as_string() == ("true" if flag else "false"),
            )
        return _condition(self._json_kind(column, key) == ("true" if flag else "false"))

    def _number_of(self, column: Any, key: str) -> Any:
        # Only a JSON number is read as one: casting a text would fail on PostgreSQL.
        return case((self._is_number(column, key), column[key].as_numeric(28, 4)), else_=None)

    def _attribute(self, condition: AttributeIs) -> Condition:
        column, key, op, value = Contact.attributes, condition.name, condition.op, condition.value
        read = column[key].as_string()
        if op == "exists":
            return _condition(read.is_not(None))
        if op == "notExists":
            return _condition(read.is_(None))
        if op == "in":
            assert isinstance(value, tuple)
            return or_(*[self._attribute(AttributeIs(key, "eq", item)) for item in value])
        if op == "neq":
            return not_(self._attribute(AttributeIs(key, "eq", value)))
        if op == "contains":
            return and_(
                self._is_text(column, key), func.lower(read).contains(str(value).lower(), autoescape=True)
            )
        sample = value[0] if isinstance(value, tuple) else value
        if isinstance(sample, bool):
            return self._is_flag(column, key, bool(sample)) if op == "eq" else false()
        if isinstance(sample, Decimal):
            return self._compare_number(self._number_of(column, key), op, value)
        return and_(self._is_text(column, key), self._compare_number(read, op, value))

    def _preference(self, condition: PreferenceIs) -> Condition:
        column, key = Contact.preferences, condition.preference
        if condition.op == "exists":
            return _condition(column[key].as_string().is_not(None))
        if condition.op == "notExists":
            return _condition(column[key].as_string().is_(None))
        assert condition.value is not None
        return self._is_flag(column, key, condition.value)

    def _consent(self, condition: ConsentIs) -> Condition:
        consent = self._bind(condition.consent)
        flag = self._bind(condition.value if condition.value is not None else True)
        if self._postgres:
            element = "FROM jsonb_array_elements(contacts.consents) AS c WHERE c->>'id' = :{0}"
            checked = " AND (c->'value') = to_jsonb(CAST(:{1} AS boolean))"
        else:
            element = "FROM json_each(contacts.consents) AS c WHERE json_extract(c.value, '$.id') = :{0}"
            checked = " AND json_extract(c.value, '$.value') = :{1}"
        negated = "NOT " if condition.op == "notExists" else ""
        sql = negated + "EXISTS (SELECT 1 " + element + (checked if condition.op == "eq" else "") + ")"
        found = text(sql.format(consent.key, flag.key)).bindparams(
            consent, *([flag] if condition.op == "eq" else [])
        )
        # Within and_ the hand-written clause is a condition like any other (it can be negated).
        return and_(true(), found)

    # Purchases -------------------------------------------------------------------------------

    def _lines(self, where: PurchaseFilter, types: tuple[str, ...]) -> Select[Any]:
        """The contact ids of matching receipt lines (one per line), to semi-join or group."""
        line, receipt = ReceiptLine, Receipt
        stmt = select(line.contact_id).select_from(line).where(line.type.in_(types))
        dated = where.within_days is not None or where.from_date or where.to_date or where.stores
        if dated:
            stmt = stmt.join(receipt, receipt.id == line.receipt_id)
            stamp = UTCDateTime()
            if where.within_days is not None:
                stmt = stmt.where(
                    receipt.created_date >= self._bind(self.now - timedelta(days=where.within_days), stamp)
                )
            if where.from_date:
                stmt = stmt.where(receipt.created_date >= self._bind(self._start_of(where.from_date), stamp))
            if where.to_date:
                stmt = stmt.where(
                    receipt.created_date < self._bind(self._instant(where.to_date, end=True), stamp)
                )
            if where.stores:
                stmt = stmt.where(receipt.store_external_id.in_(where.stores))
        if where.article_numbers:
            stmt = stmt.where(
                or_(line.article_number.in_(where.article_numbers), line.sku.in_(where.article_numbers))
            )
        # The register knows an article's group and brand best; the till's group counts for an
        # article the register gives none. Both are asked by article number or by the line's
        # group, so an index on each (ix_receipt_lines_article_number, _article_group) finds the
        # few matching lines instead of every line being joined to the register.
        if where.groups:
            registered = select(Article.article_number).where(Article.article_group.in_(where.groups))
            grouped = select(Article.article_number).where(Article.article_group.is_not(None))
            stmt = stmt.where(
                or_(
                    line.article_number.in_(registered),
                    and_(line.article_group.in_(where.groups), line.article_number.not_in(grouped)),
                )
            )
        if where.brands:
            stmt = stmt.where(
                line.article_number.in_(select(Article.article_number).where(Article.brand.in_(where.brands)))
            )
        return stmt

    def _any_purchase(self, condition: AnyPurchase) -> Condition:
        bought = Contact.id.in_(self._lines(condition.where, ("PURCHASE",)))
        return bought if condition.exists else not_(bought)

    def _measure(self, condition: PurchaseMeasure) -> Condition:
        line = ReceiptLine
        if condition.measure == "count":
            lines = self._lines(condition.where, ("PURCHASE",))
            measured: Any = func.count(func.distinct(line.receipt_id))
            type_ = None
        else:
            lines = self._lines(condition.where, ("PURCHASE", "RETURN"))
            column = line.gross_paid_price if condition.measure == "amount" else line.quantity
            measured, type_ = func.sum(column), Money()
        grouped = lines.group_by(line.contact_id).having(
            self._compare_number(measured, condition.op, condition.value, type_)
        )
        met = Contact.id.in_(grouped)
        if self._zero_matches(condition.op, condition.value):
            return or_(met, Contact.id.not_in(lines))
        return met

    def _last_purchase(self, condition: LastPurchase) -> Condition:
        receipt, stamp = Receipt, UTCDateTime()
        last = func.max(receipt.created_date)
        if condition.op == "withinDays":
            return Contact.id.in_(
                select(receipt.contact_id).where(
                    self._compare_instant(receipt.created_date, "withinDays", condition.value)
                )
            )
        if condition.op == "notWithinDays":
            assert isinstance(condition.value, Decimal)
            since = self._bind(self.now - timedelta(days=int(condition.value)), stamp)
            return Contact.id.in_(
                select(receipt.contact_id).group_by(receipt.contact_id).having(last < since)
            )
        if condition.op == "before":
            bound = self._bind(self._instant(condition.value), stamp)
            return Contact.id.in_(
                select(receipt.contact_id).group_by(receipt.contact_id).having(last < bound)
            )
        value = condition.value
        after = self._bind(value if isinstance(value, datetime) else self._instant(value, end=True), stamp)
        return Contact.id.in_(
            select(receipt.contact_id).where(
                receipt.created_date > after if isinstance(value, datetime) else receipt.created_date >= after
            )
        )

    # Points, challenges, offers ----------------------------------------------------------------

    def _balance(self, condition: PointBalance) -> Condition:
        tx, stamp = PointTransaction, UTCDateTime()
        now = self._bind(self.now, stamp)
        summed = (
            select(func.coalesce(func.sum(tx.amount), 0))
            .select_from(tx)
            .join(PointAccount, PointAccount.id == tx.account_id)
            .where(
                PointAccount.contact_id == Contact.id,
                PointAccount.definition_id == self._bind(condition.definition_id),
                tx.valid_from <= now,
                or_(tx.valid_to.is_(None), tx.valid_to > now),
            )
            .scalar_subquery()
        )
        return self._compare_number(summed, condition.op, condition.value, Money())

    def _challenge(self, condition: ChallengeStatus) -> Condition:
        row, stamp = Challenge, UTCDateTime()
        now = self._bind(self.now, stamp)
        mine = and_(row.contact_id == Contact.id, row.definition_id == self._bind(condition.definition_id))
        by_status = {
            "Completed": row.status == _COMPLETED,
            "Active": and_(
                row.is_current, row.status == _ACTIVE, or_(row.ends_on.is_(None), row.ends_on > now)
            ),
            "NotCompleted": and_(
                row.is_current,
                or_(row.status == _NOT_COMPLETED, and_(row.status == _ACTIVE, row.ends_on <= now)),
            ),
        }
        found = select(row.id).where(mine, or_(*[by_status[s] for s in condition.statuses])).exists()
        return not_(found) if condition.negated else found

    def _promotion(self, condition: PromotionIs) -> Condition:
        held, stamp = PromotionAssignment, UTCDateTime()
        mine = and_(held.contact_id == Contact.id, held.promotion_id == self._bind(condition.promotion_id))
        if condition.op == "held":
            now = self._bind(self.now, stamp)
            return (
                select(held.id)
                .where(
                    mine, held.redeemed_on.is_(None), or_(held.expires_on.is_(None), held.expires_on > now)
                )
                .exists()
            )
        if condition.op == "redeemed":
            return select(held.id).where(mine, held.redeemed_on.is_not(None)).exists()
        assigned = select(held.id).where(mine).exists()
        return assigned if condition.op == "assigned" else not_(assigned)

    # The tree ------------------------------------------------------------------------------------

    def condition(self, rule: Rule) -> Condition:
        match rule:
            case AllOf(parts):
                return and_(true(), *[self.condition(part) for part in parts])
            case AnyOf(parts):
                return or_(false(), *[self.condition(part) for part in parts])
            case NoneOf(part):
                return not_(self.condition(part))
            case AttributeIs():
                return self._attribute(rule)
            case ContactTypeIs(op, value):
                return self._choice(Contact.contact_type, op, value)
            case StoreIs(op, value):
                if op == "exists":
                    return Contact.store_external_id.is_not(None)
                if op == "notExists":
                    return Contact.store_external_id.is_(None)
                return self._choice(Contact.store_external_id, op, value)
            case CreatedOn(op, value):
                return self._compare_instant(Contact.created_on, op, value)
            case ConsentIs():
                return self._consent(rule)
            case PreferenceIs():
                return self._preference(rule)
            case PurchaseMeasure():
                return self._measure(rule)
            case AnyPurchase():
                return self._any_purchase(rule)
            case LastPurchase():
                return self._last_purchase(rule)
            case PointBalance():
                return self._balance(rule)
            case ChallengeStatus():
                return self._challenge(rule)
            case PromotionIs():
                return self._promotion(rule)
        raise AssertionError(f"no SQL for {rule!r}")

    @staticmethod
    def _choice(column: Any, op: str, value: Operand) -> Condition:
        if op == "in":
            assert isinstance(value, tuple)
            return _condition(column.in_(value))
        if op == "neq":
            return or_(column.is_(None), column != value)
        return _condition(column == value)

    def members(self, rule: Rule) -> Select[Any]:
        """The ids of the live contacts the rule holds for."""
        return select(Contact.id).where(LIVE, self.condition(rule))
