"""What to say when a plan changes nothing: the reason, not a guess.

A plan can keep every service as it is because no change is worth it, because the what-if keeps
them, or because no change fits the limits (capacity 0, say).  The reasons pass
(:mod:`engine.optimise.reasons`) says which for each service; the headline follows from those.
"""

from __future__ import annotations

from collections.abc import Mapping

CANNOT_FIT = "cannot fit"
KEPT = "kept as it is by this what-if"


def nothing_changes(left_out: Mapping[str, str]) -> str:
    """The one-line headline of a plan with no change, from the per-service reasons."""
    reasons = list(left_out.values())
    why = "Why, service by service, is below."
    if any(reason.startswith(CANNOT_FIT) for reason in reasons):
        return (
            "No change fits the capacity and budget of this what-if, so every service stays as it is "
            f"(not because no change is worth making). {why}"
        )
    if reasons and all(reason == KEPT for reason in reasons):
        return "This what-if keeps them all, so every service stays as it is."
    return f"Under this what-if every service stays as it is. {why}"
