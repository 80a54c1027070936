"""The work of one request is bounded, whatever the amounts it carries.

A receipt or a checkpoint batch completes at most 100 cards of a stamp card for one contact
(`CARDS_PER_PAIR`), 1000 in all (`CARDS_PER_REQUEST`) and earns at most 2000 rewards
(`REWARDS_PER_REQUEST`): a receipt's checkpoints are cut to the most that fit, a checkpoint
row past them is not accepted. Before, a definition of one checkpoint per 0.0001 units and a
receipt of 100 units asked for 200 000 cards and kept the server busy for minutes (SIGTERM
unanswered), 4 000 units on a ten-stamp card wrote 400 cards and paid 400 rewards, and a line
of 2^31 units was a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

from patron.auth.roles import Role
from patron.challenges.limits import CARDS_PER_PAIR, CARDS_PER_REQUEST, REWARDS_PER_REQUEST
from patron.cli import GRACEFUL_SHUTDOWN_SECONDS, STOPPED_BY_DEADLINE
from patron.db.engine import Database
from tests.challenges.factories import challenges_of, make_definition
from tests.conftest import issue_token
from tests.factories import make_contact_id
from tests.receipts.factories import line, make_store, receipt
from tests.reliability.server import ServerProcess

# Far more than any of these requests takes now; far less than the minutes they took before.
GENEROUS_SECONDS = 10
POINTS = {"type": "points", "amount": 10}
_stores = itertools.count(1)


async def _rewards_of(client: httpx.AsyncClient, headers: dict[str, str], contact: str) -> int:
    answer = await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 1}, headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["totalCount"])


async def _post_receipt(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], contact: str, quantity: int
) -> None:
    store = await make_store(client, admin, f"S-{next(_stores)}")
    body = receipt(contact, store, items=[line(quantity=quantity)])
    started = time.monotonic()
    stored = await client.post("/api/v3/receipts", json=body, headers=till)
    assert stored.status_code == 201, stored.text
    assert time.monotonic() - started < GENEROUS_SECONDS


def _cards(challenges: list[dict[str, Any]]) -> tuple[int, list[int]]:
    """How many cards are completed, and the counts of those that are not."""
    completed = [c for c in challenges if c["isChallengeCompleted"]]
    return len(completed), [c["completedCheckpoints"] for c in challenges if not c["isChallengeCompleted"]]


async def test_a_ten_thousandth_of_a_unit_per_checkpoint_completes_at_most_the_limit_of_cards(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """10^6 checkpoints on a five-stamp card asked for 200 000 cards: now 100, the next card
    holding the four stamps short of the 101st, all of it in seconds."""
    await make_definition(
        client,
        admin,
        checkpointAssignOn="ReceiptLineQuantity",
        checkpointAssignOnAmount=0.0001,
        isRecurring=True,
        rewards={"onCompletion": POINTS},
    )
    contact = await make_contact_id(client, admin)
    await _post_receipt(client, admin, till, contact, quantity=100)
    assert _cards(await challenges_of(client, till, contact, count="1000")) == (CARDS_PER_PAIR, [4])
    assert await _rewards_of(client, till, contact) == CARDS_PER_PAIR


async def test_four_thousand_units_on_a_stamp_card_complete_a_hundred_cards(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """A realistic stamp card (ten stamps, one per unit) and 4 000 units wrote 400 cards and
    paid 400 rewards; a later receipt completes cards again."""
    await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=10,
        checkpointAssignOn="ReceiptLineQuantity",
        checkpointAssignOnAmount=1,
        isRecurring=True,
        rewards={"onCompletion": POINTS},
    )
    contact = await make_contact_id(client, admin)
    await _post_receipt(client, admin, till, contact, quantity=4000)
    assert _cards(await challenges_of(client, till, contact, count="1000")) == (CARDS_PER_PAIR, [9])
    assert await _rewards_of(client, till, contact) == CARDS_PER_PAIR
    # The limit is per request: the next receipt's three units complete the 101st card.
    await _post_receipt(client, admin, till, contact, quantity=3)
    assert _cards(await challenges_of(client, till, contact, count="1000")) == (CARDS_PER_PAIR + 1, [2])


async def test_a_line_of_two_to_the_31_units_completes_the_challenge(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """2 147 483 648 checkpoints did not fit a checkpoint row: the receipt was a 500."""
    await make_definition(client, admin, checkpointAssignOn="ReceiptLineQuantity", checkpointAssignOnAmount=1)
    recurring = await make_definition(
        client,
        admin,
        name="Stamp card",
        checkpointAssignOn="ReceiptLineQuantity",
        checkpointAssignOnAmount=1,
        isRecurring=True,
    )
    contact = await make_contact_id(client, admin)
    await _post_receipt(client, admin, till, contact, quantity=2**31)
    [completed] = [
        c
        for c in await challenges_of(client, till, contact, count="1000")
        if c["challengeId"] != recurring["id"]
    ]
    assert (completed["isChallengeCompleted"], completed["completedCheckpoints"]) == (True, 5)
    stamps = await challenges_of(client, till, contact, definitionId=recurring["id"], count="1000")
    assert _cards(stamps) == (CARDS_PER_PAIR, [4])


async def _checkpoints(
    client: httpx.AsyncClient,
    till: dict[str, str],
    rows: list[dict[str, Any]],
    seconds: float = GENEROUS_SECONDS,
) -> dict[str, Any]:
    started = time.monotonic()
    answer = await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < seconds
    return dict(answer.json())


async def test_a_checkpoint_row_past_the_cards_of_one_contact_is_not_accepted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """The largest amount a row takes on a one-stamp card asked for 2^31 - 1 cards."""
    card = await make_definition(client, admin, requiredNumberOfCheckpoints=1, isRecurring=True)
    contact = await make_contact_id(client, admin)
    row = {"definitionId": card["id"], "contactId": contact}
    too_many = {**row, "checkpointAmount": 2**31 - 1}
    one_too_many = {**row, "checkpointAmount": CARDS_PER_PAIR + 1}
    fits = {**row, "checkpointAmount": CARDS_PER_PAIR - 1}
    answer = await _checkpoints(client, till, [too_many, one_too_many, fits, {**row, "checkpointAmount": 1}])
    # The last row takes the hundredth card; the two before did not fit.
    assert answer["notAccepted"] == [too_many, one_too_many]
    assert _cards(await challenges_of(client, till, contact, count="1000")) == (CARDS_PER_PAIR, [0])
    # The next request has its own limits.
    assert (await _checkpoints(client, till, [fits]))["notAccepted"] == []
    assert _cards(await challenges_of(client, till, contact, count="1000"))[0] == 2 * CARDS_PER_PAIR - 1
    # A row not accepted changes nothing: not even a first challenge is started for it.
    other = await make_contact_id(client, admin)
    alone = {**too_many, "contactId": other}
    assert (await _checkpoints(client, till, [alone]))["notAccepted"] == [alone]
    assert await challenges_of(client, till, other) == []


async def test_a_batch_completes_at_most_the_limit_of_cards_in_all(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """60 contacts (a big batch: worked out before its locks) each asking for 20 cards: the
    first 50 rows take the thousand, the last 10 are not accepted."""
    card = await make_definition(client, admin, requiredNumberOfCheckpoints=1, isRecurring=True)
    contacts = [await make_contact_id(client, admin) for _ in range(60)]
    rows = [{"definitionId": card["id"], "contactId": c, "checkpointAmount": 20} for c in contacts]
    answer = await _checkpoints(client, till, rows)
    assert CARDS_PER_REQUEST == 20 * 50
    assert answer["notAccepted"] == rows[50:]
    assert _cards(await challenges_of(client, till, contacts[49]))[0] == 20
    assert await challenges_of(client, till, contacts[50]) == []


async def test_a_batch_earns_at_most_the_limit_of_rewards(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """A hundred checkpoint rewards and one on completion: 101 rewards a row, so the 20th row
    of a batch would pass 2000."""
    card = await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=100,
        rewards={
            "onCompletion": POINTS,
            "checkpoints": [{"atCheckpoint": n, "reward": POINTS} for n in range(1, 101)],
        },
    )
    contacts = [await make_contact_id(client, admin) for _ in range(20)]
    rows = [{"definitionId": card["id"], "contactId": c, "checkpointAmount": 100} for c in contacts]
    # Paying the most rewards a request earns is the slowest request here (a points reward is
    # a few statements): seconds, not the minutes of a hundred thousand.
    answer = await _checkpoints(client, till, rows, seconds=6 * GENEROUS_SECONDS)
    assert 101 * 19 <= REWARDS_PER_REQUEST < 101 * 20
    assert answer["notAccepted"] == rows[19:]
    assert await _rewards_of(client, till, contacts[18]) == 101
    assert await _rewards_of(client, till, contacts[19]) == 0


async def test_sigterm_stops_a_server_busy_with_a_heavy_receipt(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    """The receipt that asked for 200 000 cards kept a real server busy for minutes, deaf to
    SIGTERM; now it stops within its graceful timeout."""
    admin = {"apikey": await issue_token(database, Role.ADMIN, "back office")}
    till = {"apikey": await issue_token(database, Role.INTEGRATION, "till")}
    server = ServerProcess(database_url, tmp_path / "server.log")
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=GENEROUS_SECONDS * 3) as http:
            await make_definition(
                http,
                admin,
                checkpointAssignOn="ReceiptLineQuantity",
                checkpointAssignOnAmount=0.0001,
                isRecurring=True,
                rewards={"onCompletion": POINTS},
            )
            contact = await make_contact_id(http, admin)
            store = await make_store(http, admin, "S-heavy")
            heavy = asyncio.create_task(
                http.post(
                    "/api/v3/receipts",
                    json=receipt(contact, store, items=[line(quantity=100)]),
                    headers=till,
                )
            )
            await asyncio.sleep(0.5)  # the receipt is being worked on
            assert server.process is not None
            os.killpg(server.process.pid, signal.SIGTERM)
            started = time.monotonic()
            code = await asyncio.to_thread(server.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 10)
            assert time.monotonic() - started < GRACEFUL_SHUTDOWN_SECONDS + 10
            assert code is not None
            with contextlib.suppress(httpx.TransportError):
                await heavy  # answered, or stopped before it answered
    finally:
        await asyncio.to_thread(server.stop)


def test_sigterm_ends_a_server_process_whose_event_loop_never_comes_back() -> None:
    """Whatever a request does (here the main thread never returns to the event loop), SIGTERM
    ends the server process shortly after its graceful timeout; uvicorn alone would wait."""
    program = textwrap.dedent(
        """
        import signal, sys, time
        from patron import cli

        stopping = []
        signal.signal(signal.SIGTERM, lambda sig, frame: stopping.append(sig))  # as uvicorn's
        cli.stop_within(signal.SIGTERM, seconds=1.0)
        print("busy", flush=True)
        while True:  # a request that never gives the loop back
            sum(range(1000))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"busy"
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = process.wait(timeout=GENEROUS_SECONDS)
        assert time.monotonic() - started < GENEROUS_SECONDS
        assert code == STOPPED_BY_DEADLINE
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
