"""Sections 7–11: financial and legal implications here; risk, people and other corporate
implications in :mod:`engine.report.impacts` (imported here so the report's sections stay in one place)."""

from __future__ import annotations

__all__ = ["corporate", "financial", "legal", "people", "risk"]

from engine.appraisal.finance import TargetProgress
from engine.appraisal.scenario import ScenarioResult
from engine.present.law import CONFIRM, legal_basis
from engine.present.money import officer_pounds as money
from engine.present.transfer import stage_transfers
from engine.programme.calendar import day_text
from engine.programme.model import Programme
from engine.report.document import Block, Section, para, section, table
from engine.report.figures import FinanceView, percent
from engine.report.funding import funding_paragraph
from engine.report.impacts import changed_paths, corporate, people, risk
from engine.report.money import body_tables, headline_blocks, settings_text


def financial(result: ScenarioResult, money: FinanceView | None, council: str | None = None) -> Section:
    """Rounded and marked figures for the report's council (see :mod:`engine.report.money`)."""
    blocks = []
    if money is None:
        blocks.append(para("There is no plan, so there are no financial implications beyond officer time."))
        return section("financial", blocks)
    blocks.append(para(settings_text(result)))
    blocks += headline_blocks(result, money, council)
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


def _memorandum_status(programme: Programme) -> list[Block]:
    """What the MoU is in law, from the programme's record of it; nothing where there is none."""
    governance = programme.governance
    memo = governance.memorandum if governance is not None else None
    if memo is None:
        return []
    if memo.binding:
        return [
            para(
                f"The memorandum of understanding (\u201c{memo.title}\u201d) is recorded as legally "
                "binding; each change still needs its own agreement."
            )
        ]
    return [
        para(
            f"The memorandum of understanding (\u201c{memo.title}\u201d) is a statement of the partners' "
            "intention to work together, not a legally binding agreement: it creates no legal vehicle, "
            "and each change needs its own agreement, as below."
        )
    ]


def legal(result: ScenarioResult) -> Section:
    """The law as a table the officer can check: each change's arrangement, basis, procurement and
    staff, every line marked for Legal Services to confirm."""
    programme = result.loaded.programme
    blocks = [
        para(
            "Each change needs a legal vehicle. The table gives the usual basis for each, from its "
            "delivery model and who the provider is to the council; every line is for Legal Services to "
            "confirm in the service's business case."
        ),
        *_memorandum_status(programme),
    ]
    rows, notes = [], []
    for path in changed_paths(result):
        for option, move in zip(path, stage_transfers(programme, path), strict=True):
            basis = legal_basis(programme, option)
            staff = move.words + (f"; {move.pensions}" if move.pensions else "")
            rows.append(
                [
                    programme.service(option.service).name,
                    programme.partner(option.provider).name,
                    basis.arrangement,
                    basis.citation,
                    basis.procurement,
                    staff,
                    CONFIRM,
                ]
            )
            notes += [n for n in basis.notes if n not in notes]
    if rows:
        columns = ["service", "provider", "arrangement", "legal basis", "procurement", "staff", "status"]
        blocks.append(table(columns, rows, caption="Legal basis of each change"))
        blocks += [para(f"{note} ({CONFIRM}).") for note in notes]
    else:
        blocks.append(para("No service changes, so no new legal vehicle is needed."))
    return section("legal", blocks)


def _target_text(result: ScenarioResult, t: TargetProgress) -> str:
    """The plan against the programme's savings target, in the words a Section 151 officer uses;
    a figure the public view withholds is said to be withheld, with the reason."""
    programme = result.loaded.programme
    goal = programme.savings_target
    assert goal is not None
    by = f" by {day_text(goal.by)}" if goal.by else ""
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
