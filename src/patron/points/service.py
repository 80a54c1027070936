"""Use cases of point accounts: definitions, accounts with balances, the transaction ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.db.locking import lock_rows
from patron.kit import clock
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import PointAccount, PointDefinition, PointTransaction
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ROOT, EVENT_ZONE, EventType, NewEvent, rendered
from patron.points import repository
from patron.points.errors import PointAccountNotFound, PointDefinitionAlreadyExists, PointDefinitionNotFound
from patron.points.schemas import (
    NewPointDefinition,
    NewPointTransaction,
    PointAccountOut,
    PointDefinitionOut,
    PointTransactionOut,
    PointTransactionsResult,
    TransactionFilter,
)

# Used for points rewards when the deployment names no default definition.
DEFAULT_DEFINITION_NAME = "Points"
MAX_ROWS = 1000


def definition_out(definition: PointDefinition, base_url: str) -> PointDefinitionOut:
    return PointDefinitionOut(
        id=definition.id,
        name=definition.name,
        description=definition.description,
        allowNegativeBalance=definition.allow_negative_balance,
        links=[item_link(base_url, f"/point-accounts/definitions/{definition.id}", definition.id, "self")],
    )


async def create_definition(session: AsyncSession, fields: NewPointDefinition) -> PointDefinition:
    if await repository.definition_by_name(session, fields.name) is not None:
        raise PointDefinitionAlreadyExists(details={"name": fields.name})
    now = clock.now()
    await repository.insert_definition_if_absent(
        session,
        {
            "name": fields.name,
            "description": fields.description,
            "allow_negative_balance": fields.allowNegativeBalance,
            "created_on": now,
            "modified_on": now,
        },
    )
    created = await repository.definition_by_name(session, fields.name)
    if created is None or created.created_on != now:
        raise PointDefinitionAlreadyExists(details={"name": fields.name})
    return created


async def get_definition(session: AsyncSession, definition_id: int) -> PointDefinition:
    found = await repository.definition(session, definition_id)
    if found is None:
        raise PointDefinitionNotFound(f"No point definition {definition_id}.")
    return found


async def definitions_page(
    session: AsyncSession, offset: int, count: int
) -> tuple[Sequence[PointDefinition], int]:
    return await repository.definitions_page(session, offset, count)


async def default_definition_id(session: AsyncSession, configured: int | None) -> int:
    """The definition points rewards credit: the configured one, else "Points" (created on first use)."""
    if configured is not None:
        return (await get_definition(session, configured)).id
    now = clock.now()
    await repository.insert_definition_if_absent(
        session,
        {
            "name": DEFAULT_DEFINITION_NAME,
            "description": "Points earned as rewards",
            "created_on": now,
            "modified_on": now,
        },
    )
    found = await repository.definition_by_name(session, DEFAULT_DEFINITION_NAME)
    assert found is not None
    return found.id


def _account_out(
    account: PointAccount, held: tuple[Decimal, Decimal, datetime | None], base_url: str, zone: ZoneInfo
) -> PointAccountOut:
    balance, pending, expires = held
    return PointAccountOut(
        id=account.id,
        contactId=account.contact_id,
        definitionId=account.definition_id,
        balance=balance,
        pendingPoints=pending,
        balanceExpires=local_iso(expires, zone),
        links=[
            item_link(base_url, f"/point-accounts/{account.id}", account.id, "self"),
            item_link(
                base_url,
                f"/point-accounts/definitions/{account.definition_id}",
                account.definition_id,
                "definition",
            ),
        ],
    )


async def accounts_of(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int, base_url: str, zone: ZoneInfo
) -> tuple[list[PointAccountOut], int]:
    await contacts.ensure_exists(session, contact_id)
    found, total = await repository.accounts_page(session, contact_id, offset, count)
    held = await repository.balances(session, [a.id for a in found], clock.now())
    return [_account_out(a, held[a.id], base_url, zone) for a in found], total


async def account(session: AsyncSession, account_id: int, base_url: str, zone: ZoneInfo) -> PointAccountOut:
    found = await repository.account(session, account_id)
    if found is None:
        raise PointAccountNotFound(f"No point account {account_id}.")
    held = await repository.balances(session, [found.id], clock.now())
    return _account_out(found, held[found.id], base_url, zone)


def _transaction_out(tx: PointTransaction, base_url: str, zone: ZoneInfo) -> PointTransactionOut:
    return PointTransactionOut(
        id=tx.id,
        accountId=tx.account_id,
        amount=tx.amount,
        type=tx.type,
        source=tx.source,
        description=tx.description,
        transactionDate=local_iso(tx.transaction_date, zone),
        validFrom=local_iso(tx.valid_from, zone),
        validTo=local_iso(tx.valid_to, zone),
        createdOn=local_iso(tx.created_on, zone),
        modifiedOn=local_iso(tx.modified_on, zone),
        retailTransactionLineItemId=tx.retail_transaction_line_item_id,
        links=[
            item_link(base_url, f"/point-accounts/transactions/{tx.id}", tx.id, "self"),
            item_link(base_url, f"/point-accounts/{tx.account_id}", tx.account_id, "account"),
        ],
    )


async def transactions(
    session: AsyncSession,
    *,
    account_id: int | None,
    contact_id: uuid.UUID | None,
    definition_id: int | None,
    which: TransactionFilter,
    offset: int,
    count: int,
    base_url: str,
    zone: ZoneInfo,
) -> tuple[list[PointTransactionOut], int]:
    if account_id is not None:
        found = await repository.account(session, account_id)
    else:
        assert contact_id is not None and definition_id is not None
        await contacts.ensure_exists(session, contact_id)
        await get_definition(session, definition_id)
        found = await repository.account_of(session, contact_id, definition_id)
        if found is None:
            return [], 0
    if found is None:
        raise PointAccountNotFound(f"No point account {account_id}.")
    rows, total = await repository.transactions_page(
        session, found.id, which.value, clock.now(), offset, count
    )
    return [_transaction_out(tx, base_url, zone) for tx in rows], total


async def _added(session: AsyncSession, rows: list[dict[str, object]]) -> list[int]:
    """Append the ledger rows, each told as a points.transaction_added event (one statement
    for all of them); their ids, in order."""
    added = sorted(await repository.add_transactions(session, rows))  # ids follow the rows' order
    told = [PointTransaction(id=tx_id, **row) for tx_id, row in zip(added, rows, strict=True)]
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.POINTS_TRANSACTION_ADDED,
                rendered(_transaction_out(tx, EVENT_ROOT, EVENT_ZONE)),
                tx.contact_id,
                tx.created_on,
            )
            for tx in told
        ],
    )
    return added


async def emit_expired(session: AsyncSession, now: datetime, limit: int = 1000) -> int:
    """Tell each point transaction whose validTo has passed as a points.expired event, exactly
    once: the conditional update that claims it notes the telling in the event's transaction,
    so two workers never tell one twice. Up to `limit` per call; how many were told."""
    expired = await repository.claim_expired(session, now, limit)
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.POINTS_EXPIRED,
                rendered(_transaction_out(tx, EVENT_ROOT, EVENT_ZONE)),
                tx.contact_id,
                tx.valid_to,
            )
            for tx in expired
        ],
    )
    return len(expired)


@dataclass(frozen=True)
class LedgerEntry:
    """One row for an account's ledger, as a use case outside this module writes it."""

    contact_id: uuid.UUID
    definition_id: int
    amount: Decimal
    transaction_date: datetime
    valid_from: datetime
    valid_to: datetime | None
    source: str | None
    description: str | None
    line_item_id: str | None = None


