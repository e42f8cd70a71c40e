"""Whose weights and whose rules: the provenance lines every output that scores shows.

A score is only as good as the judgement behind its weights, so the CLI, the report and the app
all say who gave the weights, when and how, and whether anyone has approved the rule set.  One
wording, here, so they never disagree.
"""

from __future__ import annotations

from datetime import date

from engine.rules.ruleset import RuleSet
from engine.scoring.elicit import MAX_CR, Spread, saaty_text
from engine.scoring.weightsets import WeightSet

METHODS = {
    "ahp": "AHP pairwise comparison",
    "swing": "swing weighting",
    "geometric-mean": "the geometric mean of their weights",
}


def day(value: date) -> str:
    """A date as officers write it: 1 December 2026."""
    return f"{value.day} {value:%B %Y}"


def approval_text(rules: RuleSet, quote: str = "`") -> str:
    """Who approved the rule set, or honestly that nobody has yet (``quote``: "'" in prose)."""
    if rules.approved_by is None or rules.approved_on is None:
        return f"Rule set {quote}{rules.id}{quote}: not yet approved"
    return f"Rule set {quote}{rules.id}{quote}: approved by {rules.approved_by} on {day(rules.approved_on)}"


def weight_set_text(weight_set: WeightSet, quote: str = "`") -> str:
    """One sentence: the set, whose, when, how and (for AHP) how consistent."""
    how = METHODS[weight_set.method]
    if weight_set.method == "ahp" and weight_set.combined_from:
        how = "AHP, the geometric mean of their pairwise judgements"
    named = f"{quote}{weight_set.name}{quote}"
    text = f"Weights {named}: given by {weight_set.who()} on {day(weight_set.given_on)}, by {how}"
    if weight_set.consistency_ratio is not None:
        flag = "" if weight_set.consistency_ratio <= MAX_CR else ", above 0.1: inconsistent"
        text += f" (consistency ratio {weight_set.consistency_ratio:.3f}{flag})"
    return text


def weights_line(weights: dict[str, float], names: dict[str, str]) -> str:
    return ", ".join(f"{names.get(c, c)} {w:.1%}" for c, w in weights.items())


def weight_set_detail(weight_set: WeightSet, names: dict[str, str]) -> str:
    """The set in full, for ``ssplan weights show``: the sentence, the weights and the answers."""
    lines = [weight_set_text(weight_set), f"Rule set `{weight_set.rules}`", ""]
    lines += [f"  {names.get(c, c):<24} {w:6.1%}" for c, w in weight_set.weights.items()]
    if weight_set.judgements:
        lines += ["", "Pairwise judgements (how many times the first matters more than the second):"]
        lines += [
            f"  {names.get(j.a, j.a)} : {names.get(j.b, j.b)} = {saaty_text(j.value)}"
            for j in weight_set.judgements
        ]
    if weight_set.swings:
        lines += ["", "Swings, most valuable first (rated against the first, 100):"]
        for s in sorted(weight_set.swings, key=lambda s: s.rank):
            levels = f" ({s.worst} → {s.best})" if s.worst or s.best else ""
            lines.append(f"  {s.rank}. {names.get(s.criterion, s.criterion)}{levels}: {s.rating:g}")
    if weight_set.combined_from:
        lines += ["", "Combines: " + ", ".join(weight_set.combined_from)]
    return "\n".join(lines)


def spread_text(rows: list[Spread], names: dict[str, str]) -> str:
    """How far the stakeholders disagree: per criterion each one's weight, the lowest and highest."""
    people = list(rows[0].by) if rows else []
    header = f"  {'criterion':<24} " + " ".join(f"{p[:14]:>14}" for p in people) + f" {'min–max':>15}"
    lines = [header]
    for row in rows:
        cells = " ".join(f"{row.by[p]:>14.1%}" for p in people)
        span = f"{row.low:.1%}–{row.high:.1%}"
        lines.append(f"  {names.get(row.criterion, row.criterion):<24} {cells} {span:>15}")
    return "\n".join(lines)
