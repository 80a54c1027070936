"""Within a process, work that holds locks others wait for runs before work that does not.

A checkpoint batch does most of its work before it takes its locks and then holds them until
it commits; every batch that shares a pair with it waits that long. The server's processes and
the database share the machine's cores, so a lock holder whose event loop is busy with another
batch's early work (and whose database connection competes with that batch's statements)
holds its locks longer, and the batches queued behind it wait for that too. Work that can wait
therefore gives way, at its next step, to any holder in its process.

Nothing waits while it holds a lock itself, and holders never wait for work that gives way, so
giving way cannot deadlock; it only reorders work, and a holder always finishes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class HoldersFirst:
    def __init__(self) -> None:
        self._holding = 0
        # Futures of the running loop, not an asyncio.Event: one instance serves every loop
        # the process runs (tests run one per test).
        self._waiting: list[asyncio.Future[None]] = []

    @contextmanager
    def holding(self) -> Iterator[None]:
        """While this runs, work that gives way waits."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding:
                waiting, self._waiting = self._waiting, []
                for future in waiting:
                    if not future.done():
                        future.set_result(None)

    async def give_way(self) -> None:
        """Wait until no holder runs; with none, still let the loop run other work once."""
        if not self._holding:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        await future
