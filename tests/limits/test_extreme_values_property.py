"""Extreme values into every write, then every affected resource read back: no answer is a
5xx, and nothing a write accepted leaves a resource unreadable.

One contact takes every example in turn, so accepted extremes pile up in its sums (purchase
total, balances, challenge progress) as they would over years of a real customer's life.
PATRON_PROPERTY_EXAMPLES sets the examples (`make fuzz` raises it); the seed is fixed, and
PATRON_FUZZ_SEED moves it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.challenges.factories import make_definition
from tests.factories import make_contact_id
from tests.points.factories import make_point_definition
from tests.promotions.factories import make_promotion
from tests.receipts.factories import line, make_store, receipt

EXAMPLES = int(os.environ.get("PATRON_PROPERTY_EXAMPLES", "12"))
SEED = int(os.environ.get("PATRON_FUZZ_SEED", "20260"))

# Numbers at and past every bound Patron has, and the forms a careless client sends them in.
EXTREME_NUMBERS: list[Any] = [
    0,
    -0.0,
    1e-10,
    0.0001,
    0.00001,
    1,
    2**31 - 1,
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    9_999_999_999_999,
    10**13 + 1,
    6e13,
    99_999_999_999_999.98,
    "99999999999999.9999",
    1e14,
    -1e14,
    1e308,
    -1e308,
    True,
    False,
    "12",
    "1e400",
    "",
    None,
]
EXTREME_INSTANTS: list[Any] = [
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00Z",
    "1900-01-01T00:00:00Z",
    "1900-01-02T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2026-11-20T14:05:00+01:00",
    "9999-12-30T23:59:59Z",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "not a date",
    12345,
    True,
]
# The largest and smallest values each field accepts, so that most examples are stored and
# their extremes reach the sums and the reads; the rest go past the bounds.
ACCEPTED_AMOUNTS: list[Any] = [
    0.0001,
    1,
    "12",
    9_999_999_999_999,
    6e13,
    99_999_999_999_999.98,
    "99999999999999.9999",
]
ACCEPTED_COUNTS: list[Any] = [1, 2, "3", 1000, 1_000_000, 2**31 - 1]
ACCEPTED_INSTANTS: list[Any] = [
    "1900-01-02T00:00:00Z",
    "1900-01-02T23:59:59+23:59",
    "2026-11-20T14:05:00+01:00",
    "9999-12-30T00:00:00-23:59",
    "9999-12-30T23:59:59Z",
]


def _mostly(
    accepted: list[Any], extreme: list[Any], *others: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    # one_of picks its branches alike: the accepted values twice, so about half the examples.
    return st.one_of(st.sampled_from(accepted), st.sampled_from(accepted), st.sampled_from(extreme), *others)


amounts = _mostly(ACCEPTED_AMOUNTS, EXTREME_NUMBERS, st.floats(allow_nan=False, allow_infinity=False))
counts = _mostly(ACCEPTED_COUNTS, EXTREME_NUMBERS, st.integers())
instants = _mostly(ACCEPTED_INSTANTS, EXTREME_INSTANTS)


@dataclass(frozen=True)
class Extremes:
    amount: Any
    quantity: Any
    count: Any
    instant: Any
    other_instant: Any


extremes = st.builds(Extremes, amounts, amounts, counts, instants, instants)


@dataclass(frozen=True)
class Customer:
    contact: str
    store: str
    point_definition: int
    challenge: str
    promotion: str


class Calls:
    """Every answer of one example; a 5xx fails the example with the request that got it."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code < 500, f"{method} {path} {kwargs}: {response.status_code} {response.text}"
        return response

    async def readable(self, path: str, **params: Any) -> Any:
        response = await self.send("GET", path, params=params)
        assert response.status_code == 200, f"GET {path} {params}: {response.status_code} {response.text}"
        return response.json()


