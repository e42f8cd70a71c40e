"""Scenarios side by side: what each chooses, what it costs and saves, and what changed and why.

The first scenario is the reference; every difference in another scenario's choices is listed with
the override that most plausibly caused it (a fixed provider or option, a forced service, an
excluded option, a record the scenario changes, adds or removes, a changed limit, or changed
weights or rules).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.appraisal.public import FinanceView, finance_view, public_plan
from engine.appraisal.scenario import ScenarioResult
from engine.plan.disclosure import Disclosure
from engine.plan.result import Assignment, stage_rows, usage
from engine.programme.exempt import CLASSIFICATION
from engine.programme.model import Programme
from engine.programme.partners import consenting_partners
from engine.scoring.consensus import partner_tables, plan_value_by_partner


@dataclass
class Comparison:
    results: list[ScenarioResult]
    summary: pd.DataFrame  # one row per scenario
    choices: pd.DataFrame  # one row per service, a column per scenario
    changes: list[dict[str, str]]  # scenario, service, from, to, reason
    include_exempt: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            **(CLASSIFICATION if self.include_exempt else {}),
            "scenarios": [r.loaded.name for r in self.results],
            "summary": _records(self.summary),
            "choices": self.choices.reset_index().to_dict("records"),
            "changes": self.changes,
        }


NOT_IN_PROGRAMME = "not in the programme"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON can hold them: a figure withheld or absent (a partner one scenario lacks) is
    null, never NaN, which is not JSON."""
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def compare(results: list[ScenarioResult], include_exempt: bool = False) -> Comparison:
    """Side by side; figures that an exempt price takes part in are left out (see engine.plan.disclosure)
    unless ``include_exempt``."""
    rows, columns = [], {}
    for result in results:
        loaded, plan = result.loaded, result.plan
        disclosure = Disclosure.of(loaded.programme, include_exempt)
        rows.append(_summary_row(result, disclosure))
        chosen = {} if plan.plan is None else plan.plan.by_service()
        columns[loaded.name] = {
            s.id: _choice_words(loaded.programme, chosen[s.id]) if s.id in chosen else "as it is"
            for s in loaded.programme.services
        }
    choices = pd.DataFrame(columns).fillna(NOT_IN_PROGRAMME)  # a service a scenario adds or removes
    choices.index.name = "service"
    return Comparison(results, pd.DataFrame(rows), choices, _changes(results, choices), include_exempt)


def _choice_words(programme: Programme, assignment: Assignment) -> str:
    """ "hr-county from Apr 2016"; a staged path names each stage from its start ("legal-shared
    from Apr 2016, then legal-company from Apr 2021")."""
    return ", then ".join(
        f"{row['option']} from {row['start_label']}" for row in stage_rows(programme, assignment)
    )


def _summary_row(result: ScenarioResult, disclosure: Disclosure) -> dict[str, Any]:
    loaded, plan = result.loaded, result.plan
    programme = loaded.programme
    schedule = plan.to_frame()
    exceptions = [str(r["option"]) for _, r in schedule.iterrows() if r["exception"]]  # ids: named in tables
    money = finance_view(result, disclosure.include_exempt)
    withheld = disclosure.withheld_in(plan.plan)
    shown = public_plan(plan, disclosure.include_exempt, result.scores)
    scaled = not disclosure.include_exempt and bool(result.scores.secret_scales())
    shares: dict[str, float] = {}
    if money is not None:
        by_partner = money.by_partner.set_index("partner")["npv"]
        shares = {
            f"NPV for {programme.partner(p).name} (£)": round(float(by_partner.get(p, 0.0)), 2)
            for p in consenting_partners(programme)
        }
    own: dict[str, float | None] = {}
    if plan.plan is not None and any(programme.partner(p).weights for p in consenting_partners(programme)):
        tables = partner_tables(
            programme, loaded.rules, loaded.scenario.method, loaded.scenario.weights or None
        )
        own = {
            f"value for {programme.partner(p).name} (own weights)": None
            if withheld or scaled
            else round(v, 4)
            for p, v in plan_value_by_partner(
                {a.service: a.option for a in plan.plan.assignments}, programme, tables
            ).items()
        }
    peaks = {}
    if plan.plan is not None:
        used = usage(plan.plan, programme)
        peaks = {f"peak {pool.name}": max(used[pool.id], default=0.0) for pool in programme.resources}
    losing = [s for s in plan.negative_npv if not disclosure.hides_service(s)]
    return {
        "scenario": loaded.name,
        "plan": plan.status_text,
        "objective": plan.objective,
        "objective value": shown.objective_value,
        "services changing": 0 if plan.plan is None else len(plan.plan.assignments),
        "NPV (£)": None if money is None else round(money.npv, 2),
        "one-off cost (£)": None if money is None else round(money.one_off, 2),
        "annual saving (£)": None if money is None else round(money.annual_saving, 2),
        "payback (years)": None
        if money is None or money.payback_years is None
        else round(money.payback_years, 2),
        **_target_columns(money),
        **_funding_columns(money),
        "left out of the figures (exempt)": "; ".join(
            [*withheld, *(money.funding_withheld if money else [])]
        ),
        "exceptions": "; ".join(exceptions),
        "changes losing money (NPV < 0)": "; ".join(programme.service(s).name for s in losing),
        **shares,
        **own,
        **peaks,
    }


