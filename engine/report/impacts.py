"""Sections 9–11: the risk register, the people impact (equality screening and staff) and the other
corporate implications.

What only officers can say (the equality screening's answers, community safety, sustainability) is
read from the programme's ``implications``; an answer left out is printed as a marked placeholder,
so a draft never pretends an assessment was made.
"""

from __future__ import annotations

from engine.appraisal.evidence import Evidence
from engine.appraisal.scenario import ScenarioResult
from engine.plan.disclosure import Disclosure, public_switching
from engine.present.law import option_words
from engine.present.money import officer_pounds
from engine.present.mou import switching_note
from engine.present.register import register
from engine.present.staff import StaffTotal, fte_text, staff_total
from engine.present.summary import money
from engine.present.transfer import Transfer, employers, path_transfer
from engine.programme.calendar import day_text
from engine.programme.model import DeliveryOption, Programme
from engine.programme.partners import consenting_partners
from engine.report.council import body_name
from engine.report.document import Block, Section, para, section, subheading, table
from engine.report.figures import EXEMPT_NOTE, percent
from engine.report.nochange import changes_nothing

TO_COMPLETE = "[to be completed]"


def changed(result: ScenarioResult) -> list[DeliveryOption]:
    """The option records the plan takes, each stage of a staged path on its own."""
    return [stage for path in changed_paths(result) for stage in path]


def changed_paths(result: ScenarioResult) -> list[list[DeliveryOption]]:
    """Each change the plan makes as its stages in order (one stage for most changes)."""
    programme = result.loaded.programme
    schedule = result.plan.to_frame()
    return [[stage.option for stage in programme.stages(str(o))] for o in schedule.get("option", [])]


def risk(result: ScenarioResult, evidence: Evidence, exempt: bool) -> Section:
    programme = result.loaded.programme
    disclosure = Disclosure.of(programme, include_exempt=exempt)
    shown, _ = public_switching(evidence.switching, disclosure)
    rows = register(
        programme,
        [o.id for o in changed(result)],
        evidence.sensitivity.services,
        shown,
        bool(evidence.binding),
    )
    blocks = [
        para(
            "The risk register rates each risk for likelihood and impact from 1 (very low) to 5 (very "
            "high); the rating is likelihood × impact. It draws on the programme's risks, on how often "
            "the recommendations change under other weights, and on how close each exception verdict is "
            "to changing."
        ),
        table(
            ["risk", "likelihood", "impact", "rating", "mitigation", "owner"],
            [
                [r.risk, str(r.likelihood), str(r.impact), f"{r.rating} ({r.band})", r.mitigation, r.owner]
                for r in rows
            ],
            caption="Risk register",
        ),
    ]
    blocks += _robustness(result, evidence, disclosure, shown)
    return section("risk", blocks)


