"""Section 4: the Green Book short list and every other alternative, each with its measured reason.

Each alternative is measured against the recommendation on one evidence base
(:mod:`engine.appraisal.alternatives`); the words here only say what the measures show.  A
rejection names the figures the alternative is worse on; where it is better on something the
sentence says so and why the recommendation is still preferred, or, where it is better on
everything that differs, that this is the recommendation's weakness.  Doing nothing is listed once.
"""

from __future__ import annotations

from engine.appraisal.alternatives import (
    Alternative,
    Measure,
    ShortList,
    compare_alternative,
    short_list,
    variant,
)
from engine.appraisal.scenario import ScenarioResult
from engine.present.money import Basis, officer_pounds, options_basis
from engine.report.document import Block, para, subheading

OBJECTIVE_KEY = {"value": "value", "savings": "npv"}
OBJECTIVE_WORDS = {
    "value": "the greatest gain on the agreed criteria",
    "savings": "the highest net present value",
    "maxmin": "the best outcome for the worst-off council",
    "makespan": "the earliest finish",
}


def shown(m: Measure, value: float) -> str:
    """A measure's figure as the body prints it (money rounded as officers write it)."""
    if m.money:
        return officer_pounds(value)
    return f"{value:g}" if m.key == "high_risk" else f"{value:.3f}"


def winner(m: Measure) -> str:
    return m.winner(lambda v: shown(m, v))


def _figures(m: Measure, basis: str = "") -> str:
    """ "net present value £1.28 m against £2.95 m (illustrative)": money carries its basis."""
    mark = f" ({basis})" if basis and m.money else ""
    return f"{m.label} {shown(m, m.theirs)} against {shown(m, m.ours)}{mark}"


def measured(result: ScenarioResult, other: ScenarioResult, exempt: bool) -> Alternative:
    """``other`` against the recommendation, with the basis of the money both plans are made from."""
    alt = compare_alternative(result, other, exempt)
    basis = Basis()
    for run in (result, other):
        if run.plan.plan is not None:
            basis = basis + options_basis(run.loaded.programme, [a.option for a in run.plan.plan.assignments])
    alt.basis = basis.words()
    return alt


def verdict(alt: Alternative, objective: str, exempt: bool = False) -> str:
    """The alternative's verdict in one or two sentences, from its measures alone."""
    if not alt.feasible:
        return (
            f"Rejected: no plan meets the capacity, budget and dependency limits it sets ({alt.status_text})."
        )
    worse = [m for m in alt.measures if winner(m) == "ours"]
    better = [m for m in alt.measures if winner(m) == "theirs"]
    reasons = [f"its {_figures(m, alt.basis)}" for m in worse]
    reasons += [
        f"it takes {service} from {provider} as an exception the MoU test does not recommend ({why})"
        for service, provider, why in alt.failing_exceptions
    ]
    withheld = (
        " Its money rests on commercially confidential prices; the two are compared in full in the "
        "exempt appendix."
        if alt.withheld and not exempt
        else ""
    )
    if not reasons and not better and alt.withheld and not exempt:
        return (
            "The figures that tell the two apart rest on commercially confidential prices; they are "
            "compared in full in the exempt appendix."
        )
    if not reasons and not better:
        same = (
            "makes the same choices as the recommendation" if alt.same_choices else "differs only in timing"
        )
        return (
            f"It {same} and gives the same figures on every measure shown, so it is not a separate "
            f"choice.{withheld}"
        )
    gone = (
        f" It leaves out {' and '.join(alt.missing)}, whose figures it therefore cannot show: the "
        "comparison is for the councils that stay."
        if alt.missing
        else ""
    )
    if not reasons:
        return (
            "Not rejected on these figures: it is better on every measure that differs ("
            + "; ".join(_figures(m, alt.basis) for m in better)
            + "). This is a weakness of the recommendation for Members to weigh."
            + gone
            + withheld
        )
    text = "Rejected: " + "; ".join(reasons) + "."
    if better:
        key = OBJECTIVE_KEY.get(objective)
        lead = next((m for m in worse if m.key == key), None)
        because = (
            f"the programme is planned for {OBJECTIVE_WORDS[objective]}, and on its {lead.label} the "
            "recommendation is ahead"
            if lead is not None
            else "of the reasons above, which Members should weigh against these advantages"
        )
        text += (
            " It is better on "
            + "; ".join(_figures(m, alt.basis) for m in better)
            + f", but the recommendation is preferred because {because}."
        )
    return text + gone + withheld


def _title(alt: Alternative) -> str:
    described = f" ({alt.description.strip().rstrip('.')})" if alt.description.strip() else ""
    return f"'{alt.name}'{described}"


def _rules_note(alt: Alternative, result: ScenarioResult) -> str:
    if alt.own_rules is None:
        return ""
    return (
        f" It is scored here on this report's rule set, '{result.loaded.rules.name}', so the two plans are "
        "compared on the same criteria (its own scenario uses another rule set)."
    )


