"""Sections 1–6 of the Cabinet report, and the assembly of the whole.

The structure is the June 2015 Gloucester report's (header block, eleven numbered sections,
appendices).  Every figure comes from the engine's results for the scenario; nothing is typed in.
Where a figure is exempt the public report says where to find it instead.
"""

from __future__ import annotations

from pathlib import Path

from engine.appraisal.evidence import Evidence, gather
from engine.appraisal.scenario import ScenarioResult, inputs_hash
from engine.base.version import package_version
from engine.present.mou import memorandum_texts
from engine.present.ties import recommendation_tie
from engine.present.weights import approval_text, day, weight_set_text
from engine.programme.model import Programme
from engine.report.alternatives import OBJECTIVE_WORDS, alternative_blocks, exempt_comparisons
from engine.report.appendices import appendix_exceptions, appendix_plan, appendix_scores
from engine.report.cases import appendix_mou, background_papers, cases, consultation
from engine.report.council import Audience, audience, default_council, key_decision
from engine.report.document import Block, Report, Section, items, para, section, table
from engine.report.figures import FinanceView, finance_view
from engine.report.implications import corporate, financial, legal, people, risk
from engine.report.money import exact_blocks
from engine.report.nochange import changes_nothing, planned, unplanned_names, why_nothing
from engine.report.resolutions import consensus_blocks, recommendation_blocks
from engine.scoring.ties import near_ties


def build_report(
    result: ScenarioResult,
    others: list[ScenarioResult] | None = None,
    gantt: Path | None = None,
    exempt: bool = False,
    draws: int = 1000,
    seed: int = 0,
    evidence: Evidence | None = None,
    council: str | None = None,
) -> Report:
    """The public report (``exempt=False``) or its exempt appendix, for ``council``'s decision-making
    body (a partner's id or name; default: the programme's lead council, see
    :func:`engine.report.council.audience`); ``evidence`` (sensitivity and switching values, see
    :func:`engine.appraisal.evidence.gather`) is gathered here unless given."""
    others = others or []
    who = audience(result.loaded.programme, council)
    evidence = evidence or gather(result, draws=draws, seed=seed)
    money = finance_view(result, include_exempt=exempt)
    provenance = [
        ("produced by", f"ssplan {package_version()}"),
        ("scenario", f"{result.loaded.name} ({result.loaded.path.name})"),
        ("rule set", f"{result.loaded.rules.id} ({result.scores.method})"),
        ("rule set approval", approval_text(result.loaded.rules).partition(": ")[2]),
        ("weights", _weights_source(result)),
        ("inputs hash (SHA-256)", inputs_hash(result)),
        ("sensitivity", f"{draws} draws, seed {seed}"),
    ]
    if exempt:
        return _exempt_report(result, others, evidence, money, provenance, who)
    sections = [
        _purpose(result, others, who),
        _recommendations(result, who),
        _background(result),
        _alternatives(result, others, exempt),
        _reasons(result, evidence),
        _future(result, who),
        financial(result, money, who.council.id),
        legal(result),
        risk(result, evidence, exempt),
        people(result, who.council.id),
        corporate(result),
        cases(result),
        consultation(result),
        background_papers(result),
    ]
    plan_appendix = appendix_plan(result, gantt)
    plan_appendix.blocks += exact_blocks(result, money, exempt)
    appendices = [
        plan_appendix,
        appendix_scores(result, exempt),
        appendix_exceptions(result, evidence, exempt),
        appendix_mou(result),
    ]
    return Report(
        _header(result, appendices, who, money),
        "FOR GENERAL RELEASE",
        _subject(result),
        sections,
        appendices,
        provenance,
        properties=_properties(result, who, exempt=False),
    )


