"""Wallets: a customer's point accounts in the campaigns dialect's words, over the same
accounts and ledger as `/api/v3/point-accounts`, so balances agree everywhere. A debit that
would take a balance below zero is refused by the points module, after it locks the account."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import public_ids
from patron.campaigns.errors import InsufficientBalance, WalletNotFound
from patron.campaigns.schemas import (
    Wallet,
    WalletList,
    WalletTransaction,
    WalletTransactionIn,
    WalletTransactionList,
    plain_number,
)
from patron.models import CampaignCustomer
from patron.points import service as points
from patron.points.errors import PointAccountNotFound
from patron.points.schemas import NewPointTransaction, PointAccountOut, PointTransactionOut, TransactionFilter

MAX_WALLETS = 1000
# The ledger's links are not part of this dialect; they are built against no address.
_NO_BASE = ""
_UTC = ZoneInfo("UTC")


async def _wallet(session: AsyncSession, account: PointAccountOut) -> Wallet:
    definition = await points.get_definition(session, account.definitionId)
    return Wallet(
        wallet_id=public_ids.wallet_id(account.id),
        wallet_name=definition.name,
        currency="points",
        singular_unit_name="point",
        plural_unit_name="points",
        balance=plain_number(Decimal(account.balance)),
    )


async def wallets(session: AsyncSession, customer: CampaignCustomer) -> WalletList:
    accounts, _ = await points.accounts_of(session, customer.contact_id, 0, MAX_WALLETS, _NO_BASE, _UTC)
    return WalletList(
        source_id=customer.source_id, wallets=[await _wallet(session, account) for account in accounts]
    )


async def _account(session: AsyncSession, customer: CampaignCustomer, wallet_id: str) -> PointAccountOut:
    """The customer's own account behind `wallet_id`; anyone else's is as unknown as none."""
    account_id = public_ids.account_of_wallet(wallet_id)
    missing = WalletNotFound(
        details=f"Cannot find wallet with id {wallet_id} for source id {customer.source_id}"
    )
    if account_id is None:
        raise missing
    try:
        account = await points.account(session, account_id, _NO_BASE, _UTC)
    except PointAccountNotFound as exc:
        raise missing from exc
    if account.contactId != customer.contact_id:
        raise missing
    return account


def _transaction_out(wallet_id: str, tx: PointTransactionOut) -> WalletTransaction:
    amount = Decimal(tx.amount)
    return WalletTransaction(
        transaction_id=public_ids.transaction_id(tx.id),
        wallet_id=wallet_id,
        type="credit" if amount >= 0 else "debit",
        points=plain_number(abs(amount)),
        description=tx.description,
        source=tx.source,
        created_at=tx.createdOn.replace("+00:00", "Z") if tx.createdOn else None,
    )


async def transactions(
    session: AsyncSession, customer: CampaignCustomer, wallet_id: str, offset: int, limit: int
) -> WalletTransactionList:
    account = await _account(session, customer, wallet_id)
    rows, total = await points.transactions(
        session,
        account_id=account.id,
        contact_id=None,
        definition_id=None,
        which=TransactionFilter.ALL,
        offset=offset,
        count=limit,
        base_url=_NO_BASE,
        zone=_UTC,
    )
    return WalletTransactionList(
        wallet_id=wallet_id,
        total=total,
        offset=offset,
        limit=limit,
        transactions=[_transaction_out(wallet_id, tx) for tx in rows],
    )


async def add_transaction(
    session: AsyncSession, customer: CampaignCustomer, wallet_id: str, body: WalletTransactionIn
) -> WalletTransaction:
    account = await _account(session, customer, wallet_id)
    amount = body.points if body.type == "credit" else -body.points
    result = await points.post_transactions(
        session,
        [
            NewPointTransaction(
                contactId=customer.contact_id,
                definitionId=account.definitionId,
                amount=amount,
                source="wallet",
                description=body.description,
            )
        ],
    )
    if result.notAccepted:
        raise InsufficientBalance(details=result.errorMessages)
    # The account stays locked until this transaction ends, so the newest row is this one.
    [latest], _ = await points.transactions(
        session,
        account_id=account.id,
        contact_id=None,
        definition_id=None,
        which=TransactionFilter.ALL,
        offset=0,
        count=1,
        base_url=_NO_BASE,
        zone=_UTC,
    )
    return _transaction_out(wallet_id, latest)
