"""Sections 7–11: financial, legal, risk, people and other corporate implications."""

from __future__ import annotations

from engine.appraisal.evidence import Evidence
from engine.appraisal.finance import TargetProgress
from engine.appraisal.scenario import ScenarioResult
from engine.plan.disclosure import Disclosure, public_switching
from engine.present.money import officer_pounds as money
from engine.present.mou import switching_note
from engine.present.staff import StaffTotal, fte_text, staff_total
from engine.programme.partners import consenting_partners
from engine.report.document import Section, para, section, subheading, table
from engine.report.figures import EXEMPT_NOTE, FinanceView, percent, pounds
from engine.report.funding import funding_paragraph
from engine.report.money import body_tables, headline_blocks, settings_text

# The usual legal vehicle for each delivery model, for Legal Services to confirm case by case.
VEHICLES = {
    "s101_delegation": "delegation of the function under s101 of the Local Government Act 1972 (staff made "
    "available under s113 where needed), with an inter-authority agreement on governance and costs",
    "shared_service": "joint arrangements under ss101–102 of the Local Government Act 1972 and a "
    "partnership agreement",
    "commissioned": "an inter-authority agreement (s101 of the Local Government Act 1972, or the Local "
    "Authorities (Goods and Services) Act 1970 for services supplied by one council to another)",
    "outsourced": "a contract let under the public procurement rules; TUPE applies to staff who transfer",
    "commercial_contract": "a commercial contract let under the public procurement rules, or under the "
    "Teckal/inter-authority exemption where the provider is a public body; TUPE applies to staff who "
    "transfer",
    "joint_venture": "a company or joint venture under the general power of competence (s1 Localism Act "
    "2011), trading through a company (s95 Local Government Act 2003)",
    "in_house": "no change of legal vehicle; the council continues to deliver the service itself",
    "hand_back": "termination of the joint arrangements, delegation or agreement under its exit terms, "
    "each council resuming the function itself; TUPE (or COSOP) applies to staff who return, and the "
    "agreement's exit provisions settle who bears the stranded costs",
    "status_quo": "no change",
}


def financial(result: ScenarioResult, money: FinanceView | None) -> Section:
    """Rounded and marked figures for the report's council (see :mod:`engine.report.money`)."""
    blocks = []
    if money is None:
        blocks.append(para("There is no plan, so there are no financial implications beyond officer time."))
        return section("financial", blocks)
    blocks.append(para(settings_text(result)))
    blocks += headline_blocks(result, money)
    if money.target is not None:
        blocks.append(para(_target_text(result, money.target)))
    blocks += funding_paragraph(result, money)
    blocks += body_tables(result, money)
    programme = result.loaded.programme
    losing = [
        programme.service(str(r["service"])).name
        for _, r in money.by_service.iterrows()
        if float(r["npv"]) < -0.005
    ]
    if losing:
        blocks.append(
            para(
                f"Note: the recommended change of {_and(losing)} has a negative net present value over "
                "its appraisal life: it costs more than it saves in money, and is recommended for the "
                "other benefits scored. Members should weigh this before agreeing it."
            )
        )
    return section("financial", blocks)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def legal(result: ScenarioResult) -> Section:
    schedule = result.plan.to_frame()
    blocks = [
        para(
            "Each change needs a legal vehicle; the usual one for each delivery model is given below, to be "
            "confirmed by Legal Services in each service's business case."
        )
    ]
    if len(schedule):
        blocks.append(
            table(
                ["service", "provider", "delivery model", "legal vehicle"],
                [
                    [
                        str(r["service_name"]),
                        str(r["provider_name"]),
                        str(r["model"]).replace("_", " "),
                        VEHICLES[str(r["model"])],
                    ]
                    for _, r in schedule.iterrows()
                ],
            )
        )
    return section("legal", blocks)


def risk(result: ScenarioResult, evidence: Evidence, exempt: bool) -> Section:
    programme = result.loaded.programme
    sensitivity = evidence.sensitivity
    blocks = []
    schedule = result.plan.to_frame()
    if len(schedule):
        rows = []
        for _, r in schedule.iterrows():
            option = programme.option(str(r["option"]))
            rows.append([str(r["service_name"]), str(r["option"]), option.risk])
        blocks.append(
            table(["service", "option", "delivery risk"], rows, caption="Delivery risk of each change")
        )
    drawn = f"{sensitivity.draws} random variations of the criterion weights"
    if sensitivity.uncertain:
        drawn += f" and of the uncertain costs of {', '.join(sensitivity.uncertain)}"
    stable = sensitivity.services
    blocks.append(
        para(
            f"The recommendations were re-tested under {drawn} (seed {sensitivity.seed}). The table gives "
            "how often each service's recommendation stays the same."
        )
    )
    blocks.append(
        table(
            ["service", "recommended", "stays the same"],
            [
                [str(r["service"]), str(r["recommended"]), percent(r["P(same recommendation)"], 0)]
                for _, r in stable.iterrows()
            ],
        )
    )
    fragile = stable[stable["P(same recommendation)"] < 0.8]
    if len(fragile):
        blocks.append(
            para(
                "The recommendation is less certain for "
                + ", ".join(
                    f"{r['service']} (alternative: {r['most frequent alternative']})"
                    for _, r in fragile.iterrows()
                )
                + "; these should be looked at again in their business cases."
            )
        )
    disclosure = Disclosure.of(programme, include_exempt=exempt)
    shown, _ = public_switching(evidence.switching, disclosure)
    if shown:
        blocks.append(
            para(
                "How safe each exception verdict is (switching values; Appendix 3 gives them all): "
                + "; ".join(v.text() for v in shown)
                + ". "
                + switching_note(programme)
            )
        )
    if len(shown) < len(evidence.switching):
        blocks.append(
            para("Switching values that rest on commercially confidential prices are in the exempt appendix.")
        )
    top = sensitivity.tornado.iloc[0] if len(sensitivity.tornado) else None
    if top is not None:
        blocks.append(
            para(f"The weight that moves the result most is {top['criterion']} (tornado analysis).")
        )
    if evidence.npv_risk is not None:
        r = evidence.npv_risk
        hidden = (disclosure.secret & set(r.uncertain)) | set(disclosure.withheld_in(result.plan.plan))
        if hidden:
            blocks.append(
                para(
                    "The range of the plan's NPV under uncertain costs involves exempt figures: "
                    + EXEMPT_NOTE.format(options=", ".join(sorted(hidden)))
                )
            )
        else:
            blocks.append(
                para(
                    "With uncertain costs drawn from their ranges, the plan's NPV lies between "
                    f"{pounds(r.p10)} (P10) and {pounds(r.p90)} (P90), median {pounds(r.p50)}; "
                    "the chance it is positive is "
                    f"{percent(r.probability_positive, 0)}."
                )
            )
    blocks.append(
        para(
            "Opportunity: each change that goes ahead frees capacity and savings for the next; the plan in "
            "Appendix 1 weighs each change's gain against when it can start."
        )
    )
    return section("risk", blocks)


