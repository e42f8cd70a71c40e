"""The public view of appraised results: finance, run summaries and plans with exempt figures
withheld (see :mod:`engine.plan.disclosure` for what is secret and why)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from engine.appraisal.finance import TargetProgress, plan_finance, target_progress
from engine.plan.disclosure import Disclosure, public_reason
from engine.programme.exempt import CLASSIFICATION, NOT_FOR_PUBLICATION, SHOWN_WITH, WITHHELD_REASON

if TYPE_CHECKING:
    from engine.appraisal.scenario import ScenarioResult
    from engine.plan.result import PlanResult
    from engine.scoring.scores import ScoreTable


@dataclass
class FinanceView:
    """The plan's money as an output prints it (public: secret options left out and named)."""

    npv: float
    one_off: float
    annual_saving: float
    payback_years: float | None
    by_year: pd.DataFrame  # financial year, one-off costs, savings, net
    by_partner: pd.DataFrame  # partner, one_off, annual_saving, npv
    by_service: pd.DataFrame  # service, option, one_off, annual_saving, npv, payback_years
    withheld: list[str]  # options left out of the totals (public view only)
    target: TargetProgress | None = None  # against the programme's savings target, if it has one
    funding_withheld: list[str] = field(default_factory=list)  # exempt funding sources left out (names)
    no_change: bool = False  # the plan keeps every service as it is: nothing to pay back

    @property
    def payback_text(self) -> str:
        """Payback in words: a plan that changes nothing has no payback (not "0.0 years")."""
        if self.no_change:
            return "no change, so no payback"
        if self.payback_years is None:
            return "not within the appraisal"
        return f"{self.payback_years:.1f} years"


def finance_view(result: ScenarioResult, include_exempt: bool) -> FinanceView | None:
    """The plan's finance; in the public view, the same appraisal of the plan without its secret
    options (every partner keeps its row)."""
    finance, plan = result.finance, result.plan.plan
    if finance is None or plan is None:
        return None
    programme = result.loaded.programme
    disclosure = Disclosure.of(programme, include_exempt)
    hidden = disclosure.withheld_in(plan)
    if hidden or disclosure.secret_funding:
        partners = finance.by_partner["partner"]
        public = disclosure.public_programme()
        finance = plan_finance(disclosure.public_part(plan), public, result.loaded.scenario.appraisal)
        finance.by_partner = (
            finance.by_partner.set_index("partner").reindex(partners, fill_value=0.0).reset_index()
        )
    return FinanceView(
        finance.npv,
        finance.one_off,
        finance.annual_saving,
        finance.payback_years if plan.assignments else None,
        finance.flows.frame(),
        finance.by_partner,
        finance.by_service,
        sorted(hidden),
        public_target(result, include_exempt),
        disclosure.funding_withheld,
        no_change=not plan.assignments,
    )


def public_target(result: ScenarioResult, include_exempt: bool) -> TargetProgress | None:
    """The plan's savings against the target; in the public view without what an exempt figure
    sets: the forecast when the plan takes a secret option, and every figure made from the
    in-scope cost when a current cost in it is exempt (its sum minus the public ones gives it)."""
    plan, programme = result.plan.plan, result.loaded.programme
    progress = None if plan is None else target_progress(plan, programme)
    if progress is None or include_exempt:
        return progress
    reasons, hidden = [], Disclosure.of(programme).withheld_in(plan)
    if hidden:
        reasons.append(f"the forecast includes exempt figures of {', '.join(hidden)}")
        progress = replace(progress, forecast=None, forecast_share=None)
    if any("annual_cost" in s.exempt for s in programme.services if s.in_scope):
        reasons.append("the in-scope cost includes an exempt current cost")
        goal = programme.savings_target
        assert goal is not None
        progress = replace(
            progress,
            target=progress.target if goal.amount is not None else None,
            target_share=progress.target_share if goal.share is not None else None,
            forecast_share=None,
        )
    return replace(progress, withheld="; ".join(reasons) or None)


def run_summary(result: ScenarioResult, include_exempt: bool = False) -> dict[str, Any]:
    """A run's headline figures as every output states them (compare, the store)."""
    disclosure = Disclosure.of(result.loaded.programme, include_exempt)
    plan = result.plan
    money = finance_view(result, include_exempt)
    withheld = disclosure.withheld_in(plan.plan)
    shown = public_plan(plan, include_exempt, result.scores)
    return {
        "scenario": result.loaded.name,
        "status": plan.status_text,
        "objective": plan.objective,
        "objective_value": shown.objective_value,
        "npv": None if money is None else money.npv,
        "one_off": None if money is None else money.one_off,
        "annual_saving": None if money is None else money.annual_saving,
        "payback_years": None if money is None else money.payback_years,
        "services_changing": 0 if plan.plan is None else len(plan.plan.assignments),
        "left_out_as_exempt": withheld,
        **({} if not include_exempt else CLASSIFICATION),
    }


def public_plan(
    result: PlanResult, include_exempt: bool = False, scores: ScoreTable | None = None
) -> PlanResult:
    """The plan result as it may be printed: the objective value and bound withheld where a secret
    option is in the plan, or where the value objective is made of scores on a scale a secret figure
    sets (``scores``); reasons and money warnings that rest on a secret option withheld."""
    if result.programme is None:
        return result
    if include_exempt:
        return replace(result, notice=NOT_FOR_PUBLICATION)
    disclosure = Disclosure.of(result.programme)
    scaled = result.objective == "value" and scores is not None and bool(scores.secret_scales())
    secret_money = bool(disclosure.secret or disclosure.secret_funding)
    left_out = {  # only a reason made of money or scores can rest on a secret figure: public_reason
        s: public_reason(why, scaled or disclosure.hides_service(s), secret_money, WITHHELD_REASON)
        for s, why in result.left_out.items()
    }
    negative = [s for s in result.negative_npv if not disclosure.hides_service(s)]
    advice = result.advice
    # a shortfall may be a secret option's one-off, or a budget a secret grant raises
    if (disclosure.secret or disclosure.secret_funding) and result.plan is None:
        advice = [re.sub(r"£[\d,]+(?:\.\d+)?", "£[exempt]", line) for line in advice]
    hidden = disclosure.withheld_in(result.plan)
    funded = disclosure.hides_objective(result.objective)
    if not hidden and not scaled and not funded:
        return replace(result, left_out=left_out, negative_npv=negative, advice=advice)
    what = f"exempt figures of {', '.join(hidden)}" if hidden else "scores on a scale an exempt figure sets"
    if funded and not hidden:
        what = f"exempt funding ({', '.join(disclosure.funding_withheld)})"
    return replace(
        result,
        advice=advice,
        objective_value=None,
        bound=None,
        left_out=left_out,
        negative_npv=negative,
        notice=f"The objective value rests on {what} and is withheld {SHOWN_WITH}.",
    )
