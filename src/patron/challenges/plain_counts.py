"""What the database needs to count a batch's plain pairs itself (`repository.count_plainly`).

Most pairs of a big batch only move their card's count on: every row is accepted, no threshold
or target is reached, the window neither rolls nor closes. `engine.Advance.value_after` is that
rule for a state in hand; here it is put in terms the database checks against the card it
holds: per definition its marks (the values at which something happens) and how its first
card starts, per pair what its rows add. Whatever the database does not count goes through
the engine, which decides row by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from patron.challenges.log_rows import Pair
from patron.challenges.schemas import CheckpointRow
from patron.models import ChallengeDefinition
from patron.progress import engine


@dataclass(slots=True)
class PlainCounts:
    """Columns, one value per pair (`contact_ids`, `definition_ids`, `added`), per row in
    order (`row_pairs`: its pair's position from 1; `row_amounts`), per mark and per
    definition whose first card a pair may start (`start_*`: its requirement, the end of its
    window, its first mark)."""

    contact_ids: list[uuid.UUID] = field(default_factory=list)
    definition_ids: list[uuid.UUID] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    row_pairs: list[int] = field(default_factory=list)
    row_amounts: list[int] = field(default_factory=list)
    mark_definitions: list[uuid.UUID] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)
    start_definitions: list[uuid.UUID] = field(default_factory=list)
    start_required: list[int] = field(default_factory=list)
    start_ends: list[datetime | None] = field(default_factory=list)
    start_limits: list[int] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)  # by position, less one

    def add_marks(self, definition_id: uuid.UUID, advance: engine.Advance) -> bool:
        """Take a definition's marks; False when the database cannot count its cards (a
        calendar window, or a mark between whole counts)."""
        marks = advance.marks
        if advance.calendar or not marks or any(mark != int(mark) for mark in marks):
            return False
        self.mark_definitions += [definition_id] * len(marks)
        self.marks += [int(mark) for mark in marks]
        return True

    def add_start(self, definition: ChallengeDefinition, plan: engine.Plan, at: datetime) -> None:
        """Let a pair with no card start its first card of `definition` at `at`, if one may
        (no consent needed, a mark above nothing, a window open at its start)."""
        first_mark = next((int(mark) for mark in plan.marks if mark > 0), None)
        start = engine.start(plan, at)
        window_open = start.window.end is None or at < start.window.end
        if not definition.consent_required and first_mark is not None and window_open:
            self.start_definitions.append(definition.id)
            self.start_required.append(definition.required_checkpoints)
            self.start_ends.append(start.window.end)
            self.start_limits.append(first_mark)

    def add_pair(self, pair: Pair, rows: list[tuple[int, CheckpointRow]], counts: bool) -> None:
        """A pair and its rows in order; `counts`: the goal counts rows rather than adding up
        their amounts."""
        amounts = [row.checkpointAmount for _, row in rows]
        self.pairs.append(pair)
        self.contact_ids.append(pair[0])
        self.definition_ids.append(pair[1])
        self.added.append(len(amounts) if counts else sum(amounts))
        self.row_pairs += [len(self.pairs)] * len(amounts)
        self.row_amounts += amounts

    def parameters(self) -> dict[str, Sequence[object]]:
        """The statement's arrays, by name."""
        return {
            "contact_ids": self.contact_ids,
            "definition_ids": self.definition_ids,
            "added": self.added,
            "row_pairs": self.row_pairs,
            "row_amounts": self.row_amounts,
            "mark_definitions": self.mark_definitions,
            "marks": self.marks,
            "start_definitions": self.start_definitions,
            "start_required": self.start_required,
            "start_ends": self.start_ends,
            "start_limits": self.start_limits,
        }
