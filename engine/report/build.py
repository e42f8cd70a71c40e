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
from engine.present.mou import READING, margin_words
from engine.present.ties import recommendation_tie
from engine.present.weights import approval_text, day, weight_set_text
from engine.programme.model import Programme
from engine.report.alternatives import OBJECTIVE_WORDS, alternative_blocks, exempt_comparisons
from engine.report.appendices import appendix_exceptions, appendix_plan, appendix_scores
from engine.report.document import Block, Report, Section, items, para, section, table
from engine.report.figures import FinanceView, finance_view
from engine.report.implications import corporate, financial, legal, people, risk
from engine.report.money import exact_blocks
from engine.scoring.ties import near_ties


def build_report(
    result: ScenarioResult,
    others: list[ScenarioResult] | None = None,
    gantt: Path | None = None,
    exempt: bool = False,
    draws: int = 1000,
    seed: int = 0,
    evidence: Evidence | None = None,
) -> Report:
    """The public report (``exempt=False``) or its exempt appendix; ``evidence`` (sensitivity and
    switching values, see :func:`engine.appraisal.evidence.gather`) is gathered here unless given."""
    others = others or []
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
        return _exempt_report(result, others, evidence, money, provenance)
    sections = [
        _purpose(result, others),
        _recommendations(result, evidence),
        _background(result),
        _alternatives(result, others, exempt),
        _reasons(result, evidence),
        _future(result),
        financial(result, money),
        legal(result),
        risk(result, evidence, exempt),
        people(result),
        corporate(result),
    ]
    plan_appendix = appendix_plan(result, gantt)
    plan_appendix.blocks += exact_blocks(result, money, exempt)
    appendices = [
        plan_appendix,
        appendix_scores(result, exempt),
        appendix_exceptions(result, evidence, exempt),
    ]
    return Report(
        _header(result, appendices), "FOR GENERAL RELEASE", _subject(result), sections, appendices, provenance
    )


def _exempt_report(
    result: ScenarioResult,
    others: list[ScenarioResult],
    evidence: Evidence,
    money: FinanceView | None,
    provenance: list[tuple[str, str]],
) -> Report:
    """The exempt appendix: the figures the public report withholds, and nothing it already says."""
    exemption = section(
        "exemption",
        [
            para(
                f"This appendix to the report '{_subject(result)}' is not for publication: it contains "
                "information relating to the financial or business affairs of particular persons (Local "
                "Government Act 1972, Schedule 12A, Part 1, paragraph 3)."
            )
        ],
        exempt=True,
    )
    money_section = _retitled(financial(result, money))
    money_section.blocks += exact_blocks(result, money, True)  # to the penny, with every figure's basis
    money_section.blocks += exempt_comparisons(result, others)  # what section 4 leaves to this appendix
    appendices = [
        _retitled(appendix_scores(result, True)),
        _retitled(appendix_exceptions(result, evidence, True)),
    ]
    header = _header(result, appendices)
    return Report(
        header,
        "NOT FOR PUBLICATION",
        _subject(result),
        [exemption, money_section],
        appendices,
        provenance,
        exempt=True,
    )


def _subject(result: ScenarioResult) -> str:
    return result.loaded.scenario.report.subject or result.loaded.programme.name


def _header(result: ScenarioResult, appendices: list[Section]) -> dict[str, str]:
    details = result.loaded.scenario.report
    programme = result.loaded.programme
    meetings = details.meetings or ()
    meeting_text = (
        "; ".join(f"{m.body}, {m.date}" for m in meetings)
        if meetings
        else f"{_final_body(result)}, date to be set"
    )
    contact = details.contact_officer
    reach = [
        x
        for x in (
            details.contact_email and f"Email: {details.contact_email}",
            details.contact_telephone and f"Tel: {details.contact_telephone}",
        )
        if x
    ]
    return {
        "meeting": meeting_text,
        "subject": _subject(result),
        "report_of": details.report_of,
        "wards_affected": details.wards_affected,
        "key_decision": "Yes" if details.key_decision else "No",
        "budget_policy_framework": "Yes" if details.budget_policy_framework else "No",
        "contact_officer": contact + (f" ({'; '.join(reach)})" if reach else ""),
        "appendices": "; ".join(f"{a.number.split()[-1]}. {a.title}" for a in appendices),
        "programme": f"{result.loaded.base.name} ({programme.id})",
    }


def _final_body(result: ScenarioResult) -> str:
    policies = result.loaded.programme.policies
    return policies[0].final_decision if policies else "Cabinet"


