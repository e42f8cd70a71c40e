"""Section 7's figures as officers write them, and their exact values for Appendix 1.

The body rounds (£2.20 m, £229,000) and marks each figure sourced or illustrative; the appendix
gives every figure to the penny.  Each partner's money is its own: the headline of a council's
report counts only that council's share, and every partner's is in the table.  Where confidential
prices take part, the public totals are for what is public and say what they leave out; where every
change rests on one, no total is printed at all (never a false £0).
"""

from __future__ import annotations

from engine.appraisal.scenario import ScenarioResult
from engine.present.money import Basis, field_basis, officer_pounds, options_basis
from engine.programme.model import Programme
from engine.programme.naming import option_name
from engine.report.document import Block, para, subheading, table
from engine.report.figures import FinanceView, percent, pounds
from engine.report.funding import by_year_table
from engine.report.nochange import changes_nothing

NOTHING = (
    "The plan changes no service, so it has no one-off costs, savings or net present value for any "
    "council. Payback: no change, so no payback."
)


def headline_partner(result: ScenarioResult, council: str | None = None) -> str | None:
    """The council whose money is the headline: the council the report is written for (``--for``);
    without one, the exception policy's client (None for a partnership that decides together or
    whose councils each have a policy: each council's money is then given side by side)."""
    if council is not None:
        return council
    programme = result.loaded.programme
    if programme.consensus is not None or len(programme.policies) != 1:
        return None
    return programme.policies[0].client


