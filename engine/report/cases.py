"""Sections 12–14 and Appendix 4: the commercial and management cases with the funding and the
medium-term financial plan, the consultation and the statutory officers' comments, the background
papers and the Memorandum of Understanding.

Every real Cabinet report has them.  What the engine can derive (how each change is procured, who
governs, what pays for it) is written from the programme; what only an officer can write (the
Section 151 Officer's and Monitoring Officer's comments, the consultations) is the programme's
``implications`` where given, else a placeholder marked for that officer to complete.
"""

from __future__ import annotations

from engine.appraisal.scenario import ScenarioResult
from engine.present.law import legal_basis
from engine.programme.calendar import Horizon, day_text
from engine.programme.model import Programme
from engine.report.document import Block, Section, items, para, section, subheading
from engine.report.figures import percent
from engine.report.impacts import TO_COMPLETE, changed
from engine.report.nochange import changes_nothing


def _placeholder(who: str) -> str:
    return f"[To be completed by {who} before the report is published.]"


def cases(result: ScenarioResult) -> Section:
    programme = result.loaded.programme
    facts = programme.implications
    blocks: list[Block] = [subheading("Commercial case")]
    if facts.commercial_case:
        blocks.append(para(facts.commercial_case))
    elif changes_nothing(result):
        blocks.append(para("No change is planned, so nothing is to be bought or agreed now."))
    else:
        arrangements = [
            f"{programme.service(o.service).name}: {legal_basis(programme, o).arrangement}"
            for o in changed(result)
        ]
        blocks.append(
            para(
                "How each change is to be bought or agreed: "
                + ("; ".join(arrangements) if arrangements else "no change is planned")
                + ". Section 8 gives the procurement route of each; the charges, service levels and exit "
                "terms are set in each service's agreement and business case."
            )
        )
    blocks.append(subheading("Funding and the medium-term financial plan"))
    blocks += [para(_funding(programme)), para(_mtfp(result))]
    blocks.append(subheading("Management case"))
    blocks.append(para(facts.management_case or _management(programme, changes_nothing(result))))
    return section("cases", blocks)


def _funding(programme: Programme) -> str:
    given = programme.implications.funding_source
    if given:
        return f"Funding source: {given}"
    sources = [f.name for f in programme.funding]
    if sources:
        return (
            "The one-off costs are to be met from " + ", ".join(sources) + " and the partners' own budgets "
            "(section 7 gives the amounts); the Section 151 Officer confirms the budget each comes from."
        )
    return f"Funding source: {TO_COMPLETE} (which budget or reserve meets the one-off costs)."


def _mtfp(result: ScenarioResult) -> str:
    programme = result.loaded.programme
    facts = programme.implications
    base = facts.price_base or f"{_first_year(programme.horizon)} prices, with no allowance for inflation"
    link = facts.mtfp or (
        "how the savings enter each council's medium-term financial plan is "
        f"{TO_COMPLETE} by Financial Services"
    )
    rate = percent(result.loaded.scenario.appraisal.rate)
    return f"Price base: {base}, discounted at {rate} a year. Medium-term financial plan: {link}."


def _first_year(horizon: Horizon) -> str:
    years = horizon.financial_years()
    return years[0] if years else "today's"


def _management(programme: Programme, nothing: bool = False) -> str:
    if programme.consensus is not None:
        who = f"the {programme.consensus.body} ({programme.consensus.rule})"
    else:
        bodies = sorted({f"{p.name}'s {p.decision_body}" for p in programme.partners if p.decision_body})
        who = _and(bodies) if bodies else "each partner's decision-making body"
    pools = _and([r.name for r in programme.resources])
    text = f"The programme is governed by {who}; each change comes back with its own business case. "
    if pools and nothing:
        text += f"Any change is to be delivered within the limits on {pools}; none is planned now. "
    elif pools:
        text += f"It is delivered within the limits on {pools}, as the plan in Appendix 1 shows. "
    return text + "Progress and savings are recorded against the plan and reported (benefits realisation)."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def consultation(result: ScenarioResult) -> Section:
    facts = result.loaded.programme.implications
    blocks = [
        subheading("Financial Services"),
        para(facts.financial_services or f"Financial Services have been consulted: {TO_COMPLETE}."),
        subheading("Legal Services"),
        para(facts.legal_services or f"Legal Services have been consulted: {TO_COMPLETE}."),
        subheading("Section 151 Officer's comments"),
        para(facts.s151_comments or _placeholder("the Section 151 Officer")),
        subheading("Monitoring Officer's comments"),
        para(facts.monitoring_officer_comments or _placeholder("the Monitoring Officer")),
    ]
    return section("consultation", blocks)


def background_papers(result: ScenarioResult) -> Section:
    """The documents relied on (Local Government Act 1972, s100D): the programme's sources."""
    programme = result.loaded.programme
    papers = [s.title + (f" ({day_text(s.issued)})" if s.issued else "") for s in programme.sources]
    lead = (
        "The following documents were relied on in writing this report and are open to inspection "
        "(Local Government Act 1972, section 100D):"
    )
    block = items(lead, papers) if papers else para(f"{lead} none beyond the programme file.")
    return section("background_papers", [block])


def appendix_mou(result: ScenarioResult) -> Section:
    """The Memorandum of Understanding's text, from the programme's record of it
    (``governance.memorandum``); where the programme does not hold the text, a marked place to
    attach it."""
    governance = result.loaded.programme.governance
    memo = governance.memorandum if governance is not None else None
    blocks = [para(memo.title if memo else "Memorandum of Understanding", numbered=False)]
    if memo is not None and memo.text:
        blocks += [para(chunk, numbered=False) for chunk in memo.text.split("\n\n") if chunk.strip()]
    else:
        blocks.append(
            para(
                "[The signed text is to be attached here: the programme file does not hold it.]",
                numbered=False,
            )
        )
    return section("appendix_mou", blocks)
