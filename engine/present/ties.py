"""Near-ties in words and as data (see engine.scoring.ties): options and services whose scores are
"effectively equal", the tie-break that orders them, and recommendations that rest on one."""

from __future__ import annotations

from typing import Any

from engine.programme.naming import option_name
from engine.scoring.scores import ScoreTable
from engine.scoring.ties import Ties


def tie_rule(table: ScoreTable, ties: Ties) -> str:
    return (
        f"scores within {ties.tolerance:g} of each other are effectively equal; their order is the "
        f"tie-break's, not a difference in value: {table.tie_break}"
    )


def recommendation_tie(table: ScoreTable, ties: Ties, service: str) -> str:
    """What to say beside a recommendation that is effectively tied ("" when it is not)."""
    rivals = ties.recommendation.get(service)
    if not rivals:
        return ""
    named = " and ".join(option_name(table.programme, o) for o in rivals)
    return (
        f"effectively equal to {named} (scores within {ties.tolerance:g}): the choice "
        "rests on the MoU rule and the tie-break, not on a difference in score"
    )


def ties_text(table: ScoreTable, ties: Ties) -> str:
    """The lines ``ssplan score`` adds below the ranking ("" when nothing is tied)."""
    if not ties.any():
        return ""
    programme = table.programme
    lines = ["", f"≈ Effectively equal ({tie_rule(table, ties)}):"]
    names = table.services["service"].tolist()
    for k, others in enumerate(ties.services):  # each pair once (near-equality is not transitive)
        for other in (o for o in others if names.index(o) > k):
            pair = (programme.service(names[k]).name, programme.service(other).name)
            lines.append(f"  ranking: {pair[0]} ≈ {pair[1]}")
    options = table.options["option"].tolist()
    for k, others in enumerate(ties.options):
        service = programme.service(str(table.options["service"].iloc[k])).name
        for other in (o for o in others if options.index(o) > k):
            lines.append(
                f"  {service}: {option_name(programme, options[k])} ≈ {option_name(programme, other)}"
            )
    for service in ties.recommendation:
        tie = recommendation_tie(table, ties, service)
        lines.append(f"  {programme.service(service).name}: the recommendation is {tie}")
    return "\n".join(lines)


def ties_json(ties: Ties) -> dict[str, Any]:
    """``effectively_equal`` per option and per service, the recommendations tied, the tolerance."""
    return {
        "tie_tolerance": ties.tolerance,
        "options": [{"effectively_equal": others} for others in ties.options],
        "services": [{"effectively_equal": others} for others in ties.services],
        "recommendation_ties": ties.recommendation,
    }


def ties_columns(ties: Ties) -> dict[str, list[str]]:
    """The csv's column: the options each option is effectively equal to."""
    return {"effectively_equal_to": ["; ".join(others) for others in ties.options]}
