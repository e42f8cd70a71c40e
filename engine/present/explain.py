"""Plain-English explanations of scores, for officers and for the Cabinet report.

"hr-county-s101: Impact: service.annual_cost (262,000) - option.annual_cost (229,000) = 33,000
→ 0.17 × 0.30 = 0.052".  Figures that would reveal an exempt (confidential) value are withheld
unless asked for.
"""

from __future__ import annotations

from engine.present.assumed import assumed_label
from engine.present.mou import READING, verdict_words
from engine.present.summary import EXEMPT
from engine.present.ties import recommendation_tie, tie_rule
from engine.present.unknowns import range_detail
from engine.programme.exempt import band, secret_options
from engine.programme.model import Programme
from engine.programme.naming import option_name
from engine.rules.expr import Expression
from engine.rules.expr_tree import UNKNOWN
from engine.scoring.assumed import assumed_inputs
from engine.scoring.scores import ScoreTable, secret_fields
from engine.scoring.ties import near_ties
from engine.scoring.unknowns import unknown_ranges

STATUS_TEXT = {
    "change": "recommended",
    "exception": "recommended BY EXCEPTION",
    "keep the status quo": "recommended: keep the status quo",
    "no eligible option": "no eligible option",
}


def number(value: float) -> str:
    if value != value:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 10 else f"{value:,.3g}"


def _stages_text(programme: Programme, option_id: str) -> str:
    """A staged option is scored as its whole path: say which stages it takes."""
    stages = programme.stages(option_id)
    if len(stages) < 2:
        return ""
    steps = ", then ".join(option_name(programme, s.option.id) for s in stages)
    return f" (in stages, scored as the whole path: {steps})"


