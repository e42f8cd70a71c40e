"""Infeasibility advice in words: limits that must rise, one line per limit and run of windows.

The elastic model (:mod:`engine.optimise.elastic`) stretches each window of each limit on its own,
so a capacity that is too small every month came back as 21 near-identical lines.  Consecutive
windows of one limit with the same limit are one cause, said once with its range of windows:
"Project manager days in the 21 months Jan 2016 – Sep 2017 must rise from 0 to 3 (+3)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BUDGET = "the one-off budget"


@dataclass(frozen=True)
class Raise:
    """One window of one limit that the cheapest relaxation raised."""

    words: str  # the limit: a resource's name, the one-off budget, concurrent transitions
    label: str  # the window: Aug 2016, 2016/17
    index: int  # the window's place among the limit's windows
    limit: float
    amount: float


def runs(raised: list[Raise]) -> list[list[Raise]]:
    """Consecutive windows of the same limit at the same level, in the order given."""
    out: list[list[Raise]] = []
    for r in raised:
        last = out[-1][-1] if out else None
        if last and last.words == r.words and last.index + 1 == r.index and last.limit == r.limit:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def run_text(run: list[Raise]) -> str:
    """One cause: a single window as before ("X in Aug 2016 must rise from 12 to 15 (+3)"), a run
    with its range and count, and the largest rise when the windows need different ones."""
    first, last = run[0], run[-1]
    show = _money if first.words == BUDGET else _amount
    low, most = show(first.limit), max(r.amount for r in run)
    high, plus = show(first.limit + most), show(most)
    if len(run) == 1:
        where = f"{BUDGET} for {first.label}" if first.words == BUDGET else f"{first.words} in {first.label}"
        return f"{where} must rise from {low} to {high} (+{plus})"
    where = f"{first.words} in the {len(run)} {_unit(first.label)} {first.label} – {last.label}"
    if all(abs(r.amount - most) < 1e-6 for r in run):
        return f"{where} must rise from {low} to {high} (+{plus}) in each"
    least = min(r.amount for r in run)
    lowest = show(first.limit + least)
    return f"{where} must rise from {low} to between {lowest} and {high} (+{show(least)} to +{plus})"


def counted(number: int, unit: str, between: str = "") -> str:
    """A count of periods in English: "1 more month", "12 more months" (never "month(s)")."""
    return f"{number} {between}{unit}{'' if number == 1 else 's'}"


def _unit(label: str) -> str:
    """What a window is, from its label: financial years (2016/17), quarters (Q1 2016), else months."""
    if label.startswith("Q") or "–" in label:
        return "quarters"
    return "financial years" if re.fullmatch(r"\d{4}/\d{2}", label) else "months"


def _money(value: float) -> str:
    return f"£{value:,.0f}"


def _amount(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")