def _robustness(
    result: ScenarioResult, evidence: Evidence, disclosure: Disclosure, shown: list
) -> list[Block]:
    """The sensitivity and switching evidence behind the register, in names."""
    programme = result.loaded.programme
    sensitivity = evidence.sensitivity
    drawn = f"{sensitivity.draws} random variations of the criterion weights"
    if sensitivity.uncertain:
        options = [programme.option(o) for o in sensitivity.uncertain]
        drawn += " and of the uncertain costs of " + "; ".join(
            f"{programme.service(o.service).name} ({option_words(programme, o)})" for o in options
        )
    blocks = [
        para(
            f"The recommendations were re-tested under {drawn}. The table gives how often each stays "
            "the same."
        ),
        table(
            ["service", "recommended", "stays the same"],
            [
                [
                    programme.service(str(r["service"])).name,
                    option_words(programme, programme.option(str(r["recommended"])))
                    if r["recommended"]
                    else "none",
                    percent(r["P(same recommendation)"], 0),
                ]
                for _, r in sensitivity.services.iterrows()
            ],
        ),
    ]
    if len(shown) < len(evidence.switching):
        blocks.append(
            para("Switching values that rest on commercially confidential prices are in the exempt appendix.")
        )
    elif shown:
        blocks.append(para("Appendix 3 gives every switching value. " + switching_note(programme)))
    if len(sensitivity.tornado):
        criterion = str(sensitivity.tornado.iloc[0]["criterion"])
        names = {c.id: c.name for c in result.loaded.rules.criteria}
        blocks.append(para(f"The weight that moves the result most is {names.get(criterion, criterion)}."))
    if evidence.npv_risk is not None and changes_nothing(result):
        blocks.append(
            para("The plan changes no service, so no uncertain cost enters it: its net present value is nil.")
        )
    elif evidence.npv_risk is not None:
        r = evidence.npv_risk
        hidden = (disclosure.secret & set(r.uncertain)) | set(disclosure.withheld_in(result.plan.plan))
        if hidden:
            blocks.append(
                para(
                    "The range of the plan's NPV under uncertain costs involves exempt figures: "
                    + EXEMPT_NOTE.format(
                        options=", ".join(
                            option_words(programme, programme.option(o)) for o in sorted(hidden)
                        )
                    )
                )
            )
        else:
            blocks.append(
                para(
                    "With uncertain costs drawn from their ranges, the plan's NPV lies between "
                    f"{officer_pounds(r.p10)} (P10) and {officer_pounds(r.p90)} (P90), "
                    f"median {officer_pounds(r.p50)}; the chance it is positive is "
                    f"{percent(r.probability_positive, 0)}."
                )
            )
    return blocks


EQUALITY = (
    (
        "affected",
        "Who is affected (service users, staff, residents), and do they share a protected characteristic?",
    ),
    ("discrimination", "Could the change cause discrimination, harassment or victimisation (s149(1)(a))?"),
    ("opportunity", "Could it advance equality of opportunity (s149(1)(b))?"),
    (
        "relations",
        "Could it foster good relations between people who share a protected characteristic and "
        "those who do not (s149(1)(c))?",
    ),
    ("outcome", "Screening result: is a full equality impact assessment needed?"),
)


def equality_blocks(programme: Programme) -> list[Block]:
    """The s149 screening: the duty, then each question with the officer's answer or a placeholder."""
    answers = programme.implications.equality
    rows = [[question, getattr(answers, key) or TO_COMPLETE] for key, question in EQUALITY]
    who = answers.screened_by or TO_COMPLETE
    when = day_text(answers.screened_on) if answers.screened_on else TO_COMPLETE
    rows.append(["Screened by, and when", f"{who}; {when}"])
    return [
        subheading("Equality impact screening (Equality Act 2010, section 149)"),
        para(
            "In deciding, members must have due regard to the need to eliminate discrimination, "
            "harassment and victimisation, to advance equality of opportunity, and to foster good "
            "relations between people who share a protected characteristic and those who do not "
            "(the public sector equality duty). The screening's answers:"
        ),
        table(["question", "answer"], rows, caption="Equality impact screening"),
    ]


def people(result: ScenarioResult, council: str | None = None) -> Section:
    programme = result.loaded.programme
    blocks = [*equality_blocks(programme), subheading("Staff")]
    moves = [(path, path_transfer(programme, path)) for path in changed_paths(result)]
    if not moves:
        blocks.append(para("No service changes, so no posts are affected."))
        return section("people", blocks)
    blocks.append(para(_staff_headline(programme, moves, council)))
    blocks.append(
        table(
            ["service", "employer", "FTE", "new provider", "staff transfer"],
            [row for path, move in moves for row in _staff_rows(programme, path, move)],
        )
    )
    pensions = sorted({move.pensions for _, move in moves if move.pensions})
    blocks += [para(text + ".") for text in pensions]
    blocks.append(para(_redundancy(programme)))
    return section("people", blocks)


def _staff_rows(programme: Programme, path: list[DeliveryOption], move: Transfer) -> list[list[str]]:
    service = programme.service(path[0].service)
    provider = ", then ".join(dict.fromkeys(programme.partner(o.provider).name for o in path))
    rows = []
    for employer, fte in employers(service).items():
        words = (
            move.words
            if employer in move.moving or not move.likely
            else "unlikely: they stay with their employer"
        )
        rows.append([service.name, programme.partner(employer).name, fte_text(fte), provider, words])
    return rows


