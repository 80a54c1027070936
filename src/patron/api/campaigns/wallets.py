"""Wallets: a customer's point accounts, and their transactions (credit, debit, list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from patron.api.campaigns.dialect import dialect_router
from patron.api.deps import CurrentSettings, Integration, Session, errors
from patron.campaigns import customers, wallets
from patron.campaigns.errors import CustomerNotFound, InsufficientBalance, WalletNotFound
from patron.campaigns.schemas import WalletList, WalletTransaction, WalletTransactionIn, WalletTransactionList
from patron.contacts.service import ContactRules
from patron.errors import BadRequest

router = dialect_router("campaigns: wallets")

SourceIdPath = Annotated[str, Path(min_length=1, max_length=200)]
WalletIdPath = Annotated[str, Path(min_length=1, max_length=40)]
TRANSACTIONS = "/wallets/customer/{source_id}/transactions/{wallet_id}"


@router.get("/wallets/customer/{source_id}", responses=errors(CustomerNotFound))
async def list_wallets(
    source_id: SourceIdPath, session: Session, caller: Integration, settings: CurrentSettings
) -> WalletList:
    customer = await customers.find(session, source_id, ContactRules.from_settings(settings))
    return await wallets.wallets(session, customer)


@router.put(TRANSACTIONS, responses=errors(BadRequest, CustomerNotFound, WalletNotFound, InsufficientBalance))
async def add_wallet_transaction(
    source_id: SourceIdPath,
    wallet_id: WalletIdPath,
    body: WalletTransactionIn,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
) -> WalletTransaction:
    """Credit or debit points; a debit the balance does not cover is refused (400)."""
    customer = await customers.find(session, source_id, ContactRules.from_settings(settings))
    return await wallets.add_transaction(session, customer, wallet_id, body)


@router.get(TRANSACTIONS, responses=errors(BadRequest, CustomerNotFound, WalletNotFound))
async def list_wallet_transactions(
    source_id: SourceIdPath,
    wallet_id: WalletIdPath,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> WalletTransactionList:
    customer = await customers.find(session, source_id, ContactRules.from_settings(settings))
    return await wallets.transactions(session, customer, wallet_id, offset, limit)