def _exempt_report(
    result: ScenarioResult,
    others: list[ScenarioResult],
    evidence: Evidence,
    money: FinanceView | None,
    provenance: list[tuple[str, str]],
    who: Audience,
) -> Report:
    """The exempt appendix: the figures the public report withholds, and nothing it already says,
    with the public-interest test that justifies withholding them."""
    exemption = section(
        "exemption",
        [
            para(
                f"This appendix to the report '{_subject(result)}' is not for publication: it contains "
                "information relating to the financial or business affairs of particular persons (Local "
                "Government Act 1972, Schedule 12A, Part 1, paragraph 3)."
            ),
            para(
                "Public interest test: the public interest in openness about how the council spends money "
                "and chooses its providers is met by the public report, which gives every figure except "
                "the commercially confidential prices here. Publishing those prices would prejudice the "
                "providers' commercial position and the council's ability to obtain best value in "
                "negotiation, so the public interest in maintaining the exemption outweighs the public "
                f"interest in disclosing it. {who.body_title} is asked to exclude the press and public "
                "while it considers this appendix."
            ),
        ],
        exempt=True,
    )
    money_section = _retitled(financial(result, money, who.council.id))
    money_section.blocks += exact_blocks(result, money, True)  # to the penny, with every figure's basis
    money_section.blocks += exempt_comparisons(result, others)  # what section 4 leaves to this appendix
    appendices = [
        _retitled(appendix_scores(result, True)),
        _retitled(appendix_exceptions(result, evidence, True)),
    ]
    header = _header(result, appendices, who, money)
    return Report(
        header,
        "NOT FOR PUBLICATION",
        _subject(result),
        [exemption, money_section],
        appendices,
        provenance,
        exempt=True,
        properties=_properties(result, who, exempt=True),
    )


def _subject(result: ScenarioResult) -> str:
    return result.loaded.scenario.report.subject or result.loaded.programme.name


def _header(
    result: ScenarioResult, appendices: list[Section], who: Audience, money: FinanceView | None
) -> dict[str, str]:
    details = result.loaded.scenario.report
    programme = result.loaded.programme
    contact = details.contact_officer
    reach = [
        x
        for x in (
            details.contact_email and f"Email: {details.contact_email}",
            details.contact_telephone and f"Tel: {details.contact_telephone}",
        )
        if x
    ]
    key, forward_plan = key_decision(result, who, money)
    return {
        "meeting": _meetings(result, who),
        "subject": _subject(result),
        "report_of": details.report_of,
        "wards_affected": details.wards_affected,
        "key_decision": key,
        "forward_plan": forward_plan,
        "budget_policy_framework": "Yes" if details.budget_policy_framework else "No",
        "contact_officer": contact + (f" ({'; '.join(reach)})" if reach else ""),
        "appendices": "; ".join(f"{a.number.split()[-1]}. {a.title}" for a in appendices),
        "programme": f"{result.loaded.base.name} ({programme.id})",
    }


def _meetings(result: ScenarioResult, who: Audience) -> str:
    """The scenario's own meetings for the programme's lead council; else the council's body's and
    its scrutiny committee's dates from the programme's governance, else "date to be set"."""
    meetings = result.loaded.scenario.report.meetings
    if meetings and who.council.id == default_council(result.loaded.programme).id:
        return "; ".join(f"{m.body}, {m.date}" for m in meetings)
    governance = who.governance
    held: list[str] = []
    if governance is not None:
        if governance.scrutiny:
            held += [f"{governance.scrutiny}, {day(d)}" for d in governance.scrutiny_meetings]
        held += [f"{who.body_title}, {day(d)}" for d in governance.meetings]
    return "; ".join(held) or f"{who.council.name} {who.body.removeprefix('the ')}, date to be set"


def _properties(result: ScenarioResult, who: Audience, exempt: bool) -> dict[str, str]:
    """The document's title, author and subject (File > Properties), from the report itself."""
    details = result.loaded.scenario.report
    subject = f"Report to {who.council.name} {who.body.removeprefix('the ')}"
    return {
        "title": _subject(result) + (" (exempt appendix)" if exempt else ""),
        "author": details.contact_officer,
        "subject": subject + (": NOT FOR PUBLICATION" if exempt else ""),
    }


def _purpose(result: ScenarioResult, others: list[ScenarioResult], who: Audience) -> Section:
    programme = result.loaded.programme
    blocks = [para(_purpose_text(result, who))]
    if programme.policies:
        blocks.append(
            para(
                "To set out how the services were prioritised (Appendix 2) and the justification for every "
                f"case where a partner other than {programme.expected_provider_words} was considered "
                "(Appendix 3)."
            )
        )
    else:
        blocks.append(para("To set out how the services were prioritised (Appendix 2)."))
    if who.consensus_body is not None:
        blocks.append(
            para(
                f"The programme decides by consensus through {who.consensus_body}; this report asks for "
                f"{who.council.name}'s own decision, subject to {who.subject_to}."
            )
        )
    if others:
        names = ", ".join(f"'{o.loaded.name}'" for o in others)
        nothing = any(o.loaded.scenario.do_nothing for o in others)  # named once, not twice
        blocks.append(
            para(f"To report the alternatives considered: {names}{'' if nothing else ', and doing nothing'}.")
        )
    return section("purpose", blocks)


