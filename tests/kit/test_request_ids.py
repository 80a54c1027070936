"""Request ids: unique within a process and across processes, in the shape clients see."""

from __future__ import annotations

import os
import re

from patron.kit import ids


def test_request_ids_are_32_hex_digits_and_never_repeat() -> None:
    made = [ids.new_request_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in made)
    assert len(set(made)) == len(made)


def test_a_forked_process_makes_ids_of_its_own() -> None:
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and exits
        os.write(write, ids.new_request_id().encode())
        os._exit(0)
    os.close(write)
    from_child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(child, 0)
    here = ids.new_request_id()
    assert len(from_child) == 32
    # Same counter position or not, the prefixes differ, so the ids cannot meet.
    assert from_child[:16] != here[:16]
