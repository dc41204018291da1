"""The effective weight of a meeting request in the optimiser's objective (pure Python).

Tiers: a `must` request weighs `MUST_FACTOR` times a `want`, so that one `must` outweighs any
number of `want` requests in any instance this platform can hold (a session holds at most
`TABLES_MAX` tables × its slots, far below `MUST_FACTOR` meetings). Repeated no-shows lower a
request inside its tier: from the second no-show of either side the weight is divided by the
number of no-shows (2nd → ½, 3rd → ⅓, …), never below 1; a `must` stays a `must`.

Ties between requests of equal weight go to the pair's reciprocal score (0..1): `score_bonus`
adds at most `SCORE_BONUS_MAX`, 2 % of a `want`, so the score can reorder requests of one tier
but can only outweigh a whole `want` when more than fifty requests are traded against each other.
"""

from __future__ import annotations

WANT = 1000
MUST_FACTOR = 1_000_000
MUST = WANT * MUST_FACTOR
SCORE_BONUS_MAX = 20


def request_weight(priority: str, no_shows: int) -> int:
    """The objective weight of one request: its priority tier, lowered by repeated no-shows.

    `no_shows` is the larger no-show count of the two sides."""
    if priority == "must":
        base = MUST
    elif priority == "want":
        base = WANT
    else:
        raise ValueError(f"unknown priority {priority!r}")
    if no_shows >= 2:
        return max(1, base // no_shows)
    return base


def is_must(weight: int) -> bool:
    """Whether an effective weight is of the `must` tier (no-shows lower it inside its tier)."""
    return weight > WANT


def score_bonus(score: float) -> int:
    """The tie-breaking term of a pair's reciprocal score (clamped to 0..1)."""
    return round(min(1.0, max(0.0, float(score))) * SCORE_BONUS_MAX)
