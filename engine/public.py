"""The one public view of results: exempt figures, and what can be worked back from them, withheld.

A programme marks fields ``exempt`` (an option's tendered price, a service's current cost). An
option is *secret* when one of its costs is exempt or its service's current cost is (every saving
of that service is the current cost minus a public price). Every output (each CLI command and
format, the store, the app, the report) asks this module what it may show:

- money that a secret option takes part in (its saving, NPV, one-off cost, and every total, payback,
  objective value, percentile or switching value that includes it) is never printed; totals are
  recomputed *without* the secret options and say which were left out, so no subtraction between
  two printed figures gives a price back;
- a secret option's criterion values that come from an exempt field, and its total score, are
  withheld or banded (see :func:`band`) where a score is printed on its own.

``include_exempt`` (``--include-exempt`` on the CLI, an explicit control in the app) shows
everything, and such output carries :data:`NOT_FOR_PUBLICATION` in its header.

Where a secret value sets a criterion's scale (the largest saving in the programme is an exempt
one, say; see ``ScoreTable.secret_scales``), every option's value on it and every total score is
worked from that value: the public view then withholds the criterion for every option, bands every
score and withholds value-objective figures.

A channel this view does not close (for the planning work to remove): the feasibility of a plan
under a what-if budget brackets a secret option's one-off cost.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from engine.finance import plan_finance
from engine.model import Programme

if TYPE_CHECKING:
    from engine.plan import Plan, PlanResult
    from engine.scenario import ScenarioResult
    from engine.scoring import ScoreTable

WITHHELD_REASON = "the reason rests on exempt figures (shown with --include-exempt)"
NOT_FOR_PUBLICATION = "NOT FOR PUBLICATION: contains exempt (commercially confidential) figures"
CLASSIFICATION = {"classification": "NOT FOR PUBLICATION"}


def secret_options(programme: Programme) -> set[str]:
    """Options whose costs or savings would reveal an exempt figure."""
    out = set()
    for option in programme.options:
        service = programme.service(option.service)
        if {"annual_cost", "one_off_cost"} & set(option.exempt) or "annual_cost" in service.exempt:
            out.add(option.id)
    return out


@dataclass(frozen=True)
class Disclosure:
    """What one programme's results may show: nothing secret unless ``include_exempt``."""

    programme: Programme
    include_exempt: bool = False
    secret: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, programme: Programme, include_exempt: bool = False) -> Disclosure:
        hidden = frozenset() if include_exempt else frozenset(secret_options(programme))
        return cls(programme, include_exempt, hidden)

    def hides_service(self, service: str) -> bool:
        return any(self.programme.option(o).service == service for o in self.secret)

    def withheld_in(self, plan: Plan | None) -> list[str]:
        """The secret options of ``plan`` (left out of its public totals), in plan order."""
        return [] if plan is None else [a.option for a in plan.assignments if a.option in self.secret]

    def public_part(self, plan: Plan) -> Plan:
        """``plan`` without its secret options: what public totals are appraised on."""
        kept = tuple(a for a in plan.assignments if a.option not in self.secret)
        return plan if len(kept) == len(plan.assignments) else plan.model_copy(update={"assignments": kept})


def public_switching(values: list[Any], disclosure: Disclosure) -> tuple[list[Any], int]:
    """Switching values that may be shown, and how many were withheld: a switching value of a
    service with a secret option is a price (or a score made from one) moved to a threshold."""
    shown = [v for v in values if not disclosure.hides_service(v.service)]
    return shown, len(values) - len(shown)


def band(score: float, width: float = 0.1) -> str | None:
    """A score shown as the band it falls in ("0.8–0.9"), so no criterion value can be worked back
    (None for an option with no score, e.g. one not eligible)."""
    if not math.isfinite(score):
        return None
    low = math.floor(round(score / width, 9)) * width
    return f"{low:.1f}–{low + width:.1f}"


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


def finance_view(result: ScenarioResult, include_exempt: bool) -> FinanceView | None:
    """The plan's finance; in the public view, the same appraisal of the plan without its secret
    options (every partner keeps its row)."""
    finance, plan = result.finance, result.plan.plan
    if finance is None or plan is None:
        return None
    programme = result.loaded.programme
    disclosure = Disclosure.of(programme, include_exempt)
    hidden = disclosure.withheld_in(plan)
    if hidden:
        partners = finance.by_partner["partner"]
        finance = plan_finance(disclosure.public_part(plan), programme, result.loaded.scenario.appraisal)
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
    left_out = {  # a reason with no figure in it ("kept as it is by this what-if") gives nothing away
        s: WITHHELD_REASON
        if (scaled or disclosure.hides_service(s)) and any(c.isdigit() for c in why)
        else why
        for s, why in result.left_out.items()
    }
    negative = [s for s in result.negative_npv if not disclosure.hides_service(s)]
    advice = result.advice
    if disclosure.secret and result.plan is None:  # a shortfall may be a secret option's one-off
        advice = [re.sub(r"£[\d,]+(?:\.\d+)?", "£[exempt]", line) for line in advice]
    hidden = disclosure.withheld_in(result.plan)
    if not hidden and not scaled:
        return replace(result, left_out=left_out, negative_npv=negative, advice=advice)
    what = f"exempt figures of {', '.join(hidden)}" if hidden else "scores on a scale an exempt figure sets"
    return replace(
        result,
        advice=advice,
        objective_value=None,
        bound=None,
        left_out=left_out,
        negative_npv=negative,
        notice=f"The objective value rests on {what} and is withheld (shown with --include-exempt).",
    )
