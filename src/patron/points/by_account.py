"""Point accounts as Engage v3 integrations use them: every contact holds an account in every
point definition from the start, and transactions are posted to an account by its id with the
client's own transactionId. One ledger: each accepted transaction is appended by
`service.post_transactions`, under the same balance rule as every other."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.db.locking import lock_rows
from patron.kit import clock
from patron.models import PointAccount
from patron.points import engage_repository as repository
from patron.points import repository as ledger
from patron.points import service as points
from patron.points.errors import PointTransactionNotFound
from patron.points.schemas import (
    AccountTransaction,
    AccountTransactionOutcome,
    NewPointTransaction,
    PointTransactionOut,
    TransactionFilter,
    TransactionType,
)


async def unopened_definitions(session: AsyncSession, contact_id: uuid.UUID) -> list[int]:
    """The definitions the contact holds no account row in yet (balance 0 until it does)."""
    await contacts.ensure_exists(session, contact_id)
    held = await repository.held_definition_ids(session, contact_id)
    return [d for d in await repository.definition_ids(session) if d not in held]


async def open_accounts(session: AsyncSession, contact_id: uuid.UUID, definition_ids: list[int]) -> None:
    """Give the contact's accounts in these definitions their rows (and ids); a concurrent
    opener of the same one wins quietly."""
    await ledger.ensure_accounts(
        session, [(contact_id, definition_id) for definition_id in definition_ids], clock.now()
    )


def _ledger_row(row: AccountTransaction, account: PointAccount) -> NewPointTransaction:
    sign = 1 if row.transactionType is TransactionType.ADDITION else -1
    return NewPointTransaction(
        contactId=account.contact_id,
        definitionId=account.definition_id,
        amount=sign * row.amount,
        timeStamp=row.transactionDate,
        source=row.source,
        description=row.description,
        validFrom=row.validFrom,
        validTo=row.validTo,
    )


async def post(session: AsyncSession, rows: list[AccountTransaction]) -> list[AccountTransactionOutcome]:
    """Append each row to its account once per transactionId; outcomes in the rows' order.

    The accounts are locked (in id order) before their transaction ids are read, so two
    requests carrying the same id cannot both append it."""
    accounts = await repository.accounts_by_id(session, {row.accountId for row in rows})
    await lock_rows(session, PointAccount, accounts)
    wanted = {(a.contact_id, a.id, r.transactionId) for r in rows if (a := accounts.get(r.accountId))}
    seen = await repository.taken_keys(session, wanted)
    outcomes: list[AccountTransactionOutcome] = []
    fresh: list[tuple[int, NewPointTransaction, tuple[uuid.UUID, int, str]]] = []
    for index, row in enumerate(rows):
        account = accounts.get(row.accountId)
        if account is None:
            outcomes.append(_outcome(row, "NotAccepted", f"No point account {row.accountId}."))
            continue
        key = (account.contact_id, account.id, row.transactionId)
        if key in seen:
            outcomes.append(_outcome(row, "AlreadyAdded"))
            continue
        seen.add(key)  # a second row with the same id in this request is a repeat too
        fresh.append((index, _ledger_row(row, account), key))
        outcomes.append(_outcome(row, "Added"))
    result = await points.post_transactions(session, [ledger_row for _, ledger_row, _ in fresh])
    refused = {id(r): message for r, message in zip(result.notAccepted, result.errorMessages, strict=True)}
    added: list[tuple[uuid.UUID, int, str]] = []
    for index, ledger_row, key in fresh:
        if id(ledger_row) in refused:
            # The ledger's message names the row by its place in what it was given.
            reason = refused[id(ledger_row)].split(": ", 1)[-1]
            outcomes[index] = _outcome(rows[index], "NotAccepted", reason)
        else:
            added.append(key)
    await repository.add_keys(session, added, clock.now())
    return outcomes


def _outcome(row: AccountTransaction, status: str, message: str | None = None) -> AccountTransactionOutcome:
    return AccountTransactionOutcome.model_validate(
        {"accountId": row.accountId, "transactionId": row.transactionId, "status": status, "message": message}
    )


async def transactions(
    session: AsyncSession,
    *,
    account_id: int | None,
    contact_id: uuid.UUID | None,
    which: TransactionFilter,
    offset: int,
    count: int,
    base_url: str,
    zone: ZoneInfo,
) -> tuple[list[PointTransactionOut], int]:
    """One account's ledger, or every account's of a contact, newest first."""
    if account_id is not None:
        account = await points.account(session, account_id, base_url, zone)
        return await points.transactions(
            session,
            account_id=account.id,
            contact_id=None,
            definition_id=None,
            which=which,
            offset=offset,
            count=count,
            base_url=base_url,
            zone=zone,
        )
    assert contact_id is not None
    await contacts.ensure_exists(session, contact_id)
    now: datetime = clock.now()
    rows, total = await repository.contact_transactions_page(
        session, contact_id, which.value, now, offset, count
    )
    return [points._transaction_out(tx, base_url, zone) for tx in rows], total


async def transaction(
    session: AsyncSession, transaction_id: int, base_url: str, zone: ZoneInfo
) -> PointTransactionOut:
    found = await repository.transaction(session, transaction_id)
    if found is None:
        raise PointTransactionNotFound(f"No point transaction {transaction_id}.")
    return points._transaction_out(found, base_url, zone)
