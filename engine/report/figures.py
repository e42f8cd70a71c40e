"""Figures as the report prints them, with confidential (exempt) ones held back.

A figure is exempt when the programme marks the field it comes from (an option's tendered price,
say).  The public report never prints it, nor anything it could be worked back from: the finance
totals in the public report leave those options out and say so, and the exempt appendix gives the
full figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from engine.finance import plan_finance
from engine.model import Programme
from engine.scenario import ScenarioResult


def pounds(value: float) -> str:
    """Money to the penny, as a Section 151 officer checks it."""
    sign = "−" if value < -0.005 else ""
    return f"{sign}£{abs(value):,.2f}"


def whole_pounds(value: float) -> str:
    sign = "−" if value < -0.5 else ""
    return f"{sign}£{abs(value):,.0f}"


def percent(value: float, places: int = 1) -> str:
    return f"{value:.{places}%}"


def secret_options(programme: Programme) -> set[str]:
    """Options whose costs or savings would reveal an exempt figure."""
    out = set()
    for option in programme.options:
        service = programme.service(option.service)
        if {"annual_cost", "one_off_cost"} & set(option.exempt) or "annual_cost" in service.exempt:
            out.add(option.id)
    return out


@dataclass
class FinanceView:
    """The plan's money as one report prints it (public: exempt options left out)."""

    npv: float
    one_off: float
    annual_saving: float
    payback_years: float | None
    by_year: pd.DataFrame  # financial year, one-off costs, savings, net
    by_partner: pd.DataFrame  # partner, one_off, annual_saving, npv
    by_service: pd.DataFrame  # service, option, one_off, annual_saving, npv, payback_years
    withheld: list[str]  # options left out of the totals (public report only)


def finance_view(result: ScenarioResult, include_exempt: bool) -> FinanceView | None:
    finance, plan = result.finance, result.plan.plan
    if finance is None or plan is None:
        return None
    programme = result.loaded.programme
    hidden = set() if include_exempt else secret_options(programme) & {a.option for a in plan.assignments}
    if hidden:  # the same appraisal of the plan without them; every partner keeps its row
        kept = tuple(a for a in plan.assignments if a.option not in hidden)
        partners = finance.by_partner["partner"]
        finance = plan_finance(
            plan.model_copy(update={"assignments": kept}), programme, result.loaded.scenario.appraisal
        )
        finance.by_partner = (
            finance.by_partner.set_index("partner").reindex(partners, fill_value=0.0).reset_index()
        )
    return FinanceView(
        finance.npv,
        finance.one_off,
        finance.annual_saving,
        finance.payback_years,
        finance.flows.frame(),
        finance.by_partner,
        finance.by_service,
        sorted(hidden),
    )


EXEMPT_NOTE = (
    "Figures for {options} are commercially confidential and are left out of the figures above; they are "
    "given in the exempt appendix (not for publication)."
)