def _row(entry: LedgerEntry, account_id: int, now: datetime) -> dict[str, object]:
    return {
        "account_id": account_id,
        "contact_id": entry.contact_id,
        "amount": entry.amount,
        "type": "Credit" if entry.amount >= 0 else "Debit",
        "source": entry.source,
        "description": entry.description,
        "transaction_date": entry.transaction_date,
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
        "retail_transaction_line_item_id": entry.line_item_id,
        "created_on": now,
        "modified_on": now,
    }


async def _lock_accounts(
    session: AsyncSession, pairs: list[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], int]:
    now = clock.now()
    await repository.ensure_accounts(session, pairs, now)
    ids = await repository.account_ids(session, pairs)
    await lock_rows(session, PointAccount, ids.values())
    return ids


async def lock_accounts(
    session: AsyncSession, pairs: list[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], int]:
    """The accounts of (contact, definition) pairs, made where missing and locked in id order:
    a balance read after this cannot be spent by a concurrent writer."""
    return await _lock_accounts(session, pairs)


async def active_balances(session: AsyncSession, account_ids: list[int]) -> dict[int, Decimal]:
    """Each account's active balance now (read it after `lock_accounts`)."""
    held = await repository.balances(session, account_ids, clock.now())
    return {account_id: balance for account_id, (balance, _, _) in held.items()}


async def append_entries(
    session: AsyncSession, entries: list[LedgerEntry], account_ids: dict[tuple[uuid.UUID, int], int]
) -> list[int]:
    """Append entries to accounts locked by `lock_accounts`, each told as a
    points.transaction_added event; their transaction ids, in order."""
    now = clock.now()
    rows = [_row(entry, account_ids[(entry.contact_id, entry.definition_id)], now) for entry in entries]
    return await _added(session, rows)


