"""Work that gives way waits for the process's lock holders, and only for them."""

from __future__ import annotations

import asyncio

from patron.kit.holders_first import HoldersFirst


async def test_with_no_holder_giving_way_lets_other_work_run_once() -> None:
    turns = HoldersFirst()
    ran: list[str] = []

    async def other() -> None:
        ran.append("other")

    task = asyncio.ensure_future(other())
    await turns.give_way()
    assert ran == ["other"]
    await task


async def test_work_that_gives_way_waits_until_every_holder_is_done() -> None:
    turns = HoldersFirst()
    order: list[str] = []
    first_done, second_done = asyncio.Event(), asyncio.Event()

    async def holder(name: str, done: asyncio.Event) -> None:
        with turns.holding():
            await done.wait()
            order.append(f"{name} done")

    async def early_work() -> None:
        await turns.give_way()
        order.append("early work")

    holders = [
        asyncio.ensure_future(holder("first", first_done)),
        asyncio.ensure_future(holder("second", second_done)),
    ]
    await asyncio.sleep(0)  # both hold now
    waiting = [asyncio.ensure_future(early_work()) for _ in range(2)]
    for _ in range(3):
        await asyncio.sleep(0)
    assert order == []
    first_done.set()
    await holders[0]
    for _ in range(3):
        await asyncio.sleep(0)
    assert order == ["first done"]  # one holder still runs
    second_done.set()
    await asyncio.gather(*holders, *waiting)
    assert order == ["first done", "second done", "early work", "early work"]


async def test_a_waiter_cancelled_meanwhile_does_not_stop_the_others() -> None:
    turns = HoldersFirst()
    resumed: list[int] = []

    async def early_work(number: int) -> None:
        await turns.give_way()
        resumed.append(number)

    with turns.holding():
        cancelled, kept = asyncio.ensure_future(early_work(1)), asyncio.ensure_future(early_work(2))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
    await kept
    assert resumed == [2]
    assert cancelled.cancelled()
