"""Appendices 1–3: the implementation plan, the scoring matrix and the exception justifications."""

from __future__ import annotations

from pathlib import Path

from engine.appraisal.evidence import Evidence
from engine.appraisal.scenario import ScenarioResult
from engine.present.assumed import assumed_label, summary_line
from engine.present.frames import name_ids
from engine.present.mou import READING, verdict_words
from engine.present.plain import ASSUMED_NOTE
from engine.present.ties import recommendation_tie, tie_rule
from engine.present.unknowns import range_detail
from engine.present.words import option_labels, option_phrase
from engine.programme.exempt import band
from engine.programme.model import Programme
from engine.programme.naming import option_name
from engine.report.document import EXEMPT, Block, Section, para, section, subheading, table
from engine.report.figures import percent, pounds, secret_options
from engine.scoring.assumed import assumed_inputs
from engine.scoring.ties import near_ties
from engine.scoring.unknowns import unknown_ranges


def appendix_plan(result: ScenarioResult, gantt: Path | None) -> Section:
    blocks: list[Block] = []
    if gantt is not None:
        blocks.append(Block("image", image=gantt, caption="High-level implementation plan (Gantt chart)"))
    schedule, programme = result.plan.to_frame(), result.loaded.programme
    if len(schedule):
        blocks.append(
            table(
                ["service", "change", "start", "finish"],
                [
                    [
                        str(r["service_name"]),
                        option_name(programme, str(r["option"])) + (" (exception)" if r["exception"] else ""),
                        str(r["start_label"]),
                        str(r["finish_label"]),
                    ]
                    for _, r in schedule.iterrows()
                ],
            )
        )
        for _, r in schedule[schedule["stages"] != ""].iterrows():
            blocks.append(
                para(
                    f"{r['service_name']} changes in stages: {r['stages']}. The dates in the table run "
                    "from the first stage's start to the last stage's go-live.",
                    numbered=False,
                )
            )
    elif result.plan.plan is not None:
        blocks.append(
            para(
                "Every service stays as it is under this scenario: there is nothing to schedule.",
                numbered=False,
            )
        )
    else:
        blocks.append(para(f"No plan: {result.plan.status_text}.", numbered=False))
    return section("appendix_plan", blocks)


def appendix_scores(result: ScenarioResult, exempt: bool) -> Section:
    scores = result.scores
    programme = result.loaded.programme
    criteria = scores.rules.criteria
    frame = scores.options
    blocks: list[Block] = [
        para(
            "Every option of every service, each criterion's score on a common scale, its weight, and "
            "the total. The recommended option is ranked 1 within its service; options ruled out say why. "
            + (
                "Each score is the option's change from keeping the service as it is, over the largest "
                "change in the programme: from −1 to 1, with doing nothing at 0."
                if scores.rules.normalisation == "change"
                else "Scores run from 0 to 1."
            ),
            numbered=False,
        ),
        table(
            ["criterion", "weight"],
            [[c.name, f"{scores.weights[c.id]:.0%}"] for c in criteria],
            caption="Weights",
        ),
    ]
    rows = []
    scales = set() if exempt else set(scores.secret_scales())  # every value on these rests on a price
    banding = programme.settings.band_exempt_scores
    for _, r in frame.iterrows():
        cells = [programme.service(str(r["service"])).name, option_name(programme, str(r["option"]))]
        if not r["eligible"]:
            cells += ["—"] * len(criteria) + ["ruled out", str(r["ineligible_reason"])]
        elif r["exempt"] and not exempt:
            # every criterion withheld, not only those read from the confidential figure: with the
            # total and all but one criterion shown, that one (and through min–max, the price) follows
            # the total and its rank too: with the public criteria they give the withheld one back
            shown = band(float(r["score"])) if programme.settings.band_exempt_scores else f"{r['score']:.3f}"
            cells += [EXEMPT] * len(criteria) + [shown or EXEMPT, EXEMPT]
        else:
            cells += [EXEMPT if c.id in scales else f"{r[f'{c.id}.normalised']:.3f}" for c in criteria]
            total = (band(float(r["score"])) if scales and banding else None) or f"{r['score']:.3f}"
            cells += [total, str(int(r["rank_in_service"]))]
        rows.append(cells)
    blocks.append(
        table(
            ["service", "option", *[c.name for c in criteria], "score", "rank in service"],
            rows,
            caption="Scoring matrix",
        )
    )
    blocks.append(subheading("Rules that applied"))
    labels = option_labels(programme)  # "Service: option", for tables without a service column
    fired_rows = [
        [labels[str(frame.iloc[i]["option"])], f.text + (f" ({f.effect})" * bool(f.effect))]
        for i, fired in enumerate(scores.fired)
        for f in fired
    ]
    if fired_rows:
        blocks.append(table(["option", "rule"], fired_rows))
    else:
        blocks.append(para("No eligibility rule or adjustment applied to any option.", numbered=False))
    blocks += _unknown_blocks(result, exempt)
    blocks += _assumed_blocks(result, exempt) + _tie_blocks(result, exempt)
    if exempt:
        secret = secret_options(result.loaded.programme)
        raw_rows = [
            [labels[str(r["option"])], c.name, f"{r[f'{c.id}.raw']:,.2f}"]
            for _, r in frame.iterrows()
            if r["option"] in secret
            for c in criteria
            if c.id in r["exempt"]
        ]
        if raw_rows:
            blocks.append(subheading("Exempt raw values"))
            blocks.append(table(["option", "criterion", "raw value"], raw_rows))
    return section("appendix_scores", blocks)