def _staff_headline(
    programme: Programme, moves: list[tuple[list[DeliveryOption], Transfer]], council: str | None
) -> str:
    """Each council's staff in its own figure: the report's council first, the others apart."""
    by_employer: dict[str, list[tuple[str, float | None]]] = {}
    moving: dict[str, list[tuple[str, float | None]]] = {}
    for path, move in moves:
        name = programme.service(path[0].service).name
        for employer, fte in employers(programme.service(path[0].service)).items():
            by_employer.setdefault(employer, []).append((name, fte))
            if employer in move.moving:
                moving.setdefault(employer, []).append((name, fte))

    def words(employer: str) -> str:
        total = _fte(staff_total(by_employer[employer]))
        likely = _fte(staff_total(moving.get(employer, []))) if employer in moving else "none"
        return f"{programme.partner(employer).name}: {total} (likely to transfer: {likely})"

    ours = council
    others = [e for e in by_employer if e != ours]
    text = ""
    if ours in by_employer:
        text = f"Staff of this council in the services that change: {words(ours)}. "
        text += (
            ("Other employers' staff, counted separately: " + "; ".join(map(words, others)) + ".")
            if others
            else ""
        )
    else:
        text = "Staff in the services that change, by employer: " + "; ".join(map(words, others)) + "."
    return (
        text + " Trade unions and staff will be consulted before any transfer; whether TUPE applies is for "
        "Legal Services to confirm."
    )


def _fte(total: StaffTotal) -> str:
    """FTE in words; where a service's FTE is not known the sum is a floor and names it."""
    if total.complete:
        return f"{total.known:g} FTE"
    *rest, last = total.unknown
    names = f"{', '.join(rest)} and {last}" if rest else last
    if not total.counted:
        return f"an unknown number of FTE (the sources do not give it for {names})"
    numbers = "numbers for {} are" if rest else "number for {} is"
    return f"at least {total.known:g} FTE (the {numbers.format(names)} not known)"


def _redundancy(programme: Programme) -> str:
    facts = programme.implications
    redundancy = money(facts.redundancy_cost) if facts.redundancy_cost is not None else "to be assessed"
    strain = money(facts.pension_strain) if facts.pension_strain is not None else "to be assessed"
    return (
        f"Redundancy costs: {redundancy}. Pension strain (the cost to the Local Government Pension Scheme "
        f"of early retirements): {strain}. Each service's business case states them before any decision."
    )


def corporate(result: ScenarioResult) -> Section:
    programme = result.loaded.programme
    facts = programme.implications
    blocks = [subheading("Partnership and governance")]
    if programme.consensus is not None:
        c = programme.consensus
        names = ", ".join(programme.partner(p).name for p in c.partners)
        blocks.append(para(f"Decisions are taken by the {c.body} ({c.rule}); the partners are {names}."))
        partners = consenting_partners(programme)
        blocks.append(
            para(f"Each consenting partner's share is shown in section 7 ({len(partners)} partners).")
        )
    else:  # each council's body as its own report names it (engine/report/council.py)
        deciding = [p for p in programme.partners if p.governance is not None or p.decision_body]
        bodies = [f"{p.name}: {body_name(p)}" for p in deciding]
        blocks.append(
            para("Each partner keeps its own decision making: " + "; ".join(bodies) + ".")
            if bodies
            else para("Each council keeps its own decision making; the programme records no joint body.")
        )
    blocks += [subheading("Community Safety"), para(facts.community_safety or TO_COMPLETE)]
    blocks += [subheading("Sustainability"), para(facts.sustainability or TO_COMPLETE)]
    blocks.append(subheading("Staffing & Trade Union"))
    blocks.append(
        para("Staff and trade unions will be consulted on each service before it changes (section 10).")
    )
    return section("corporate", blocks)