def people(result: ScenarioResult) -> Section:
    programme = result.loaded.programme
    schedule = result.plan.to_frame()
    blocks = []
    rows, staff = [], []
    for _, r in schedule.iterrows():
        service = programme.service(str(r["service"]))
        transfer = str(r["provider"]) != service.owner
        staff.append((service.name, service.fte))
        rows.append(
            [
                service.name,
                fte_text(service.fte),
                str(r["provider_name"]),
                "likely (TUPE)" if transfer else "no",
            ]
        )
    if rows:
        blocks.append(
            para(
                f"{_posts(staff_total(staff))} are in the services that change. Where a service "
                "moves to another employer, the Transfer of Undertakings (Protection of Employment) "
                "Regulations 2006 "
                "are likely to apply; a People Impact Assessment will be completed for each service."
            )
        )
        blocks.append(table(["service", "FTE", "new provider", "staff transfer"], rows))
    else:
        blocks.append(para("No service changes, so no posts are affected."))
    return section("people", blocks)


def _posts(total: StaffTotal) -> str:
    """The posts affected in words; where an FTE is not known the sum is a floor, and says so."""
    if total.complete:
        return f"{total.known:g} full-time-equivalent posts"
    *rest, last = total.unknown
    names = f"{', '.join(rest)} and {last}" if rest else last
    if not total.counted:
        return f"An unknown number of full-time-equivalent posts (the sources do not give them for {names})"
    verb = "are" if rest else "is"
    return f"At least {total.known:g} full-time-equivalent posts (the number for {names} {verb} not known)"


def corporate(result: ScenarioResult) -> Section:
    programme = result.loaded.programme
    blocks = [subheading("Partnership and governance")]
    if programme.consensus is not None:
        c = programme.consensus
        names = ", ".join(programme.partner(p).name for p in c.partners)
        blocks.append(para(f"Decisions are taken by the {c.body} ({c.rule}); the partners are {names}."))
    else:
        bodies = sorted({f"{p.name}: {p.decision_body}" for p in programme.partners if p.decision_body})
        if bodies:
            blocks.append(para("Each partner keeps its own decision making: " + "; ".join(bodies) + "."))
    if programme.consensus is not None:
        partners = consenting_partners(programme)
        blocks.append(
            para(f"Each consenting partner's share is shown in section 7 ({len(partners)} partners).")
        )
    blocks.append(subheading("Staffing & Trade Union"))
    blocks.append(para("Staff and trade unions will be consulted on each service before it changes."))
    return section("corporate", blocks)


def _target_text(result: ScenarioResult, t: TargetProgress) -> str:
    """The plan against the programme's savings target, in the words a Section 151 officer uses;
    a figure the public view withholds is said to be withheld, with the reason."""
    programme = result.loaded.programme
    goal = programme.savings_target
    assert goal is not None
    by = f" by {goal.by:%d %B %Y}" if goal.by else ""
    aims = [f"{percent(t.target_share)} of the in-scope services' current cost"] if t.target_share else []
    aims += [f"{money(t.target)} a year"] if t.target is not None else []
    aim = f"{aims[0]} ({aims[1]})" if len(aims) == 2 else (aims[0] if aims else "withheld")
    text = f"The programme's savings target is {aim}{by}. "
    if t.forecast is None:
        text += "The plan's savings towards it are withheld."
    else:
        share = f" ({percent(t.forecast_share)} of the in-scope cost)" if t.forecast_share is not None else ""
        short = t.shortfall
        verdict = (
            "" if short is None else ", meeting it" if short == 0 else f", {money(short)} a year short of it"
        )
        text += f"The plan's changes in place{by or ' within the horizon'} save {money(t.forecast)} a year"
        text += f"{share}{verdict}."
    if t.late:
        text += " In place only after the target date: "
        text += ", ".join(programme.service(s).name for s in t.late) + "."
    if t.withheld:
        text += f" Some figures are withheld in this public report: {t.withheld}."
    return text