def appendix_exceptions(result: ScenarioResult, evidence: Evidence, exempt: bool) -> Section:
    programme = result.loaded.programme
    exceptions = result.scores.exceptions
    secret = secret_options(programme)
    chance = (
        evidence.sensitivity.exceptions.set_index("exception")
        if len(evidence.sensitivity.exceptions)
        else None
    )
    blocks: list[Block] = []
    if not len(exceptions):
        blocks.append(
            para(
                f"No option from a partner other than {programme.expected_provider_words} was considered."
                if programme.policies
                else "The programme has no exception policy, so no option is an exception.",
                numbered=False,
            )
        )
    for _, r in exceptions.iterrows():
        option = str(r["option"])
        blocks.append(
            subheading(f"{programme.service(str(r['service'])).name}: {option_name(programme, option)}")
        )
        benchmark = r["benchmark_option"]
        against = option_phrase(programme, benchmark) if isinstance(benchmark, str) else ""
        weighed_on_secrets = option in secret or (isinstance(benchmark, str) and benchmark in secret)
        weighed_on_secrets |= bool(result.scores.secret_scales())  # every score gives a price back
        if isinstance(benchmark, str) and weighed_on_secrets and not exempt:
            blocks.append(
                para(
                    f"It is weighed against {against} with the programme's "
                    "margin of "
                    f"{r['margin']:.0%} of its net present value (£); {READING}. The figures "
                    "compared rest on exempt prices and are given in the "
                    f"exempt appendix. Verdict: {r['verdict']}.",
                    numbered=False,
                )
            )
        elif isinstance(benchmark, str):
            blocks.append(
                para(
                    f"It scores {r['score']:.3f} against {r['benchmark_score']:.3f} for {against}; "
                    f"{_named(verdict_words(r), programme)}. Verdict: {r['verdict']}.",
                    numbered=False,
                )
            )
        else:
            blocks.append(
                para(
                    f"{programme.expected_provider_words.capitalize()} offers no option here. "
                    f"Verdict: {r['verdict']}.",
                    numbered=False,
                )
            )
        flips = [s for s in evidence.switching if s.exception == option]
        hidden = weighed_on_secrets and not exempt
        if flips and hidden:
            blocks.append(para(f"Switching values: {EXEMPT}.", numbered=False))
        elif flips:
            blocks.append(
                para(
                    "Switching values: " + "; ".join(_named(s.text(), programme) for s in flips) + ".",
                    numbered=False,
                )
            )
        if chance is not None and option in chance.index:
            row = chance.loc[option]
            blocks.append(
                para(
                    f"Under {evidence.sensitivity.draws:,} random variations of the weights it is "
                    f"recommended in {percent(row['P(recommended)'], 1)} of cases.",
                    numbered=False,
                )
            )
        if r["decision_route"]:
            blocks.append(para(f"Decision route: {r['decision_route']}.", numbered=False))
    if exempt:
        figures = [
            [option_name(programme, o.id), name.replace("_", " "), pounds(float(getattr(o, name)))]
            for o in programme.options
            if o.id in secret
            for name in ("annual_cost", "one_off_cost", "stranded_cost")
            if name in o.exempt
        ]
        if figures:
            blocks.append(subheading("Exempt figures"))
            blocks.append(table(["option", "field", "value"], figures))
    return section("appendix_exceptions", blocks)