def _purpose(result: ScenarioResult, others: list[ScenarioResult]) -> Section:
    programme = result.loaded.programme
    changes = result.plan.plan.assignments if result.plan.plan else ()
    blocks = [
        para(
            f"To seek approval of the recommended order in which {len(changes)} of the "
            f"{len(programme.services)} services in the {result.loaded.base.name} would change how they are "
            f"delivered, and of the delivery partner for each, as set out in the "
            f"high-level implementation plan at Appendix 1 (scenario: {result.loaded.name})."
        ),
        para(
            "To set out how the services were prioritised (Appendix 2) and the justification for every "
            f"case where a partner other than {programme.expected_provider_words} was considered "
            "(Appendix 3)."
        ),
    ]
    if others:
        names = ", ".join(f"'{o.loaded.name}'" for o in others)
        blocks.append(para(f"To report the alternatives considered: {names}, and doing nothing."))
    return section("purpose", blocks)


def _recommendations(result: ScenarioResult, evidence: Evidence) -> Section:
    body = _final_body(result)
    plan = result.plan
    schedule = plan.to_frame()
    resolutions = []
    if plan.plan is None:
        resolutions.append(
            "To note that no plan meets the programme's limits, and to consider the changes to "
            "capacity or timing set out in section 5."
        )
    else:
        order = "; ".join(
            f"{r['service_name']} ({r['stages']})"
            if r["stages"]
            else f"{r['service_name']} ({r['provider_name']}, from {r['start_label']})"
            for _, r in schedule.iterrows()
        )
        proven = "" if plan.status_text == "optimal" else f" The plan is the {plan.status_text}."
        resolutions.append(
            f"To agree the High Level Implementation Plan in Appendix 1, which changes {len(schedule)} "
            f"services in this order: {order}.{proven}"
        )
    for _, row in result.scores.exceptions.iterrows():
        if row["verdict"] == "recommended by exception" and row["option"] in set(schedule.get("option", [])):
            resolutions.append(
                f"To approve, as an exception to {result.loaded.programme.expected_provider_words} under "
                "the Memorandum of "
                f"Understanding, that {row['service']} be delivered by {row['provider_name']}, for the "
                f"reasons in Appendix 3 ({row['decision_route']})."
            )
    kept = [s for s in result.loaded.programme.services if s.id not in set(schedule.get("service", []))]
    if kept:
        resolutions.append(
            "To note that these services stay as they are for now: " + ", ".join(s.name for s in kept) + "."
        )
    resolutions.append(
        "That further reports be submitted to Cabinet in respect of each service, on a case by case "
        "basis, for consideration and approval as appropriate."
    )
    numbered = [f"({i}) {text}" for i, text in enumerate(resolutions, start=1)]
    return section("recommendations", [items(f"{body} is asked to RESOLVE:", numbered)])


def _background(result: ScenarioResult) -> Section:
    loaded = result.loaded
    programme, rules, table_ = loaded.programme, loaded.rules, result.scores
    blocks = []
    if programme.description:
        blocks.append(para(programme.description))
    partners = ", ".join(f"{p.name} ({p.kind.replace('_', ' ')})" for p in programme.partners)
    blocks.append(para(f"The partners are: {partners}."))
    blocks += [para(text) for text in _policy_texts(programme)]
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
    blocks.append(
        para(
            f"The order was chosen by optimisation for {OBJECTIVE_WORDS[plan.objective]}: the plan is "
            f"{plan.status_text} within the programme's resource limits, dependencies and budgets, and was "
            "checked independently against every one of them before this report was written."
        )
    )
    for text in evidence.binding:
        blocks.append(para(text))
    blocks += _tie_reasons(result)
    if plan.advice:
        blocks.append(items("What would have to change for a plan to exist:", list(plan.advice)))
    return section("reasons", blocks)


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


def _future(result: ScenarioResult) -> Section:
    services = result.scores.services
    kept = services[services["status"] != "change"]
    blocks = [
        para(
            "Each service will come back to Cabinet with its own business case before any change is made; "
            "the figures here are for prioritisation and are to be confirmed in those cases."
        )
    ]
    if len(kept):
        blocks.append(
            para(
                "Services not in this plan stay under review: "
                + ", ".join(str(n) for n in kept["name"])
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
    """Each exception policy as the report states it: who is expected to provide, the margin, who
    decides (a service's lead provider, where it has one, stands in for the default provider)."""
    default = programme.default_provider
    leads = {s.name: programme.partner(s.lead_provider).name for s in programme.services if s.lead_provider}
    out = []
    if leads:
        out.append("Lead providers: " + "; ".join(f"{svc}: {who}" for svc, who in leads.items()) + ".")
    for policy in programme.policies:
        expected = f"{default.name} is the default provider" if default else "each service's lead provider"
        expected += "" if default else " is expected to provide it"
        benchmark = f"the {'expected' if leads else 'default'} provider"
        out.append(
            f"Under the Memorandum of Understanding {expected}. Another partner is recommended only "
            f"where its option has {margin_words(policy.margin, benchmark)} "
            f"({READING}); such a case needs the "
            f"{policy.joint_decision}, and the final decision rests with {policy.final_decision}."
        )
    return out