def _purpose_text(result: ScenarioResult, who: Audience) -> str:
    """1.1: the order of the changes, the single change, or that nothing changes and why."""
    programme, scenario = result.loaded.programme, result.loaded.name
    count, total = len(planned(result)), len(programme.services)
    asked = f"{who.council.name}'s approval, through {who.body}"
    if changes_nothing(result):
        return (
            f"To report to {who.body} that under this scenario ({scenario}) none of the {total} services in "
            f"the {result.loaded.base.name} would change how it is delivered, because {why_nothing(result)}, "
            "and to note that every service stays as it is for now."
        )
    if count == 1:
        return (
            f"To seek {asked}, of the recommended change to how 1 of the {total} services in the "
            f"{result.loaded.base.name} is delivered, and of its delivery partner, as set out in the "
            f"high-level implementation plan at Appendix 1 (scenario: {scenario})."
        )
    return (
        f"To seek {asked}, of the recommended order in which {count} of the {total} services in the "
        f"{result.loaded.base.name} would change how they are delivered, and of the delivery partner for "
        f"each, as set out in the high-level implementation plan at Appendix 1 (scenario: {scenario})."
    )


def _recommendations(result: ScenarioResult, who: Audience) -> Section:
    """Scrutiny's recommendation and the resolutions for ``who``'s body (engine/report/resolutions.py)."""
    return section("recommendations", recommendation_blocks(result, who))


def _background(result: ScenarioResult) -> Section:
    loaded = result.loaded
    programme, rules, table_ = loaded.programme, loaded.rules, result.scores
    blocks = []
    if programme.description:
        blocks.append(para(programme.description))
    partners = ", ".join(f"{p.name} ({p.kind.replace('_', ' ')})" for p in programme.partners)
    blocks.append(para(f"The partners are: {partners}."))
    blocks += [para(text) for text in _policy_texts(programme)]
    blocks += consensus_blocks(result)
    blocks.append(
        para(
            f"The programme was prioritised on {len(rules.criteria)} criteria with the rule set "
            f"'{rules.id}' and the {'weighted sum' if table_.method == 'wsm' else 'TOPSIS'} method; each "
            "criterion's values are put on a common scale and weighted as below."
        )
    )
    blocks.append(
        table(
            ["criterion", "what it measures", "weight"],
            [[c.name, c.text, f"{table_.weights[c.id]:.0%}"] for c in rules.criteria],
            caption="Prioritisation criteria and weights",
        )
    )
    blocks.append(para(_provenance(result)))
    if loaded.scenario.description:
        blocks.append(para(f"This report's scenario: {loaded.scenario.description}"))
    return section("background", blocks)


def _provenance(result: ScenarioResult) -> str:
    """Whose weights and whose rules: a Scrutiny member's first question, answered where the
    criteria are described (the rule set's approval honestly "not yet" where nobody gave one)."""
    loaded = result.loaded
    rules = approval_text(loaded.rules, quote="'").replace("Rule set", "The rule set", 1)
    if loaded.weight_set is not None:
        weights = weight_set_text(loaded.weight_set, quote="'").replace(
            "Weights", "The weights are the set", 1
        )
    elif loaded.scenario.weights:
        weights = "The weights are set by this scenario; no named stakeholder's weight set records them"
    else:
        weights = "The weights are the rule set's own; no named stakeholder's weight set records them"
    return f"{rules}. {weights}."


def _weights_source(result: ScenarioResult) -> str:
    chosen = result.loaded.weight_set
    if chosen is not None:
        return f"weight set {chosen.name}, {chosen.who()}, {day(chosen.given_on)}"
    return "set by the scenario" if result.loaded.scenario.weights else "the rule set's own"


def _alternatives(result: ScenarioResult, others: list[ScenarioResult], exempt: bool) -> Section:
    return section("alternatives", alternative_blocks(result, others, exempt))


def _gain(value: str | float) -> str:
    return value if isinstance(value, str) else f"{value:.3f}"


def _reasons(result: ScenarioResult, evidence: Evidence) -> Section:
    plan = result.plan
    blocks = _gain_order(result)
    blocks.append(para(_chosen(result)))
    for text in evidence.binding:
        blocks.append(para(text))
    blocks += _tie_reasons(result)
    if plan.advice:
        blocks.append(items("What would have to change for a plan to exist:", list(plan.advice)))
    return section("reasons", blocks)