async def _writes(calls: Calls, customer: Customer, values: Extremes, n: int) -> None:
    body = receipt(
        customer.contact,
        customer.store,
        uniqueReceiptId=f"R-extreme-{n}",
        createdDate=values.instant,
        totalGrossPrice=values.amount,
        paymentMethods=[{"type": "Card", "value": values.amount}],
        items=[line(quantity=values.quantity, grossPaidPrice=values.amount, taxAmount=0, taxPercent=0)],
    )
    await calls.send("POST", "/api/v3/receipts", json=body)
    credit = {
        "contactId": customer.contact,
        "definitionId": customer.point_definition,
        "amount": values.amount,
        "source": "Manual",
        "timeStamp": values.instant,
        "validFrom": values.instant,
        "validTo": values.other_instant,
    }
    await calls.send("POST", "/api/v3/point-accounts/transactions", json=[credit])
    row = {
        "definitionId": customer.challenge,
        "contactId": customer.contact,
        "checkpointAmount": values.count,
    }
    await calls.send("POST", "/api/v3/challenges/checkpoints", json=[row])
    definition = {
        "name": f"Extreme {n}",
        "requiredNumberOfCheckpoints": values.count,
        "checkpointAssignOn": "ReceiptLineQuantity",
        "checkpointAssignOnAmount": values.quantity,
        "isScheduled": True,
        "scheduledFrom": values.instant,
        "scheduledTo": values.other_instant,
        "isRecurring": True,
        "status": "Active",
    }
    await calls.send("POST", "/api/v3/challenges/definitions", json=definition)
    validity = {"startDate": values.instant, "assignedValidity": {"unit": "Days", "amount": values.count}}
    await calls.send("PUT", f"/api/v3/promotions/multichannels/{customer.promotion}/validity", json=validity)
    await calls.send(
        "POST",
        "/api/v3/promotion-assignments",
        json={"contactId": customer.contact, "promotionId": customer.promotion},
    )


async def _reads(calls: Calls, customer: Customer) -> None:
    await calls.readable(f"/api/v3/contacts/{customer.contact}")
    await calls.readable(f"/api/v3/contacts/{customer.contact}/transactions")
    for receipt_item in (await calls.readable(f"/api/v3/contacts/{customer.contact}/transactions"))["items"]:
        await calls.readable(f"/api/v3/receipts/{receipt_item['id']}")
    accounts = await calls.readable("/api/v3/point-accounts", contactId=customer.contact)
    for account in accounts:
        await calls.readable(f"/api/v3/point-accounts/{account['id']}")
        await calls.readable("/api/v3/point-accounts/transactions", accountId=account["id"], count=1000)
    await calls.readable("/api/v3/challenges", contactId=customer.contact)
    await calls.readable("/api/v3/challenges/definitions", count=1000)
    await calls.readable(f"/api/v3/promotions/multichannels/{customer.promotion}")
    await calls.readable(f"/api/v3/contacts/{customer.contact}/promotions")
    await calls.readable("/api/v3/promotion-assignments", contactId=customer.contact)
    await calls.readable(f"/api/v3/contacts/{customer.contact}/rewards")


async def _customer(client: httpx.AsyncClient, admin: dict[str, str]) -> Customer:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    point_definition = await make_point_definition(client, admin, "Extreme")
    challenge = await make_definition(client, admin, requiredNumberOfCheckpoints=3, isRecurring=True)
    promotion = await make_promotion(client, admin)
    return Customer(contact, store, point_definition, challenge["id"], promotion["id"])


def _run_in(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[None]], None]:
    def run(work: Awaitable[None]) -> None:
        asyncio.run_coroutine_threadsafe(work, loop).result()  # type: ignore[arg-type]

    return run


async def test_extreme_values_never_break_a_write_or_what_it_touched(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    customer = await _customer(client, admin)
    calls = Calls(client, admin)
    run = _run_in(asyncio.get_running_loop())
    examples = iter(range(10**9))

    @seed(SEED)
    @given(values=extremes)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def every_write_then_every_read(values: Extremes) -> None:
        n = next(examples)
        run(_writes(calls, customer, values, n))
        run(_reads(calls, customer))

    # In a thread, so the application's event loop (this one) keeps serving the requests.
    await asyncio.to_thread(every_write_then_every_read)
