"""A randomised mix of purchases, partial returns (naming their original or not), spending and
days passing: afterwards `patron progress rebuild --check` finds nothing, and no balance of a
definition that forbids it is below zero."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as examples
from hypothesis import strategies as st

from patron.config import Settings
from patron.kit import clock
from tests.earning.factories import _rebuild_check, held, make_articles, make_rule
from tests.factories import make_contact_id
from tests.receipts.factories import line, make_store, receipt

START = datetime(2026, 5, 1, 9, tzinfo=UTC)
ARTICLES = ("DOG-1", "CAT-1", "SHOE-1")

Step = tuple[str, int, int, bool]
steps = st.lists(
    st.tuples(
        st.sampled_from(["buy", "buy", "return", "spend", "wait"]),
        st.integers(0, len(ARTICLES) - 1),
        st.integers(1, 300),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


def _run_in(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[Any]], Any]:
    def run(work: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, loop).result()  # type: ignore[arg-type]

    return run


async def test_rebuild_check_is_clean_after_random_receipts_and_returns(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": "Club"}, headers=admin)
    points = int(made.json()["id"])
    await make_store(client, admin)
    await make_articles(client, admin, [{"articleNumber": "DOG-1", "name": "Dog food", "group": "Dog food"}])
    await make_rule(client, admin, name="1 per krona", definitionId=points, pointsPerUnit=1, pendingDays=3)
    await make_rule(
        client,
        admin,
        name="Dog food",
        definitionId=points,
        pointsPerUnit="1.5",
        articleFilter={"groups": ["Dog food"]},
    )
    await make_rule(
        client,
        admin,
        name="Weekend",
        definitionId=points,
        pointsPerUnit="0.5",
        multiplier={"factor": 2, "weekdays": [6, 7]},
        minimumReceiptTotal=50,
    )
    run = _run_in(asyncio.get_running_loop())
    now = [START]

    async def play(plan: list[Step]) -> None:
        contact = await make_contact_id(client, till)
        bought: list[dict[str, Any]] = []
        for kind, article, amount, named in plan:
            at = now[0].isoformat()
            if kind == "buy":
                body = receipt(
                    contact,
                    createdDate=at,
                    totalGrossPrice=amount,
                    items=[line(articleNumber=ARTICLES[article], grossPaidPrice=amount)],
                )
                bought.append(body)
            elif kind == "return" and bought:
                original = bought[article % len(bought)]
                paid = original["items"][0]["grossPaidPrice"]
                back = max(1, paid * amount // 300)
                body = receipt(
                    contact,
                    createdDate=at,
                    totalGrossPrice=-back,
                    items=[
                        line(
                            type="RETURN",
                            articleNumber=original["items"][0]["articleNumber"],
                            grossPaidPrice=-back,
                            quantity=-1,
                        )
                    ],
                    extraData={"originalUniqueReceiptId": original["uniqueReceiptId"]} if named else None,
                )
            elif kind == "spend":
                balance, _ = await held(client, till, contact, points)
                if balance >= 1:
                    spent = await client.post(
                        "/api/v3/point-accounts/transactions",
                        json=[
                            {"contactId": contact, "definitionId": points, "amount": -min(balance, amount)}
                        ],
                        headers=till,
                    )
                    assert spent.status_code == 200, spent.text
                continue
            else:
                now[0] += timedelta(days=amount % 5)
                continue
            stored = await client.post("/api/v3/receipts", json=body, headers=till)
            assert stored.status_code == 201, stored.text
        balance, pending = await held(client, till, contact, points)
        assert balance >= 0 and pending >= 0, (balance, pending)

    @seed(22)
    @given(plan=steps)
    @examples(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def mixed(plan: list[Step]) -> None:
        run(play(plan))
        code, output = _rebuild_check(settings)
        assert code == 0, output

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: now[0])
        await asyncio.to_thread(mixed)
