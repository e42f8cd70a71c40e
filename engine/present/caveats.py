"""What the ranking's reader must weigh besides the scores: assumed values and near-ties, as the
markers beside the ranking and as the JSON fields ``ssplan score`` adds (see present.assumed and
present.ties for the words)."""

from __future__ import annotations

from typing import Any

from engine.present.assumed import assumed_json, summary_line
from engine.present.ties import recommendation_tie, tie_rule, ties_json
from engine.scoring.assumed import Assumed, resting_on_assumed
from engine.scoring.scores import ScoreTable
from engine.scoring.ties import Ties


def ranking_marks(table: ScoreTable, assumed: list[list[Assumed]], ties: Ties) -> dict[str, str]:
    """Per service: `` *`` where its recommended option's score rests partly on assumed values,
    `` ≈`` where its gain or its recommendation is effectively equal to another's."""
    option_row = {str(o): i for i, o in enumerate(table.options["option"])}
    marks = {}
    for k, row in table.services.iterrows():
        i = option_row.get(str(row["recommended"]))
        mark = " *" if i is not None and any(a.criteria for a in assumed[i]) else ""
        position = table.services.index.get_loc(k)
        if ties.services[int(str(position))] or str(row["service"]) in ties.recommendation:
            mark += " ≈"
        if mark:
            marks[str(row["service"])] = mark
    return marks


def caveats_json(
    table: ScoreTable, assumed: list[list[Assumed]], ties: Ties, payload: dict[str, Any], include_exempt: bool
) -> dict[str, Any]:
    """Adds ``assumed`` and ``effectively_equal`` to each option and service of ``payload`` (the
    score JSON, in the options' and services' order) and returns the top-level fields."""
    for option, items, tied in zip(
        payload["options"], assumed_json(table, assumed, include_exempt), ties.options, strict=True
    ):
        option["assumed"], option["effectively_equal"] = items, tied
    for service, tied in zip(payload["services"], ties.services, strict=True):
        name = str(service["service"])
        service["effectively_equal"] = tied
        service["recommendation_effectively_equal_to"] = ties.recommendation.get(name, [])
        service["recommendation_tie"] = recommendation_tie(table, ties, name) or None
    resting, scored = resting_on_assumed(table, assumed)
    return {
        **{k: v for k, v in ties_json(ties).items() if k in ("tie_tolerance",)},
        "tie_rule": tie_rule(table, ties),
        "assumed_summary": {"resting": resting, "scored": scored, "text": summary_line(table, assumed)},
    }