def withheld_words(programme: Programme, options: list[str]) -> str:
    """The options left out, by name: "the ICT option of OneConnect Limited"."""
    names = [
        f"the {programme.service(programme.option(o).service).name} option of "
        f"{programme.partner(programme.option(o).provider).name}"
        for o in options
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def settings_text(result: ScenarioResult) -> str:
    """Rate, years, optimism bias and price base, each stated (none applied is said, with why)."""
    appraisal = result.loaded.scenario.appraisal
    start = result.loaded.programme.horizon.start
    year = start.year if start.month >= 4 else start.year - 1
    bias = (
        f"One-off costs include optimism bias of {percent(appraisal.optimism_bias, 0)}."
        if appraisal.optimism_bias
        else "No optimism bias has been applied: the costs are estimates for prioritising the services, "
        "and each service's business case will apply the Green Book's adjustment for its kind of project."
    )
    return (
        f"The figures are appraised over {appraisal.years} years at the HM Treasury Green Book discount rate "
        f"of {percent(appraisal.rate)}, in constant {year}/{(year + 1) % 100:02d} prices (the price base: no "
        f"inflation is added, as the Green Book appraises in real terms). {bias}"
    )


def headline_blocks(result: ScenarioResult, money: FinanceView, council: str | None = None) -> list[Block]:
    """The headline: the report's council's own money (or each council's), rounded and marked."""
    programme = result.loaded.programme
    if nothing_moves(result, money):
        return [para(NOTHING)]
    basis = options_basis(programme, [str(o) for o in money.by_service["option"]])
    mark = f" ({basis.words()})" if len(money.by_service) else ""
    if changes_nothing(result):  # the programme's funding is all the money there is
        mark = " (the programme's funding alone: the plan changes no service)"
    if money.withheld and not len(money.by_service):
        return [
            para(
                "Every change in the plan rests on commercially confidential prices "
                f"({withheld_words(programme, money.withheld)}): "
                "its net present value, savings and payback are given in the exempt appendix (not for "
                "publication) and are not shown here."
            )
        ]
    excluding = (
        f", excluding {withheld_words(programme, money.withheld)} "
        "(confidential, shown in the exempt appendix)"
        if money.withheld
        else ""
    )
    rows = {str(r["partner"]): r for _, r in money.by_partner.iterrows()}
    mine = headline_partner(result, council)
    if mine is not None and mine in rows:
        r = rows[mine]
        text = (
            f"For {programme.partner(mine).name}, the plan's net present value is "
            f"{officer_pounds(r['npv'])}{mark}"
            f"{excluding}; its one-off costs are {officer_pounds(r['one_off'])} and its full-year savings "
            f"{officer_pounds(r['annual_saving'])} a year. The other partners' money is their own and is not "
            "counted here; each partner's share is in the table below."
        )
    else:
        each = "; ".join(f"{programme.partner(p).name} {officer_pounds(r['npv'])}" for p, r in rows.items())
        text = f"The plan's net present value for each council{mark} is: {each}{excluding}."
    text += (
        f" The plan as a whole pays back in {money.payback_text}" if money.payback_years is not None else ""
    )
    text += "." if money.payback_years is not None else f" Payback: {money.payback_text}."
    return [para(text)]


def nothing_moves(result: ScenarioResult, money: FinanceView) -> bool:
    """The plan changes nothing and no money moves for anyone (no funding received or paid either):
    a table of £0 rows and an empty list of councils would say nothing true, so one sentence does."""
    if not changes_nothing(result) or len(money.by_service) or len(money.by_partner):
        return False
    figures = money.by_year.select_dtypes("number").to_numpy()
    return bool(abs(figures).max(initial=0.0) < 0.005)


def body_tables(result: ScenarioResult, money: FinanceView) -> list[Block]:
    """By year, by partner and by service, rounded; the exact figures are in Appendix 1."""
    if (money.withheld and not len(money.by_service)) or nothing_moves(result, money):
        return []
    programme = result.loaded.programme
    return [
        by_year_table(money.by_year, officer_pounds),
        table(
            ["partner", "one-off costs", "annual saving", "net present value"],
            [[programme.partner(str(r["partner"])).name, *_cells(r)] for _, r in money.by_partner.iterrows()],
            caption="Each partner's share (the exact figures are in Appendix 1)",
        ),
        table(
            ["service", "provider", "one-off costs", "annual saving", "net present value", "basis"],
            [
                [
                    programme.service(str(r["service"])).name,
                    programme.partner(programme.option(str(r["option"])).provider).name,
                    *_cells(r),
                    options_basis(programme, [str(r["option"])]).words(),
                ]
                for _, r in money.by_service.iterrows()
            ],
            caption="By service",
        ),
    ]


def _cells(r: object) -> list[str]:
    return [officer_pounds(float(r[k])) for k in ("one_off", "annual_saving", "npv")]  # type: ignore[index]


def exact_blocks(result: ScenarioResult, money: FinanceView | None, exempt: bool) -> list[Block]:
    """Appendix 1's financial detail: every figure of section 7 to the penny, and where each input
    figure comes from."""
    programme = result.loaded.programme
    blocks: list[Block] = [subheading("Financial detail (exact figures)")]
    if money is not None and nothing_moves(result, money):
        blocks.append(para(NOTHING, numbered=False))
    elif money is not None and not (money.withheld and not len(money.by_service)):
        left_out = f" (excluding {withheld_words(programme, money.withheld)})" if money.withheld else ""
        whole = (
            f"The plan changes no service: its only money is the programme's funding, net present value "
            f"{pounds(money.npv)}; there are no one-off costs, savings or payback."
            if changes_nothing(result)
            else f"The plan as a whole{left_out}: net present value {pounds(money.npv)}; one-off costs "
            f"{pounds(money.one_off)}; full-year savings {pounds(money.annual_saving)} a year; payback "
            f"{money.payback_text}."
        )
        blocks.append(para(whole, numbered=False))
        blocks.append(by_year_table(money.by_year, pounds))
        blocks.append(
            table(
                ["partner", "one-off costs", "annual saving", "net present value"],
                [
                    [
                        programme.partner(str(r["partner"])).name,
                        *(pounds(float(r[k])) for k in ("one_off", "annual_saving", "npv")),
                    ]
                    for _, r in money.by_partner.iterrows()
                ],
                caption="Each partner's share, exact",
            )
        )
        blocks.append(
            table(
                ["service", "option", "one-off costs", "annual saving", "net present value"],
                [
                    [
                        programme.service(str(r["service"])).name,
                        option_name(programme, str(r["option"])),
                        *(pounds(float(r[k])) for k in ("one_off", "annual_saving", "npv")),
                    ]
                    for _, r in money.by_service.iterrows()
                ],
                caption="By service, exact",
            )
        )
    blocks.append(_sources_table(result, exempt))
    return blocks


def _sources_table(result: ScenarioResult, exempt: bool) -> Block:
    """Each current cost, and each planned option's costs, with its basis (exempt ones withheld)."""
    programme = result.loaded.programme
    rows: list[list[str]] = []
    for s in programme.services:
        rows.append(
            [s.name, "current annual cost", *_figure(programme, s, "annual_cost", s.annual_cost, exempt)]
        )
    chosen = [] if result.plan.plan is None else [a.option for a in result.plan.plan.assignments]
    for option_id in chosen:
        o = programme.option(option_id)
        what = f"{programme.partner(o.provider).name} option"
        for name, label in (("one_off_cost", "one-off cost"), ("annual_cost", "annual cost")):
            rows.append(
                [
                    programme.service(o.service).name,
                    f"{what}: {label}",
                    *_figure(programme, o, name, getattr(o, name), exempt),
                ]
            )
    return table(
        ["service", "figure", "amount", "basis"], rows, caption="Figures used and where they come from"
    )


def _figure(programme: Programme, record: object, name: str, value: object, exempt: bool) -> list[str]:
    if name in getattr(record, "exempt", ()) and not exempt:
        return ["[exempt: see the exempt appendix]", "confidential"]
    if not isinstance(value, (int, float)):
        return ["not known", "the sources do not give it"]
    basis: Basis = field_basis(programme, record, name)  # type: ignore[arg-type]
    return [pounds(float(value)), basis.words()]


def _exact(r: object) -> list[str]:
    return [pounds(float(r[k])) for k in ("one_off", "annual_saving", "npv")]  # type: ignore[index]