async def post_transactions(
    session: AsyncSession, rows: list[NewPointTransaction]
) -> PointTransactionsResult:
    """Append each acceptable row; a row that would take an active balance below zero is refused.

    Accounts are locked (in id order) before their balances are read, so concurrent debits
    cannot both spend the same points.
    """
    now = clock.now()
    known_contacts = await contacts.existing_ids(session, {r.contactId for r in rows})
    known_definitions = await repository.existing_definition_ids(session, {r.definitionId for r in rows})
    not_accepted: list[NewPointTransaction] = []
    messages: list[str] = []
    candidates: list[tuple[int, NewPointTransaction]] = []
    for index, row in enumerate(rows):
        problem = None
        if row.contactId not in known_contacts:
            problem = f"Row {index}: contact {row.contactId} does not exist."
        elif row.definitionId not in known_definitions:
            problem = f"Row {index}: point definition {row.definitionId} does not exist."
        elif row.amount == 0:
            problem = f"Row {index}: the amount must not be zero."
        elif row.validTo is not None and row.validTo <= (row.validFrom or now):
            problem = f"Row {index}: validTo must be after validFrom."
        if problem:
            not_accepted.append(row)
            messages.append(problem)
        else:
            candidates.append((index, row))
    ids = await _lock_accounts(session, [(r.contactId, r.definitionId) for _, r in candidates])
    # Read after the locks: a debit committed while this request waited for them is dated at
    # its own instant, and a balance taken at an earlier one would not count it (and spend
    # the same points again).
    now = max(now, clock.now())
    running = {k: v[0] for k, v in (await repository.balances(session, list(ids.values()), now)).items()}
    inserts: list[dict[str, object]] = []
    for index, row in candidates:
        account_id = ids[(row.contactId, row.definitionId)]
        valid_from = row.validFrom or now
        active = valid_from <= now and (row.validTo is None or row.validTo > now)
        if row.amount < 0 and (not active or running[account_id] + row.amount < 0):
            not_accepted.append(row)
            messages.append(
                f"Row {index}: the balance of account {account_id} ({running[account_id]}) "
                f"does not cover {row.amount}; a balance cannot go below zero."
            )
            continue
        if active:
            running[account_id] += row.amount
        entry = LedgerEntry(
            contact_id=row.contactId,
            definition_id=row.definitionId,
            amount=row.amount,
            transaction_date=row.timeStamp or now,
            valid_from=valid_from,
            valid_to=row.validTo,
            source=row.source,
            description=row.description,
            line_item_id=row.retailTransactionLineItemId,
        )
        inserts.append(_row(entry, account_id, now))
    await _added(session, inserts)
    return PointTransactionsResult(
        notAccepted=not_accepted,
        errorMessages=messages,
        missingDefinitionIds=sorted({r.definitionId for r in rows} - known_definitions),
        missingContactIds=sorted({r.contactId for r in rows} - known_contacts, key=str),
    )


async def credit(
    session: AsyncSession,
    contact_id: uuid.UUID,
    definition_id: int,
    amount: Decimal,
    source: str,
    description: str,
) -> int:
    """Credit points now (a reward); returns the transaction id."""
    now = clock.now()
    ids = await _lock_accounts(session, [(contact_id, definition_id)])
    entry = LedgerEntry(contact_id, definition_id, amount, now, now, None, source, description)
    return (await _added(session, [_row(entry, ids[(contact_id, definition_id)], now)]))[0]


async def sums_by_source_prefix(session: AsyncSession, prefix: str) -> dict[tuple[uuid.UUID, int], Decimal]:
    """Per (contact, definition), what every transaction from sources starting with `prefix` adds up to."""
    return await repository.sums_by_source_prefix(session, prefix)


async def balance_mismatches(session: AsyncSession) -> list[str]:
    """Accounts whose reported balance differs from the plain sum of their active transactions."""
    now = clock.now()
    account_ids = await repository.all_account_ids(session)
    reported = await repository.balances(session, account_ids, now)
    summed = await repository.ledger_sums(session, now)
    may_go_negative = await repository.accounts_allowing_negative(session)
    problems = []
    for account_id in account_ids:
        expected = summed.get(account_id, Decimal(0))
        if reported[account_id][0] != expected:
            problems.append(
                f"point account {account_id}: balance {reported[account_id][0]} != ledger {expected}"
            )
        if expected < 0 and account_id not in may_go_negative:
            problems.append(f"point account {account_id}: active balance {expected} is below zero")
    return problems
