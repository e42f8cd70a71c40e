"""The report's words on funding: each source named, with its money (withheld when exempt), and
the money by financial year with the funding columns where the programme has any."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from engine.appraisal.scenario import ScenarioResult
from engine.present.money import officer_pounds
from engine.programme.funding import recipients
from engine.programme.model import FundingSource, Programme
from engine.report.document import Block, para, table
from engine.report.figures import FinanceView, pounds

LEAD = (
    "The plan's money includes its funding: a grant is income to the partnership in its year and, "
    "like a capitalisation direction, adds to that year's one-off budget; a partner's contribution "
    "moves money between partners and changes no total; a capitalisation direction lets one-off "
    "costs be met from capital and changes no net present value. The sources are: "
)


def funding_paragraph(result: ScenarioResult, money: FinanceView) -> list[Block]:
    """One paragraph naming every funding source (none without funding)."""
    programme = result.loaded.programme
    if not programme.funding:
        return []
    parts = [_source_text(programme, s, s.name in money.funding_withheld) for s in programme.funding]
    text = LEAD + "; ".join(parts) + "."
    if money.funding_withheld:
        text += (
            f" The amounts of {', '.join(money.funding_withheld)} are commercially confidential and are "
            "left out of the figures; they are given in the exempt appendix (not for publication)."
        )
    return [para(text)]


def _source_text(programme: Programme, source: FundingSource, withheld: bool) -> str:
    amounts = (
        "amounts withheld"
        if withheld
        else " and ".join(f"{officer_pounds(v)} in {fy}" for fy, v in source.amounts.items())
    )
    receivers = " and ".join(
        f"{programme.partner(p).name} ({share:.0%})" for p, share in recipients(programme, source).items()
    )
    if source.kind == "grant":
        return f"{source.name}, a grant to {receivers}: {amounts}"
    if source.kind == "contribution":
        payer = programme.partner(source.from_partner or "").name
        return f"{source.name}, a contribution by {payer} to {receivers}: {amounts}"
    return f"{source.name}, a capitalisation direction for one-off costs: {amounts}"


def by_year_table(by_year: pd.DataFrame, money: Callable[[float], str] = pounds) -> Block:
    """Money by financial year; with funding, the funding, the one-off costs net of it, and the
    one-off costs met from capital."""
    columns = ["financial year", "one-off costs", "savings"]
    if "funding" in by_year:
        columns += ["funding", "one-off net of funding", "capitalised"]
    columns.append("net")
    rows = [
        [str(r[c]) if c == "financial year" else money(r[c]) for c in columns] for _, r in by_year.iterrows()
    ]
    return table(columns, rows, caption="Money by financial year (April to March)")