def alternative_blocks(
    result: ScenarioResult,
    others: list[ScenarioResult],
    exempt: bool = False,
    shortlist: ShortList | None = None,
) -> list[Block]:
    """The short list (business as usual, do minimum, the preferred way forward, more ambitious),
    then each further scenario compared, each once."""
    objective = result.plan.objective
    listed = shortlist if shortlist is not None else short_list(result)
    nothing = [o for o in others if o.loaded.scenario.do_nothing]
    blocks: list[Block] = [
        para(
            "The Green Book short list: business as usual (doing nothing), doing the minimum, the "
            "preferred way forward (this report's recommendation) and a more ambitious option. Each is "
            "measured against the recommendation with the same criteria and weights, the same appraisal "
            "settings and the same treatment of confidential figures. The value score is each change's score "
            "gained on the agreed criteria over keeping the service as it is, with sooner gains counting "
            "more, as the plans are chosen."
        )
    ]
    blocks.append(para("Business as usual (doing nothing): " + _do_nothing(result, nothing, exempt)))
    if listed.do_minimum is not None:
        alt = measured(result, listed.do_minimum, exempt)
        blocks.append(
            para(
                f"Do minimum (change only {listed.minimum_service}, the service that gains most): "
                + verdict(alt, objective, exempt)
            )
        )
    else:
        blocks.append(para("Do minimum: " + _minimum(result)))
    blocks.append(para("Preferred way forward: " + _preferred(result)))
    if listed.ambitious is not None:
        alt = measured(result, listed.ambitious, exempt)
        names = ", ".join(listed.ambitious_services)
        blocks.append(para(f"More ambitious (also change {names}): {verdict(alt, objective, exempt)}"))
    else:
        blocks.append(para(f"More ambitious: no wider plan is open, because {listed.why_no_ambitious}."))
    rest = [o for o in others if not o.loaded.scenario.do_nothing]
    if rest:
        blocks.append(subheading("Other alternatives considered"))
    for other in rest:
        alt = measured(result, other, exempt)
        text = f"{_title(alt)}: {verdict(alt, objective, exempt)}{_rules_note(alt, result)}"
        blocks.append(para(text + _differences(result, other)))
    return blocks


def _minimum(result: ScenarioResult) -> str:
    """Why the short list has no separate do-minimum: the recommendation is already it."""
    if result.plan.plan is None or not result.plan.plan.assignments:
        return "the recommendation changes no service, so there is nothing smaller: it is business as usual."
    return "the recommendation changes a single service, so it is itself the minimum."


def _preferred(result: ScenarioResult) -> str:
    words = OBJECTIVE_WORDS[result.plan.objective]
    if result.plan.plan is not None and not result.plan.plan.assignments:
        return (
            f"the recommendation, which changes no service: of the plans within the programme's limits, "
            f"keeping every service as it is has {words} (section 5)."
        )
    return f"the recommendation, the plan with {words} within the programme's limits (section 5)."


def _do_nothing(result: ScenarioResult, scenarios: list[ScenarioResult], exempt: bool) -> str:
    """Doing nothing against the recommendation: it gains nothing and costs nothing."""
    named = f" (the scenario '{scenarios[0].loaded.name}')" if scenarios else ""
    if result.plan.plan is None or not result.plan.plan.assignments:
        return f"every service stays as it is{named}; this is also what the recommendation does."
    baseline = measured(result, _nothing(result), exempt)
    return f"every service stays as it is{named}. {verdict(baseline, result.plan.objective, exempt)}"


def _nothing(result: ScenarioResult) -> ScenarioResult:
    return variant(result, "Do nothing", do_nothing=True)


def _differences(result: ScenarioResult, other: ScenarioResult) -> str:
    """The services whose choice differs, by name: provider and start in each plan."""
    mine = _rows(result)
    theirs = _rows(other)
    changed = [
        f"{name}: {mine.get(s, (name, 'as it is'))[1]} → {theirs.get(s, (name, 'as it is'))[1]}"
        for s, name in {**{k: v[0] for k, v in theirs.items()}, **{k: v[0] for k, v in mine.items()}}.items()
        if mine.get(s, (name, "as it is"))[1] != theirs.get(s, (name, "as it is"))[1]
    ]
    return (" It differs in: " + "; ".join(changed) + ".") if changed else ""


def _rows(result: ScenarioResult) -> dict[str, tuple[str, str]]:
    schedule = result.plan.to_frame()
    return {
        str(r["service"]): (str(r["service_name"]), f"{r['provider_name']} from {r['start_label']}")
        for _, r in schedule.iterrows()
    }


def exempt_comparisons(result: ScenarioResult, others: list[ScenarioResult]) -> list[Block]:
    """For the exempt appendix: in full, every comparison the public report leaves to it (those
    whose money rests on a confidential price), and nothing the public report already says."""
    listed = short_list(result)
    nothing = [] if result.plan.plan is None or not result.plan.plan.assignments else [_nothing(result)]
    candidates = [
        ("Business as usual (doing nothing)", nothing[0] if nothing else None),
        ("Do minimum", listed.do_minimum),
        ("More ambitious", listed.ambitious),
        *((f"'{o.loaded.name}'", o) for o in others if not o.loaded.scenario.do_nothing),
    ]
    blocks: list[Block] = []
    for title, other in candidates:
        if other is None or not compare_alternative(result, other, False).withheld:
            continue
        alt = measured(result, other, True)
        shown = "; ".join(_figures(m, alt.basis) for m in alt.measures)
        blocks.append(para(f"{title}: {shown}. {verdict(alt, result.plan.objective, exempt=True)}"))
    if blocks:
        blocks.insert(0, subheading("Alternatives compared in full"))
    return blocks
