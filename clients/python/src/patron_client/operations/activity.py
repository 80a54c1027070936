"""Progress from activity: checkpoints, point transactions, challenge and streak logs, events."""

from __future__ import annotations

from patron_client.credentials import Dialect
from patron_client.models.challenges import CheckpointAward, CheckpointsResult
from patron_client.models.events import CustomerEvent, EventAnswer
from patron_client.models.points import PointTransaction, PointTransactionsResult
from patron_client.models.records import ChallengeLog, LoggedActivity, StreakLog
from patron_client.operations.answers import model_of, record_of
from patron_client.request import Call, Operation, json_body


def award_checkpoints(awards: list[CheckpointAward]) -> Operation[CheckpointsResult]:
    """At most 1000 rows; each accepted row is applied once."""
    body = json_body(list(awards))
    call = Call("POST", "/challenges/checkpoints", body=body, kind=f"{len(awards)} checkpoint awards")
    return Operation(call, model_of(CheckpointsResult))


def add_point_transactions(rows: list[PointTransaction]) -> Operation[PointTransactionsResult]:
    body = json_body(list(rows))
    call = Call("POST", "/point-accounts/transactions", body=body, kind=f"{len(rows)} point transactions")
    return Operation(call, model_of(PointTransactionsResult))


def log_challenge_activity(log: ChallengeLog) -> Operation[LoggedActivity]:
    call = Call(
        "POST",
        "/schema/challenge_log/record",
        dialect=Dialect.RECORDS,
        body=json_body(log),
        kind=f"challenge log {log.unique_identifier}",
    )
    return Operation(call, record_of(LoggedActivity))


def log_streak_activity(log: StreakLog) -> Operation[LoggedActivity]:
    call = Call(
        "POST",
        "/schema/streak_log/record",
        dialect=Dialect.RECORDS,
        body=json_body(log),
        kind=f"streak log {log.unique_identifier}",
    )
    return Operation(call, record_of(LoggedActivity))


def send_event(event: CustomerEvent) -> Operation[EventAnswer]:
    call = Call(
        "POST",
        "/events/invoke",
        dialect=Dialect.CAMPAIGNS,
        body=json_body(event),
        kind=f"event {event.event_name}",
    )
    return Operation(call, model_of(EventAnswer))
