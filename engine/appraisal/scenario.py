"""What-if scenarios: a base programme plus overrides, giving a new, validated programme.

A scenario never changes its base: overrides are applied to a copy of the base's data, which is
validated again as a programme (so an override that breaks a reference is reported like any
other mistake).  ``run_scenario`` then scores, plans and appraises it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from engine.appraisal.finance import Appraisal, PlanFinance, plan_finance
from engine.base.errors import InputError, Problem
from engine.base.limits import MAX_FILE_BYTES, read_input
from engine.io.load import load_programme
from engine.io.records import parse_yaml_model, programme_data
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.result import PlanResult
from engine.plan.settings import PlanSettings
from engine.programme.model import Amount, Fraction, Id, Money, Programme, Record, Text, Weight
from engine.rules.ruleset import RuleSet, load_ruleset
from engine.scoring.scores import ScoreTable, score


class CapacityOverride(Record):
    capacity: Amount | None = None
    overrides: dict[str, Amount] | None = None


class BudgetOverride(Record):
    per_financial_year: Money
    overrides: dict[str, Money] = Field(default_factory=dict)


class Meeting(Record):
    body: Text = Field(description="e.g. 'Cabinet', 'Overview & Scrutiny Committee'")
    date: Text = Field("date to be set", description="as the report prints it, e.g. '17 June 2015'")


class ReportDetails(Record):
    """The Cabinet report's header block, owned by the report's author (Democratic Services)."""

    meetings: tuple[Meeting, ...] = ()
    subject: Text | None = None
    report_of: Text = "the lead officer for the programme"
    wards_affected: Text = "All"
    key_decision: bool = False
    budget_policy_framework: bool = False
    contact_officer: Text = "the programme's lead officer"
    contact_email: Text | None = None
    contact_telephone: Text | None = None


class Scenario(Record):
    """A named what-if on a base programme."""

    name: Text
    base: str = Field(description="the base programme file, relative to this file")
    description: Text = ""
    rules: str = Field(
        "default", description="a shipped rule set's name, or a rule file relative to this file"
    )
    method: Literal["wsm", "topsis"] | None = None
    weights: dict[str, Weight] = Field(default_factory=dict)
    objective: Literal["value", "savings", "makespan", "maxmin"] = "value"
    consensus: bool = Field(False, description="keep every consenting partner no worse off")
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: float = Field(30.0, gt=0, le=86400)
    do_nothing: bool = Field(False, description="keep every service as it is: the baseline")
    force_in: tuple[Id, ...] = ()
    force_out: tuple[Id, ...] = ()
    fix_provider: dict[Id, Id] = Field(default_factory=dict)
    fix_option: dict[Id, Id] = Field(default_factory=dict)
    exclude_options: tuple[Id, ...] = ()
    max_concurrent: int | None = Field(None, ge=1)
    capacities: dict[Id, CapacityOverride] = Field(default_factory=dict)
    budget: BudgetOverride | None = None
    margin: Fraction | None = Field(None, description="the programme's reading of the MoU: 0.05 for 5 %")
    appraisal: Appraisal = Appraisal()
    report: ReportDetails = ReportDetails()


@dataclass
class LoadedScenario:
    path: Path
    scenario: Scenario
    base: Programme
    programme: Programme
    rules: RuleSet
    settings: PlanSettings

    @property
    def name(self) -> str:
        return self.scenario.name


def load_scenario(path: str | Path) -> LoadedScenario:
    path = Path(path)
    if not path.exists():
        raise InputError.one("no such scenario file", file=str(path))
    content = read_input(path, MAX_FILE_BYTES, "scenario file")
    scenario = parse_yaml_model(content, str(path), Scenario, "scenario", InputError)
    base_path = (path.parent / scenario.base).resolve()
    if not base_path.exists():
        raise InputError.one(
            f"base programme `{scenario.base}` not found (looked at {base_path})",
            file=str(path),
            field="base",
        )
    base = load_programme(base_path)
    rules_path = Path(scenario.rules)
    if rules_path.suffix in (".yaml", ".yml"):
        rules = load_ruleset(path.parent / rules_path)
    else:
        shipped = shipped_rules(scenario.rules)
        if not shipped.is_file():
            raise InputError.one(f"unknown rule set `{scenario.rules}`", file=str(path), field="rules")
        rules = load_ruleset(shipped)
    return prepare_scenario(scenario, base, rules, path)


def prepare_scenario(scenario: Scenario, base: Programme, rules: RuleSet, path: Path) -> LoadedScenario:
    """A scenario whose base programme and rule set are already in hand (a file's, or the what-if a
    user is editing on screen): its overrides applied and checked, its plan settings made."""
    programme = apply(base, scenario, str(path))
    services = {s.id for s in programme.services}
    unknown = [
        s
        for s in (*scenario.force_in, *scenario.force_out, *scenario.fix_provider, *scenario.fix_option)
        if s not in services
    ]
    if unknown:
        raise InputError.one(f"unknown service(s): {', '.join(sorted(set(unknown)))}", file=str(path))
    force_out = tuple(s.id for s in programme.services) if scenario.do_nothing else scenario.force_out
    settings = PlanSettings(
        objective=scenario.objective,
        solver=scenario.solver,
        time_limit=scenario.time_limit,
        appraisal=scenario.appraisal,
        force_in=scenario.force_in,
        force_out=force_out,
        fix_provider=scenario.fix_provider,
        fix_option=scenario.fix_option,
        max_concurrent=scenario.max_concurrent,
        consensus=scenario.consensus,
    )
    return LoadedScenario(path, scenario, base, programme, rules, settings)


def apply(base: Programme, scenario: Scenario, source: str) -> Programme:
    """The base programme with the scenario's overrides, validated again (a copy, never in place)."""
    data: dict[str, Any] = programme_data(base)
    problems: list[Problem] = []
    pools = {pool["id"]: pool for pool in data.get("resources", [])}
    for pool_id, change in scenario.capacities.items():
        if pool_id not in pools:
            problems.append(
                Problem(
                    f"unknown resource `{pool_id}`; expected one of {', '.join(pools)}",
                    file=source,
                    field=f"capacities.{pool_id}",
                )
            )
            continue
        if change.capacity is not None:
            pools[pool_id]["capacity"] = change.capacity
        if change.overrides is not None:
            pools[pool_id]["overrides"] = dict(change.overrides)
    if scenario.budget is not None:
        data["budget"] = scenario.budget.model_dump()
    if scenario.margin is not None:
        if "exception_policy" not in data:
            problems.append(
                Problem(
                    "the base programme has no exception policy to set a margin on",
                    file=source,
                    field="margin",
                )
            )
        else:
            data["exception_policy"]["margin"] = scenario.margin
    if scenario.exclude_options:
        known = {o["id"] for o in data.get("options", [])}
        for option in scenario.exclude_options:
            if option not in known:
                problems.append(Problem(f"unknown option `{option}`", file=source, field="exclude_options"))
        data["options"] = [o for o in data.get("options", []) if o["id"] not in scenario.exclude_options]
    if problems:
        raise InputError(problems)
    data["name"] = f"{base.name}: {scenario.name}"
    try:
        return Programme.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(f"the overrides leave the programme invalid: {error['msg']}", file=source)
                for error in exc.errors()
            ]
        ) from None


@dataclass
class ScenarioResult:
    loaded: LoadedScenario
    scores: ScoreTable
    plan: PlanResult
    finance: PlanFinance | None


def run_scenario(loaded: LoadedScenario, reasons: bool = False) -> ScenarioResult:
    """Score, plan and appraise; ``reasons`` also says why each unchanged service stays as it is."""
    scenario = loaded.scenario
    table = score(loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None)
    result = solve(loaded.programme, loaded.settings, table, reasons=reasons)
    finance = (
        plan_finance(result.plan, loaded.programme, scenario.appraisal) if result.plan is not None else None
    )
    return ScenarioResult(loaded, table, result, finance)


def inputs_hash(result: ScenarioResult) -> str:
    """SHA-256 of everything that determines the run: programme, rule set and settings."""
    loaded = result.loaded
    payload = {
        "programme": loaded.programme.model_dump(mode="json"),
        "rules": loaded.rules.model_dump(mode="json"),
        "settings": loaded.settings.model_dump(mode="json"),
        "scenario": loaded.scenario.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
