"""Custom events: stored once in the ledger, then run through every live rule listening to
their name, in the transaction that stores them.

The customer's row is locked first (with its referrer's, in key order), so concurrent events
of one customer add up exactly; the event's row is inserted under its (customer, event_id)
key, so a repeated event_id is answered as the first time and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import customers, public_ids, repository, specs
from patron.campaigns.completions import Completion, settle
from patron.campaigns.conditions import number_of
from patron.campaigns.definitions import iso
from patron.campaigns.errors import EventInFuture
from patron.campaigns.participants import Participant
from patron.campaigns.rules import CampaignPeriod, Event, Role, RuleSpec, RuleStatus, Step, take
from patron.campaigns.schemas import EventIn, EventOut
from patron.contacts.service import ContactRules
from patron.errors import BadRequest, PatronError
from patron.kit import clock
from patron.models import Campaign, CampaignCustomer, CampaignRule, CustomEvent
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.rewards.service import RewardIssuer

# An event may be this far ahead of the server's clock (clocks of shops drift); further is refused.
FUTURE_LEEWAY = timedelta(minutes=5)
SIGNUP = "signup"
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def _bad_timestamp() -> PatronError:
    return BadRequest(
        "timestamp is epoch seconds or an ISO 8601 instant.",
        details=[{"field": "timestamp", "message": "not an instant"}],
    )


def occurred_at(timestamp: float | str | None, now: datetime) -> datetime:
    """When the event happened: its timestamp (epoch seconds, as a number or numeric string,
    or ISO 8601; an instant without an offset is UTC), else now."""
    if timestamp is None:
        return now
    seconds = number_of(timestamp)
    try:
        if seconds is not None:
            at = datetime.fromtimestamp(float(seconds), UTC)
        else:
            parsed = datetime.fromisoformat(str(timestamp).strip())
            at = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
            at = at.astimezone(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise _bad_timestamp() from exc
    if not _EARLIEST <= at < _LATEST:
        raise _bad_timestamp()
    if at > now + FUTURE_LEEWAY:
        raise EventInFuture(details=[{"field": "timestamp", "message": "more than 5 minutes ahead"}])
    return at


def answer(event: CustomEvent, customer: CampaignCustomer) -> EventOut:
    return EventOut(
        event_id=event.event_key,
        event_name=event.event_name,
        source_id=customer.source_id,
        customer_id=public_ids.customer_id(customer.contact_id),
        timestamp=int(event.occurred_at.timestamp()),
        status="received",
    )


async def _locked(
    session: AsyncSession, customer: CampaignCustomer, name: str, metadata: Mapping[str, Any], at: datetime
) -> tuple[CampaignCustomer, CampaignCustomer | None]:
    """The customer and its referrer, locked together in key order. A signup carrying a
    referral code links the customer to that code's holder first (once)."""
    referrer_id = customer.referred_by
    code = metadata.get("referral_code")
    linking = referrer_id is None and name == SIGNUP and isinstance(code, str) and bool(code)
    if linking:
        holder = await repository.holder_of_code(session, str(code))
        if holder is not None and holder.contact_id != customer.contact_id:
            referrer_id = holder.contact_id
    wanted = [customer.contact_id] + ([referrer_id] if referrer_id else [])
    locked = {row.contact_id: row for row in await repository.lock_customers(session, wanted)}
    me = locked[customer.contact_id]
    if linking and me.referred_by is None and referrer_id is not None:
        await customers.link_referrer(session, me, str(code), at)
    if me.referred_by is not None and me.referred_by not in locked:
        # Linked by a concurrent signup since we looked.
        locked.update(
            {row.contact_id: row for row in await repository.lock_customers(session, [me.referred_by])}
        )
    return me, locked.get(me.referred_by) if me.referred_by else None