def explain_service(scores: ScoreTable, service_id: str, include_exempt: bool = False) -> str:
    """One service in full. In the public view (see engine.plan.disclosure) an option with an exempt price
    shows neither the values worked from it nor its exact score (its band), and an exception
    weighed against one does not show the scores compared."""
    programme, rules = scores.programme, scores.rules
    hidden = set() if include_exempt else secret_options(programme)
    banding = programme.settings.band_exempt_scores
    scales = set() if include_exempt else set(scores.secret_scales())  # every option's value on these

    def score_text(value: float, option: object) -> str:
        if (option in hidden or scales) and banding:
            return f"score band {band(value)}"
        return f"score {value:.3f}"

    service = programme.service(service_id)
    rows = scores.options[scores.options["service"] == service_id]
    summary = scores.services[scores.services["service"] == service_id].iloc[0]
    lines = [f"{service.name} ({service.id}), owned by {programme.partner(service.owner).name}"]
    if summary["recommended"]:
        lines.append(
            f"{STATUS_TEXT[summary['status']]}: {option_name(programme, str(summary['recommended']))} "
            f"({score_text(summary['score'], summary['recommended'])}; priority {summary['priority']} of "
            f"{len(scores.services)})"
        )
    else:
        lines.append(STATUS_TEXT[summary["status"]])
    if summary["status"] == "exception":
        lines.append(f"decision route: {summary['decision_route']}")
    lines.append(
        f"method {scores.method.upper()}, rule set `{rules.id}`; weights "
        + ", ".join(f"{c} {w:.2f}" for c, w in scores.weights.items())
    )
    ranges = unknown_ranges(scores)
    assumed, ties = assumed_inputs(scores), near_ties(scores, include_exempt)
    tied = recommendation_tie(scores, ties, service_id)
    if tied:
        lines.append(f"the recommendation is {tied}")
    if ranges.could_flip(service_id):
        lines.append(
            "while values the sources do not give stay unknown, the recommendation could be "
            + " or ".join(option_name(programme, c) for c in ranges.choices[service_id])
        )
    for index, row in rows.iterrows():
        i = int(str(index))
        head = f"- {option_name(programme, str(row['option']))} (`{row['option']}`)"
        head += _stages_text(programme, str(row["option"]))
        if not row["eligible"]:
            lines.append(f"{head}: ruled out: {row['ineligible_reason']}")
            continue
        if row["option"] in hidden or scales:
            lines.append(f"{head}: {score_text(row['score'], row['option'])}")
        else:
            lines.append(f"{head}: score {row['score']:.3f} (rank {row['rank']} in the programme)")
        if ties.options[i]:
            lines.append(
                "    effectively equal to "
                + " and ".join(option_name(programme, o) for o in ties.options[i])
                + f" (within {ties.tolerance:g})"
            )
        for a in assumed[i]:
            lines.append(f"    assumed: {assumed_label(scores, a, include_exempt)}")
        secret = set() if include_exempt else secret_fields(scores.table, i) | set(row["exempt"])
        unknown = unknown_fields(scores, i)
        if unknown:
            lines.append(f"    resting on unknown values: {range_detail(scores, ranges, i, include_exempt)}")
        for criterion in rules.criteria:
            c = criterion.id
            expression = scores.expressions[c]
            if c in scales and c not in secret:
                shown = _shown(scores, i, expression, secret, unknown)
                lines.append(
                    f"    {criterion.name}: {expression.describe(shown)} = {number(row[f'{c}.raw'])} → on a "
                    f"scale set by an exempt figure, withheld (weight {row[f'{c}.weight']:.2f})"
                )
                continue
            if c in secret:  # the normalised value is the price on a scale: withheld with it
                lines.append(f"    {criterion.name}: {EXEMPT} (weight {row[f'{c}.weight']:.2f})")
                continue
            shown = _shown(scores, i, expression, secret, unknown)
            how = f"{expression.describe(shown)} = {number(row[f'{c}.raw'])}"
            lines.append(
                f"    {criterion.name}: {how} → {row[f'{c}.normalised']:.2f} × {row[f'{c}.weight']:.2f} "
                f"= {row[f'{c}.contribution']:.3f}"
            )
        needed = _derived_read(scores)
        for derived in rules.derived:
            expression = scores.rules.compiled.derived[derived.name]
            if derived.name in secret:
                continue
            if derived.name in needed:
                shown = _shown(scores, i, expression, secret, unknown)
                lines.append(f"    where {derived.name} = {expression.describe(shown)} ({derived.text})")
        for fired in scores.fired[i]:
            if fired.kind == "adjustment":
                lines.append(f"    adjustment `{fired.rule}` ({fired.effect}): {fired.text}")
    exceptions = scores.exceptions[scores.exceptions["service"] == service_id]
    for _, e in exceptions.iterrows():
        if scales or {e["option"], e["benchmark_option"]} & hidden:
            lines.append(
                f"exception {e['option']} ({e['provider_name']}): {e['verdict']}; the scores compared "
                f"(against {e['benchmark_option']}, with the MoU margin of {e['margin']:.0%} of the "
                f"benchmark's net present value, in £) rest on exempt prices and are withheld; {READING}"
            )
            continue
        lines.append(
            f"exception {e['option']} ({e['provider_name']}): {e['verdict']}; it scores {e['score']:.3f} "
            f"against {e['benchmark_option']} at {e['benchmark_score']:.3f}; {verdict_words(e)}"
        )
    lines.append(f"ties: {tie_rule(scores, ties)}")
    return "\n".join(lines)


def _derived_read(scores: ScoreTable) -> set[str]:
    """The derived names a criterion reads, directly or through another derived name (a quick win
    reads the annual saving), so the explanation defines every name it shows."""
    compiled = scores.rules.compiled
    needed = {s for c in scores.rules.criteria for s in compiled.criteria[c.id].symbols}
    for derived in reversed(scores.rules.derived):  # a derived name reads only earlier ones
        if derived.name in needed:
            needed |= set(compiled.derived[derived.name].symbols)
    return needed


def unknown_fields(scores: ScoreTable, index: int) -> set[str]:
    """The fields of row ``index`` its file marks unknown, as rules read them."""
    service, option = scores.table.rows[index]
    out = {"service.fte"} if service.fte is None else set()
    return out | {f"option.attributes.{k}" for k, v in option.attributes.items() if v is None}


def _shown(
    scores: ScoreTable, i: int, expression: Expression, secret: set[str], unknown: set[str]
) -> dict[str, object]:
    """Each value ``expression`` reads in row ``i``: withheld if exempt, "unknown" if the file says so."""
    return {
        p: EXEMPT if p in secret else UNKNOWN if p in unknown else scores.values[p][i]
        for p in expression.symbols
    }
