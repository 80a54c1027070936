"""The most one request can make happen on challenges: cards completed and rewards earned.

A checkpoint's amount costs nothing by itself (the engine adds it); what costs is what it
completes: a recurring definition (a stamp card) starts a new card, a challenge row of its own,
each time the requirement is reached, and every completion and checkpoint reward crossed is a
reward handed out. One request (one receipt, or one `POST /challenges/checkpoints` of up to
1000 rows) may complete at most `CARDS_PER_PAIR` cards for one contact on one definition,
`CARDS_PER_REQUEST` in all, and earn at most `REWARDS_PER_REQUEST` rewards. No retailer's
customer meets them (a hundred free bags of dog food from one receipt; a nightly batch of a
thousand customers each completing a card and crossing a checkpoint reward on the way fits);
without them one receipt could ask for millions of cards and keep a server busy for minutes.

A checkpoint row that would go past a limit is not accepted (`notAccepted`, nothing of it
applied), as the endpoint skips any row it cannot take; a receipt's checkpoints under a
definition are cut to the most that fit, the cut logged (`patron.challenges` at WARNING) and
the checkpoint log holding what was applied. The work of a request is bounded by the limits,
whatever the amounts: `patron.progress.engine.reach` works out what an amount would do without
applying it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Cards (cycles) one contact completes on one definition in one request.
CARDS_PER_PAIR = 100
# Cards completed in one request, every contact and definition together.
CARDS_PER_REQUEST = 1000
# Rewards earned in one request (completions and checkpoint rewards).
REWARDS_PER_REQUEST = 2000
# The largest checkpoint amount one row carries (`CheckpointRow.checkpointAmount`).
CHECKPOINT_AMOUNT_MOST = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Cost:
    """What a checkpoint does that counts against the limits."""

    cards: int = 0
    rewards: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.cards + other.cards, self.rewards + other.rewards)


@dataclass(slots=True)
class Budget:
    """What one request has left: cards and rewards, and whether an amount that would go past
    them is cut to the most that fits (a receipt's) or refused (a checkpoint row's)."""

    cuts: bool = False
    cards: int = CARDS_PER_REQUEST
    rewards: int = REWARDS_PER_REQUEST

    def fits(self, cost: Cost, pair_cards: int) -> bool:
        """Whether `cost` fits, for a pair that has completed `pair_cards` in this request."""
        return (
            cost.cards <= self.cards
            and cost.rewards <= self.rewards
            and pair_cards + cost.cards <= CARDS_PER_PAIR
        )

    def spend(self, cost: Cost) -> None:
        self.cards -= cost.cards
        self.rewards -= cost.rewards

    def copy(self) -> Budget:
        return Budget(self.cuts, self.cards, self.rewards)

    def less(self, spent: Cost) -> Budget:
        """This budget less what `spent` took (a batch's pairs that are not worked out again)."""
        return Budget(self.cuts, self.cards - spent.cards, self.rewards - spent.rewards)


def most_that_fits(amount: int, fits: Callable[[int], bool]) -> int:
    """The largest amount up to `amount` that `fits` (0 when none does), for a test that is
    monotone (what fits, any smaller amount does too): a binary search, 31 tests at most for
    a checkpoint amount."""
    low, high = 0, amount
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