async def invoke(
    session: AsyncSession, body: EventIn, *, rules: ContactRules, issuer: RewardIssuer
) -> EventOut:
    now = clock.now()
    at = occurred_at(body.timestamp, now)
    metadata = dict(body.metadata or {})
    customer = await customers.resolve(session, body.source_id, rules)
    customer, referrer = await _locked(session, customer, body.event_name, metadata, at)
    key = body.event_id or uuid.uuid4().hex
    event_row = {
        "contact_id": customer.contact_id,
        "id": uuid.uuid4(),
        "event_key": key,
        "event_name": body.event_name,
        "metadata": metadata,
        "occurred_at": at,
        "received_on": now,
    }
    if not await repository.insert_event(session, event_row):
        first = await repository.event_by_key(session, customer.contact_id, key)
        assert first is not None  # the insert met it under the lock
        return answer(first, customer)
    event = Event(body.event_name, metadata, at)
    completions = await _run_rules(session, customer, referrer, event, now)
    await settle(session, issuer, completions)
    stored = CustomEvent(**event_row)
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.EVENT_RECEIVED,
                {
                    "event_id": key,
                    "event_name": body.event_name,
                    "source_id": customer.source_id,
                    "customer_id": public_ids.customer_id(customer.contact_id),
                    "metadata": metadata,
                    "timestamp": iso(at),
                },
                customer.contact_id,
                at,
            )
        ],
    )
    return answer(stored, customer)


async def _run_rules(
    session: AsyncSession,
    customer: CampaignCustomer,
    referrer: CampaignCustomer | None,
    event: Event,
    now: datetime,
) -> list[Completion]:
    listening = await repository.live_rules_listening(session, event.name)
    if not listening:
        return []
    actions = await repository.actions_of(session, [rule.id for rule, _ in listening])
    by_rule: dict[str, list[Any]] = {}
    for action in actions:
        by_rule.setdefault(action.rule_id, []).append(action)
    loyalty = [(rule, campaign) for rule, campaign in listening if campaign.type == "loyalty"]
    referral = [(rule, campaign) for rule, campaign in listening if campaign.type == "referral"]
    completions: list[Completion] = []
    if loyalty:
        completions += await _run_side(session, customer, "self", loyalty, by_rule, event, now)
    if referral and referrer is not None:
        # The referred customer's own progress, and the referrer's, counting what those it
        # referred do.
        completions += await _run_side(session, customer, "referee", referral, by_rule, event, now)
        completions += await _run_side(session, referrer, "referrer", referral, by_rule, event, now)
    return completions


async def _run_side(
    session: AsyncSession,
    customer: CampaignCustomer,
    side: str,
    listening: Sequence[tuple[CampaignRule, Campaign]],
    by_rule: Mapping[str, Sequence[Any]],
    event: Event,
    now: datetime,
) -> list[Completion]:
    participant = await Participant.load(
        session, customer.contact_id, side, [rule.id for rule, _ in listening]
    )
    completions: list[Completion] = []
    for rule, campaign in listening:
        spec = specs.spec_of(rule, by_rule.get(rule.id, []))
        period = CampaignPeriod(campaign.starts_at, campaign.ends_at)
        state, actions = participant.state_of(spec)
        step = take(spec, period, state, actions, event)
        participant.write(session, spec, step, now)
        if step.timer_started and side != "referrer":
            # The referrer's window counts what its referred customers do from now on.
            step = await _catch_up(session, participant, spec, period, customer, event, now)
        if step.completed:
            completed_at = step.rule.completed_at or event.at
            completions.append(Completion(rule, customer.contact_id, customer.source_id, side, completed_at))
    await session.flush()
    return completions


async def _catch_up(
    session: AsyncSession,
    participant: Participant,
    spec: RuleSpec,
    period: CampaignPeriod,
    customer: CampaignCustomer,
    benchmark: Event,
    now: datetime,
) -> Step:
    """A benchmark sent late (its timestamp in the past) opens a window that may already hold
    the customer's triggers: they are read from the ledger and counted, oldest first."""
    state, _ = participant.state_of(spec)
    last = Step(state)
    if state.start_time is None or state.end_time is None:
        return last
    names = {action.event_name for action in spec.of_role(Role.TRIGGER)}
    for row in await repository.events_between(
        session, [customer.contact_id], names, state.start_time, state.end_time
    ):
        if row.event_name == benchmark.name and row.occurred_at == benchmark.at:
            continue  # the benchmark itself
        state, actions = participant.state_of(spec)
        last = take(spec, period, state, actions, Event(row.event_name, dict(row.details), row.occurred_at))
        participant.write(session, spec, last, now)
        if last.rule.status is not RuleStatus.ACTIVE:
            break
    return last
