"""What every log goes through before it counts: its definition (live), its member (a contact
id or externalId), its instant (not more than 5 minutes ahead), its amount and the time zone
it is counted in (`prepare`); then its row in the ledger, once per `uniqueIdentifier`
(`store_log`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.schemas import LookupKeys
from patron.contacts.service import ContactRules
from patron.db.locking import ensure_write_lock
from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.kit.zones import zone_named
from patron.models import Contact, Milestone, RecordDefinition, RecordLog, RecordProgress, Reward
from patron.progress import engine
from patron.progress.windows import WindowKind, WindowSpec
from patron.records import definitions, repository
from patron.records.errors import DefinitionNotLive, DuplicateUniqueIdentifier, MemberNotFound
from patron.records.schemas import Kind, Method, NewLog, Status

# A log may be this far ahead of the server's clock (clocks of tills drift); further is refused.
FUTURE_LEEWAY = timedelta(minutes=5)
WINDOW_OF = MappingProxyType(
    {"daily": WindowKind.DAY, "weekly": WindowKind.WEEK, "monthly": WindowKind.MONTH}
)


def window_kind(definition: RecordDefinition) -> WindowKind:
    return WINDOW_OF[definition.aggregation_period]


@dataclass(frozen=True)
class Logged:
    log: RecordLog
    progress: RecordProgress
    definition: RecordDefinition
    milestones: list[Milestone]
    # The highest milestone this log crossed, and its reward log (None when it crossed none).
    achieved: Milestone | None
    reward: Reward | None


async def member_of(session: AsyncSession, owned_by: str, rules: ContactRules) -> Contact:
    """`ownedById` is a contact id or the member's externalId: the member's contact, read once."""
    try:
        contact_id = uuid.UUID(owned_by)
    except ValueError:
        contact_id = None
    try:
        if contact_id is None:
            contact_id = await contacts.lookup_id(session, LookupKeys(externalId=owned_by), rules)
        return await contacts.get(session, contact_id)
    except ContactNotFound as exc:
        raise MemberNotFound(f"No member {owned_by!r} (a contact id or externalId).") from exc


def zone_of(definition: RecordDefinition, member_zone: object, deployment: ZoneInfo) -> ZoneInfo:
    """The definition's zone; with "member", the member's own timeZone attribute (else the
    deployment's zone); with none, the deployment's."""
    name = definition.timezone
    if name == definitions.MEMBER_ZONE:
        name = member_zone if isinstance(member_zone, str) else None
    # A contact's timeZone is checked when written; one stored before that may name no zone.
    return (zone_named(name) if name else None) or deployment


def plan_of(definition: RecordDefinition, zone: ZoneInfo, milestones: list[Milestone]) -> engine.Plan:
    return engine.Plan(
        goal=engine.Goal(definition.completion_target, engine.Aggregation(definition.aggregation_method)),
        window=WindowSpec(kind=WINDOW_OF[definition.aggregation_period], zone=str(zone)),
        thresholds=tuple(m.target for m in milestones if m.status == Status.LIVE),
    )


def amount_of(definition: RecordDefinition, body: NewLog) -> Decimal:
    if definition.aggregation_method == Method.COUNT:
        return Decimal(1)  # every log counts one, whatever its value
    if body.activityValue is None:
        raise BadRequest(
            "activityValue is required: this challenge sums the values of its logs.",
            details=[{"field": "activityValue", "message": "required when the challenge sums"}],
        )
    if body.activityValue <= 0:
        raise BadRequest(
            "activityValue must be more than 0.",
            details=[{"field": "activityValue", "message": "not positive"}],
        )
    return body.activityValue


def activity_at(body: NewLog, now: datetime) -> datetime:
    at = body.activityAt or now
    if at > now + FUTURE_LEEWAY:
        raise BadRequest(
            "activityAt is more than 5 minutes in the future.",
            details=[{"field": "activityAt", "message": "in the future"}],
        )
    return at


@dataclass(frozen=True)
class Prepared:
    """A log checked and placed: everything counting it needs, read before anything is written."""

    body: NewLog
    definition: RecordDefinition
    contact_id: uuid.UUID
    at: datetime  # when the activity happened (the server's clock when not given)
    now: datetime
    amount: Decimal  # what it adds: its value, or 1 when the definition counts
    zone: ZoneInfo  # the zone its window or period is counted in
    milestones: list[Milestone]


def _definition_id(kind: Kind, body: NewLog) -> uuid.UUID:
    field = "challengeId" if kind is Kind.CHALLENGE else "streakId"
    value = body.challengeId if kind is Kind.CHALLENGE else body.streakId
    if value is None:
        raise BadRequest(f"{field} is required.", details=[{"field": field, "message": "required"}])
    return value


async def prepare(
    session: AsyncSession,
    kind: Kind,
    body: NewLog,
    *,
    rules: ContactRules,
    deployment_zone: ZoneInfo,
    now: datetime,
) -> Prepared:
    definition = await definitions.get(session, kind, _definition_id(kind, body))
    if definition.status != Status.LIVE:
        raise DefinitionNotLive(f"This {kind.value} is {definition.status}; only a live one takes logs.")
    at = activity_at(body, now)
    amount = amount_of(definition, body)
    member = await member_of(session, body.ownedById, rules)
    milestones = list(await definitions.milestones_of(session, [definition.id]))
    local = zone_of(definition, member.attributes.get("timeZone"), deployment_zone)
    return Prepared(body, definition, member.id, at, now, amount, local, milestones)


async def store_log(session: AsyncSession, log: Prepared, period_key: str) -> RecordLog:
    """The log's row in the ledger; a repeated `uniqueIdentifier` of the member for the
    definition is refused and changes nothing. Called holding the lock of the progress row it
    counts in, so `created_on`, read now, orders the member's logs as they were counted: the
    order `patron progress rebuild` replays them in."""
    await ensure_write_lock(session)
    body = log.body
    row = {
        "contact_id": log.contact_id,
        "id": ids.new_id(),
        "definition_id": log.definition.id,
        "kind": log.definition.kind,
        "activity_at": log.at,
        "activity_id": body.activityId,
        "unique_identifier": body.uniqueIdentifier,
        "activity_value": body.activityValue,
        "period_key": period_key,
        "created_on": clock.now(),
    }
    if not await repository.insert_log(session, row):
        raise DuplicateUniqueIdentifier(
            f"A log with uniqueIdentifier {body.uniqueIdentifier!r} exists for this member and "
            f"{log.definition.kind}; nothing changed."
        )
    # As stored: the answer renders it without reading it back.
    return RecordLog(**row)
