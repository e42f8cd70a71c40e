"""Section 2 of the report: what one council's body is asked to resolve, and the consensus table.

The recommendations follow the June 2015 Gloucester report: Overview & Scrutiny first where the
council has it, then "<body> is asked to RESOLVE", subject to Scrutiny's recommendations and, where
the programme decides by consensus, to the other councils' decisions.  A council agrees only the
changes to its own services (those it owns or shares); another council's change is noted as that
council's decision.  Dates are delegated to the Director in consultation with the Cabinet Member.
"""

from __future__ import annotations

import pandas as pd

from engine.appraisal.compare import compare
from engine.appraisal.scenario import ScenarioResult
from engine.present.money import officer_pounds as money
from engine.programme.model import Programme
from engine.report.council import Audience, own_services
from engine.report.document import Block, items, para, table
from engine.scoring.consensus import partner_views

EXCLUSION = (
    "That the press and public be excluded from the meeting during consideration of the exempt "
    "appendix, on the grounds that it is likely, in view of the nature of the business to be "
    "transacted, that if members of the press and public were present there would be disclosure to "
    "them of exempt information as defined in paragraph 3 of Part 1 of Schedule 12A to the Local "
    "Government Act 1972 (information relating to the financial or business affairs of any particular "
    "person, including the authority holding that information), and that in all the circumstances "
    "the public interest in maintaining the exemption outweighs the public interest in disclosing it."
)


def has_exempt(programme: Programme) -> bool:
    """Whether anything in the programme is exempt (a price, a cost, a funding sum, an actual)."""
    records = (*programme.services, *programme.options, *programme.funding, *programme.actuals)
    return any(getattr(record, "exempt", ()) for record in records)


def recommendation_blocks(result: ScenarioResult, who: Audience) -> list[Block]:
    """Scrutiny's recommendation (where the council has one) and the body's resolutions."""
    governance = who.governance
    blocks: list[Block] = []
    conditions = []
    if governance is not None and governance.scrutiny:
        blocks.append(
            para(
                f"{governance.scrutiny} is asked to note the report and to make any recommendations to "
                f"{who.body} for consideration."
            )
        )
        conditions.append(f"consideration of the recommendations from {governance.scrutiny}")
    if who.subject_to:
        conditions.append(who.subject_to)
    lead = f"{_resolving_body(who)} is asked to RESOLVE" + (
        ", subject to " + " and to ".join(conditions) if conditions else ""
    )
    resolutions = _resolutions(result, who)
    numbered = [f"({i}) {text}" for i, text in enumerate(resolutions, start=1)]
    blocks.append(items(f"{lead}:", numbered))
    return blocks


def _resolving_body(who: Audience) -> str:
    """The body, named with its council where several councils decide (a consensus programme)."""
    if who.consensus_body is not None:
        return f"{who.council.name}'s {who.body.removeprefix('the ')}"
    return who.body_title


def _resolutions(result: ScenarioResult, who: Audience) -> list[str]:
    programme = result.loaded.programme
    mine = own_services(programme, who.council)
    schedule = result.plan.to_frame()
    out = [EXCLUSION] if has_exempt(programme) else []
    if result.plan.plan is None:
        out.append(
            "To note that no plan meets the programme's limits, and to consider the changes to "
            "capacity or timing set out in section 5."
        )
    else:
        out += _plan_resolutions(result, who, schedule, mine)
    out += _exception_resolutions(result, schedule, mine)
    planned = set(schedule.get("service", []))
    kept = [s.name for s in programme.services if s.id in mine and s.id not in planned]
    if kept:
        out.append("To note that these services stay as they are for now: " + ", ".join(kept) + ".")
    if result.plan.plan is not None and len(schedule):
        out.append(_delegation(who))
    out.append(
        f"That further reports be submitted to {who.body} in respect of each service, on a case by case "
        "basis, for consideration and approval as appropriate."
    )
    return out