def _named(text: str, programme: Programme) -> str:
    """A sentence the scoring wrote with option ids, with each option named as members read it
    ("the joint venture with Riverside Legal Services Ltd")."""
    lookup = {
        o.id: "keeping the service as it is" if o.is_status_quo else option_phrase(programme, o.id)
        for o in programme.options
    }
    return name_ids(text, lookup)


def _unknown_blocks(result: ScenarioResult, exempt: bool) -> list[Block]:
    """Scores that rest on values the sources do not give, with their ranges, and the services
    whose recommendation could change while those values stay unknown (nothing when none)."""
    scores = result.scores
    ranges = unknown_ranges(scores)
    flagged = [i for i, reads in enumerate(ranges.reads) if reads]
    if not flagged:
        return []
    options, programme = scores.options, result.loaded.programme
    labels = option_labels(programme)
    rows = [
        [labels[str(options.iloc[i]["option"])], range_detail(scores, ranges, i, exempt)] for i in flagged
    ]
    blocks = [
        subheading("Scores resting on unknown values"),
        para(
            "Each value the sources do not give was tried at the values the same field takes elsewhere "
            "in the programme; the range is the lowest and highest score that gives.",
            numbered=False,
        ),
        table(["option", "score while unknown"], rows),
    ]
    for service, choices in ranges.choices.items():
        blocks.append(
            para(
                f"The recommendation for {programme.service(service).name} could be "
                + " or ".join(option_name(programme, c) for c in choices)
                + " while these values are unknown.",
                numbered=False,
            )
        )
    return blocks


def _assumed_blocks(result: ScenarioResult, exempt: bool) -> list[Block]:
    """Each option's inputs the rule set assumed, and the part of its score they carry."""
    scores = result.scores
    assumed = assumed_inputs(scores)
    if not any(assumed):
        return []
    labels = option_labels(result.loaded.programme)
    rows = [
        [
            labels[str(scores.options.iloc[i]["option"])],
            "; ".join(assumed_label(scores, a, exempt) for a in items),
        ]
        for i, items in enumerate(assumed)
        if items
    ]
    return [
        subheading("Scores resting on assumed values"),
        para(f"{summary_line(scores, assumed)}: {ASSUMED_NOTE}.", numbered=False),
        table(["option", "assumed (part of the score it carries)"], rows),
    ]


def _tie_blocks(result: ScenarioResult, exempt: bool) -> list[Block]:
    """Options and services whose scores are effectively equal (nothing when none)."""
    scores = result.scores
    ties = near_ties(scores, include_exempt=exempt)
    if not ties.any():
        return []
    programme = result.loaded.programme
    rows = [
        [
            programme.service(str(scores.options.iloc[i]["service"])).name,
            option_name(programme, str(scores.options.iloc[i]["option"])),
            ", ".join(option_name(programme, o) for o in others),
        ]
        for i, others in enumerate(ties.options)
        if others
    ]
    rows += [
        [
            "(ranking)",
            programme.service(str(scores.services.iloc[k]["service"])).name,
            ", ".join(programme.service(s).name for s in others),
        ]
        for k, others in enumerate(ties.services)
        if others
    ]
    blocks = [
        subheading("Effectively equal scores"),
        para(f"In this programme {tie_rule(scores, ties)}.", numbered=False),
        table(["service", "option or service", "effectively equal to"], rows),
    ]
    for service in ties.recommendation:
        name = programme.service(service).name
        blocks.append(
            para(
                f"The recommendation for {name} is {recommendation_tie(scores, ties, service)}.",
                numbered=False,
            )
        )
    return blocks
