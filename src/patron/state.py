"""The composition root's product: everything a request or a background loop reaches.

`assemble` builds it from the settings, once per application (`create_app`, and any other
process that does Patron's work); nothing is wired through another module's globals, so two
applications in one process share nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from patron.activity.bus import ActivityBus
from patron.auth.end_users import EndUsers
from patron.auth.rate_limits import RateLimiter, build_limiter
from patron.auth.sealing import KeySealing
from patron.auth.service import KeyVerifier
from patron.challenges.checkpoints import CheckpointBatches
from patron.challenges.receipt_rules import ReceiptRules
from patron.challenges.receipts import ReceiptCheckpoints
from patron.config import Settings
from patron.db.engine import Database, create_database
from patron.earning.cache import PointRules
from patron.earning.credits import ReceiptEarning
from patron.idempotency import service as idempotency
from patron.interactions import service as interactions
from patron.orders import service as orders
from patron.outbox import service as outbox
from patron.promotions import service as promotions
from patron.rewards.service import RewardIssuer


@dataclass
class AppState:
    settings: Settings
    database: Database
    verifier: KeyVerifier
    # The sealing keys of API key secrets (PATRON_SECRET_KEY, else the generated one).
    sealing: KeySealing
    # End-user tokens: verified to a contact, and minted (docs/END_USERS.md).
    end_users: EndUsers
    # The token buckets per key and route class, in this process or in Redis (auth.rate_limits).
    limiter: RateLimiter
    # Who hears about stored activity (receipts), in the transaction that stores it.
    bus: ActivityBus
    # The receipt-driven challenge definitions, kept for PATRON_DEFINITION_CACHE_SECONDS.
    receipt_rules: ReceiptRules
    checkpoints: CheckpointBatches
    # The one issuer of rewards (promotions, points, coupon codes), for every dialect.
    rewards: RewardIssuer
    # The earning rules, kept for PATRON_DEFINITION_CACHE_SECONDS (docs/POINTS.md).
    point_rules: PointRules
    # Set when a bulk import is queued, so the import loop starts at once instead of polling.
    imports_queued: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when a segment refresh is asked for or an assignment job is queued (worker.segments).
    segment_work: asyncio.Event = field(default_factory=asyncio.Event)
    # SQLite has one writer at a time and lets waiting writers poll for it, in no order, so
    # an unlucky one waits seconds. Writers in this process queue here instead, first come
    # first served, and meet SQLite's lock only when it is theirs.
    sqlite_write_turns: asyncio.Lock = field(default_factory=asyncio.Lock)

    def write_turn(self) -> AbstractAsyncContextManager[object]:
        """Wait for this process's turn to write (SQLite); nothing to wait for on PostgreSQL."""
        return self.sqlite_write_turns if self.database.is_sqlite else contextlib.nullcontext()


def assemble(settings: Settings) -> AppState:
    """Build one application's objects from its settings, each subscriber wired to its bus."""
    receipt_rules = ReceiptRules(settings.definition_cache_seconds)
    rewards = RewardIssuer(settings.default_point_definition_id)
    checkpoints = CheckpointBatches(rewards)
    receipt_checkpoints = ReceiptCheckpoints(receipt_rules, checkpoints)
    sealing = KeySealing.from_settings(settings)
    bus = ActivityBus()
    bus.subscribe_receipts(receipt_checkpoints.on_receipt, receipt_checkpoints.listens)
    point_rules = PointRules(settings.definition_cache_seconds)
    earning = ReceiptEarning(point_rules, settings.zone)
    bus.subscribe_receipts(earning.on_receipt, earning.listens)
    # What else keeps an erased contact's data: open offers, stored answers, events (docs/PRIVACY.md).
    bus.subscribe_erasures(promotions.withdraw_offers)
    bus.subscribe_erasures(idempotency.forget_contact)
    # The contact's earlier contact events in the outbox keep its id alone.
    bus.subscribe_erasures(outbox.redact_contact)
    # Interactions, orders, carts and product views are the contact's own data: they go.
    bus.subscribe_erasures(interactions.forget_contact)
    bus.subscribe_erasures(orders.forget_contact)
    return AppState(
        settings=settings,
        database=create_database(settings),
        verifier=KeyVerifier(settings.auth_cache_seconds),
        sealing=sealing,
        end_users=EndUsers(settings, sealing),
        limiter=build_limiter(settings),
        bus=bus,
        receipt_rules=receipt_rules,
        rewards=rewards,
        checkpoints=checkpoints,
        point_rules=point_rules,
    )