def _plan_resolutions(
    result: ScenarioResult, who: Audience, schedule: pd.DataFrame, mine: set[str]
) -> list[str]:
    ours = schedule[schedule["service"].isin(mine)]
    theirs = schedule[~schedule["service"].isin(mine)]
    out = []
    if len(ours):
        order = "; ".join(_change_words(r) for _, r in ours.iterrows())
        plan = result.plan
        proven = "" if plan.status_text == "optimal" else f" The plan is the {plan.status_text}."
        governance = result.loaded.programme.governance
        indicative = (
            f" The start dates are indicative: each service comes back to {who.body} with its own "
            "business case before any binding decision is taken."
            if governance is not None and governance.business_cases
            else ""
        )
        out.append(
            f"To agree the High Level Implementation Plan in Appendix 1 for {who.council.name}'s services, "
            f"which changes {len(ours)} service{'s' if len(ours) != 1 else ''} in this order: "
            f"{order}.{proven}{indicative}"
        )
    programme = result.loaded.programme
    owners = theirs["service"].map(lambda s: programme.service(s).owner)
    for owner, rows in theirs.groupby(owners, sort=False):
        council = programme.partner(str(owner))
        listed = "; ".join(_change_words(r) for _, r in rows.iterrows())
        out.append(
            f"To note that the plan's changes to {council.name}'s services ({listed}) are for "
            f"{council.name} to decide through its own decision-making, and are not for {who.body} to agree."
        )
    return out


def _change_words(row: pd.Series) -> str:
    if row["stages"]:
        return f"{row['service_name']} ({row['stages']})"
    return f"{row['service_name']} ({row['provider_name']}, from {row['start_label']})"


def _exception_resolutions(result: ScenarioResult, schedule: pd.DataFrame, mine: set[str]) -> list[str]:
    """An exception is approved only by the council whose service it is."""
    programme = result.loaded.programme
    chosen = set(schedule.get("option", []))
    out = []
    for _, row in result.scores.exceptions.iterrows():
        if row["verdict"] != "recommended by exception" or row["option"] not in chosen:
            continue
        if row["service"] not in mine:
            continue
        out.append(
            f"To approve that {programme.service(row['service']).name} be delivered by "
            f"{row['provider_name']}, "
            "as a case where greater value is recognised by both sides (the Memorandum of Understanding's "
            f"exception route; Appendix 3 gives the programme's reading of it), for the reasons in "
            f"Appendix 3 ({row['decision_route']})."
        )
    return out


def _delegation(who: Audience) -> str:
    governance = who.governance
    director = (governance.director if governance else None) or who.council.lead_officer
    director = director or "lead officer for the programme"
    member = governance.portfolio_holder if governance else None
    member = member or "Cabinet Member responsible for the programme"
    return (
        f"To authorise the {director.removeprefix('the ')} to adjust the dates in the plan as appropriate "
        f"in consultation with the {member.removeprefix('the ')}."
    )


def consensus_blocks(result: ScenarioResult) -> list[Block]:
    """Each consenting council's NPV and value by its own weights (the figures `compare` prints)
    and where its own weights would recommend otherwise (`score --by-partner`)."""
    programme = result.loaded.programme
    if programme.consensus is None:
        return []
    loaded = result.loaded
    summary = compare([result]).summary.iloc[0]
    views = partner_views(programme, loaded.rules, loaded.scenario.method, loaded.scenario.weights or None)
    rows = []
    for partner_id in views.partners:
        partner = programme.partner(partner_id)
        npv = summary.get(f"NPV for {partner.name} (£)")
        value = summary.get(f"value for {partner.name} (own weights)")
        differs = views.services[views.services[partner_id] != views.services["recommended"]]
        rows.append(
            [
                partner.name,
                _npv_words(npv),
                "withheld (exempt figures)" if value is None or pd.isna(value) else f"{value:.3f}",
                ", ".join(programme.service(s).name for s in differs["service"]) or "none",
            ]
        )
    body = programme.consensus.body
    return [
        para(
            f"{body} decides by consensus ({programme.consensus.rule}); each council keeps its own formal "
            "decision-making. The table shows each council's share of the plan's net present value and the "
            "plan's value to it by its own weights, and the services where its own weights would "
            "recommend a different option."
        ),
        table(
            ["council", "NPV for the council", "value by its own weights", "its own weights differ on"],
            rows,
            caption=f"Consensus: each council's position ({body})",
        ),
    ]


def _npv_words(npv: object) -> str:
    if npv is None or (isinstance(npv, float) and pd.isna(npv)):
        return "withheld (exempt figures)"
    return money(float(npv))  # type: ignore[arg-type]