def _chosen(result: ScenarioResult) -> str:
    """5.1: how the plan was chosen: an order, a single change, or no change and why."""
    plan = result.plan
    checked = "and was checked independently against every one of them before this report was written"
    limits = "the programme's resource limits, dependencies and budgets"
    if changes_nothing(result):
        return (
            f"No change is recommended, because {why_nothing(result)}: keeping every service as it is "
            f"was found by optimisation for {OBJECTIVE_WORDS[plan.objective]} ({plan.status_text}) within "
            f"{limits}, {checked}."
        )
    what = "The change was chosen" if len(planned(result)) == 1 else "The order was chosen"
    return (
        f"{what} by optimisation for {OBJECTIVE_WORDS[plan.objective]}: the plan is {plan.status_text} "
        f"within {limits}, {checked}."
    )


def _gain_order(result: ScenarioResult) -> list[Block]:
    """The services that gain most, with when each starts; "the biggest gains come first" is said
    only when the plan's first start is the biggest gain, else what sets the order instead."""
    services = result.scores.public_services()  # a gain worked from an exempt price is banded
    acting = services[services["status"] == "change"].sort_values("priority")
    schedule = result.plan.to_frame()
    if not len(acting) or not len(schedule):
        return []
    order = list(schedule.sort_values(["start", "service"])["service"].astype(str))
    starts = dict(zip(schedule["service"].astype(str), schedule["start_label"], strict=True))

    def when(service: str) -> str:
        if service not in starts:
            return "not in this plan"
        return f"starts {starts[service]}, {_ordinal(order.index(service) + 1)} of {len(order)}"

    top = "; ".join(
        f"{r['name']} (gain {_gain(r['gain'])} over keeping it as it is; {when(str(r['service']))})"
        for _, r in acting.head(3).iterrows()
    )
    first = str(acting.iloc[0]["service"])
    lead = "The services that gain most on the agreed criteria are: " + top + "."
    if order and order[0] == first:
        lead += " The service that gains most starts first."
    else:
        lead += (
            " The order is not by gain alone: dependencies, the capacity of each resource and the budgets "
            "set when each service can start, and the plan weighs each service's gain against when it can "
            "start."
        )
    return [para(lead)]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _tie_reasons(result: ScenarioResult) -> list:
    """A recommendation effectively tied with another option is not a decision the scores made:
    say so beside the reasons (public view: banded scores are never compared)."""
    scores = result.scores
    ties = near_ties(scores)
    programme = result.loaded.programme
    return [
        para(f"The recommendation for {programme.service(s).name} is {recommendation_tie(scores, ties, s)}.")
        for s in ties.recommendation
    ]


def _future(result: ScenarioResult, who: Audience) -> Section:
    kept = unplanned_names(result)
    governance = result.loaded.programme.governance
    cases = governance is not None and governance.business_cases
    if changes_nothing(result):
        first = f"No change is planned now; any later change will come back to {who.body}" + (
            " with its own business case before any binding decision is made."
            if cases
            else " for its decision."
        )
    elif cases:
        first = (
            f"Each service will come back to {who.body} with its own business case before any binding "
            "decision is made, so the start dates in Appendix 1 are indicative; the figures here are for "
            "prioritisation and are to be confirmed in those cases."
        )
    else:
        first = (
            f"Each change will come back to {who.body} for its decision; the figures here are for "
            "prioritisation and are to be confirmed before then."
        )
    blocks = [para(first)]
    if kept:
        lead = (
            "Every service stays under review"
            if changes_nothing(result)
            else "Services not in this plan stay under review"
        )
        blocks.append(
            para(
                f"{lead}: "
                + ", ".join(kept)
                + ". They can enter a later plan if their options improve or capacity allows."
            )
        )
    programme = result.loaded.programme
    estimates = [o for o in programme.options if o.illustrative]
    if estimates:
        blocks.append(
            para(
                f"{len(estimates)} of the {len(programme.options)} options' figures are wholly or partly "
                "illustrative estimates, marked as such beside each figure in section 7 and Appendix 1; "
                "they should be replaced by the business cases' figures as these firm up."
            )
        )
    return section("future", blocks)


def _retitled(part: Section) -> Section:
    """A public section's content under the exempt appendix's outline."""
    return section(part.key, part.blocks, exempt=True)


def _policy_texts(programme: Programme) -> list[str]:
    """The MoU as it is and the programme's reading of it (engine/present/mou.py)."""
    return memorandum_texts(programme)