def _funding_columns(money: FinanceView | None) -> dict[str, float]:
    """Where the programme has funding: the funding each financial year (grants; contributions
    net to nothing), the one-off cost net of it, and what capitalisation directions meet from
    capital (the public view's figures: exempt sources left out)."""
    if money is None or "funding" not in money.by_year:
        return {}
    years = money.by_year.set_index("financial year")
    out = {f"funding {fy} (£)": round(float(v), 2) for fy, v in years["funding"].items() if v}
    total = float(years["funding"].sum())
    out["one-off cost net of funding (£)"] = round(money.one_off - total, 2)
    out["capitalised (£)"] = round(float(years["capitalised"].sum()), 2)
    return out


def _target_columns(money: FinanceView | None) -> dict[str, float | str | None]:
    """The savings target's columns, where the programme has one (None: withheld or no plan)."""
    if money is None or money.target is None:
        return {}
    t = money.target

    def pounds(v: float | None) -> float | None:
        return None if v is None else round(v, 2)

    return {
        "savings target (£ a year)": pounds(t.target),
        "saving towards the target (£ a year)": pounds(t.forecast),
        "short of the target (£ a year)": pounds(t.shortfall),
        "in place after the target date": "; ".join(t.late),
    }


def _changes(results: list[ScenarioResult], choices: pd.DataFrame) -> list[dict[str, str]]:
    if len(results) < 2:
        return []
    reference = results[0].loaded
    base_name = reference.name
    out = []
    for result in results[1:]:
        name = result.loaded.name
        for service, before in choices[base_name].items():
            after = choices.at[service, name]
            if after != before:
                out.append(
                    {
                        "scenario": name,
                        "service": str(service),
                        "from": before,
                        "to": after,
                        "reason": _reason(result, reference, str(service)),
                    }
                )
    return out


def _records_of(programme: Any, service: str) -> tuple[Any, ...]:
    """A service's record and its options, or nothing where the programme lacks the service."""
    if service not in {s.id for s in programme.services}:
        return ()
    return (programme.service(service), *programme.options_for(service))


def _overridden(result: ScenarioResult, reference: Any, service: str) -> bool:
    """Whether the scenario's programme holds this service or its options otherwise than the
    reference's (an override of its records, or a partner's removal cascading to them)."""
    return _records_of(result.loaded.programme, service) != _records_of(reference.programme, service)


def _reason(result: ScenarioResult, reference: Any, service: str) -> str:
    scenario, ref = result.loaded.scenario, reference.scenario
    if scenario.do_nothing:
        return "the scenario keeps every service as it is"
    if service in scenario.fix_provider:
        return f"the provider is fixed to {scenario.fix_provider[service]}"
    if service in scenario.fix_option:
        return f"the option is fixed to {scenario.fix_option[service]}"
    if service in scenario.force_in:
        return "the service is forced to change"
    if service in scenario.force_out:
        return "the service is kept as it is"
    if any(
        result.loaded.base.option(o).service == service
        for o in scenario.exclude_options
        if o in {x.id for x in result.loaded.base.options}
    ):
        return "an option of this service is excluded"
    if _overridden(result, reference, service):
        return "the what-if changes, adds or removes this service or one of its options"
    dependents = [d.before for d in result.loaded.programme.dependencies if d.after == service]
    if any(
        d in scenario.fix_provider or d in scenario.fix_option or d in scenario.force_out for d in dependents
    ):
        return f"it follows {dependents[0]}, which the scenario changes"
    if (
        scenario.capacities != ref.capacities
        or scenario.budget != ref.budget
        or (scenario.max_concurrent != ref.max_concurrent)
    ):
        return "a resource, budget or concurrency limit differs, which changes what fits when"
    if scenario.rules != ref.rules or scenario.weights != ref.weights or scenario.method != ref.method:
        return "the rules or weights differ, which changes the scores"
    if scenario.objective != ref.objective:
        return f"the objective is {scenario.objective}"
    return "the plan trades this service against the scenario's other changes"
