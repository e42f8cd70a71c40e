"""What-if scenarios: a base programme plus overrides, giving a new, validated programme.

A scenario never changes its base: overrides (the shorthand fields, and ``change``, ``add`` and
``remove`` of any record, :mod:`engine.appraisal.overrides`) are applied to a copy of the base's
data, which is validated again as a programme, every problem placed at the scenario line that
caused it.  ``run_scenario`` then scores, plans and appraises it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from engine.appraisal.finance import Appraisal, PlanFinance, plan_finance
from engine.appraisal.overrides import Additions, Changes, Edit, Removals, add, change, remove
from engine.base.errors import InputError, Problem
from engine.base.limits import MAX_FILE_BYTES, read_input
from engine.io.load import load_programme, names_a_base
from engine.io.records import parse_yaml_located, programme_data, validate_programme
from engine.io.shipped import shipped_rules
from engine.io.validation import Loc
from engine.io.yamlsource import YamlDoc
from engine.optimise.solve import solve
from engine.plan.progress import Progress
from engine.plan.result import PlanResult
from engine.plan.settings import PlanSettings
from engine.programme.model import Amount, Fraction, Id, Money, Programme, Record, Text, Weight
from engine.rules.ruleset import RuleSet, load_ruleset
from engine.scoring.scores import ScoreTable, score
from engine.scoring.weightsets import WeightSet, check_fits, find_weight_set, weights_folder


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
    key_decision: bool | None = Field(
        None, description="the author's statement; default: derived from the council's key-decision threshold"
    )
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
    weight_set: Id | None = Field(
        None, description="a named weight set of the base programme (written `weights: NAME`)"
    )
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
    change: Changes = Field(Changes(), description="field updates by record kind and id")
    add: Additions = Field(Additions(), description="whole new records by kind")
    remove: Removals = Field(Removals(), description="ids to take out by kind; a partner's removal cascades")
    appraisal: Appraisal = Appraisal()
    report: ReportDetails = ReportDetails()

    @model_validator(mode="before")
    @classmethod
    def _named_weights(cls, data: Any) -> Any:
        """``weights: jane-smith`` names a weight set (see :mod:`engine.scoring.weightsets`)."""
        if isinstance(data, dict) and isinstance(data.get("weights"), str):
            return {**data, "weight_set": data["weights"], "weights": {}}
        return data


@dataclass
class LoadedScenario:
    path: Path
    scenario: Scenario
    base: Programme
    programme: Programme
    rules: RuleSet
    settings: PlanSettings
    weight_set: WeightSet | None = None  # whose weights, when a scenario names a set

    @property
    def name(self) -> str:
        return self.scenario.name


def load_scenario(path: str | Path) -> LoadedScenario:
    path = Path(path)
    if not path.exists():
        raise InputError.one("no such scenario file", file=str(path))
    content = read_input(path, MAX_FILE_BYTES, "scenario file")  # refuses devices, pipes, giants
    if path.suffix.lower() in (".yaml", ".yml") and not names_a_base(content):  # read once, above
        raise InputError.one(_not_a_scenario(path), file=str(path), field="base")
    scenario, doc = parse_yaml_located(content, str(path), Scenario, "scenario", InputError)
    base_path = (path.parent / scenario.base).resolve()
    if not base_path.exists():
        raise InputError.one(
            f"base programme `{scenario.base}` not found (looked at {base_path})",
            file=str(path),
            field="base",
            line=doc.locate(("base",))[0],
        )
    base = load_programme(base_path)
    rules_path = Path(scenario.rules)
    if rules_path.suffix in (".yaml", ".yml"):
        rules = load_ruleset(path.parent / rules_path)
    else:
        shipped = shipped_rules(scenario.rules)
        if not shipped.is_file():
            line = doc.locate(("rules",))[0]
            raise InputError.one(
                f"unknown rule set `{scenario.rules}`", file=str(path), field="rules", line=line
            )
        rules = load_ruleset(shipped)
    chosen = _named_weight_set(scenario, base, base_path, rules, path, doc)
    if chosen is not None:
        scenario = scenario.model_copy(update={"weights": dict(chosen.weights)})
    loaded = prepare_scenario(scenario, base, rules, path, doc)
    loaded.weight_set = chosen
    return loaded


def _not_a_scenario(path: Path) -> str:
    """Why a file without a top-level ``base:`` is refused, and the scenarios to use instead: a
    programme passed where a scenario is expected used to answer with one "unknown field" per
    section of the programme."""
    beside = sorted((path.parent / path.stem).glob("*.y*ml"))
    hint = (
        f"; its scenarios are {', '.join(str(p) for p in beside[:6])}"
        if beside
        else "; write a scenario whose `base:` names this programme"
    )
    return (
        "this file is not a scenario: a scenario names its programme at the top level with `base:` "
        f"(this looks like a programme itself){hint}"
    )


def _named_weight_set(
    scenario: Scenario, base: Programme, base_path: Path, rules: RuleSet, path: Path, doc: YamlDoc
) -> WeightSet | None:
    """The weight set ``weights: NAME`` names, from the base programme's weight sets, checked
    against its rule set; a problem is placed at the scenario's ``weights`` line."""
    if scenario.weight_set is None:
        return None
    line = doc.locate(("weights",))[0]
    try:
        found = find_weight_set(weights_folder(base_path, base.id), scenario.weight_set, field="weights")
        check_fits(found, rules, base.id)
    except InputError as exc:
        moved = [
            Problem(p.message, file=str(path), line=line, field="weights")
            for p in exc.problems
            if p.file in (None, "command line")
        ]
        raise InputError(moved or list(exc.problems)) from None
    return found


def prepare_scenario(
    scenario: Scenario, base: Programme, rules: RuleSet, path: Path, doc: YamlDoc | None = None
) -> LoadedScenario:
    """A scenario whose base programme and rule set are already in hand (a file's, or the what-if a
    user is editing on screen): its overrides applied and checked, its plan settings made.
    ``doc``, the scenario file as read, places every problem on its line."""
    programme = apply(base, scenario, str(path), doc)
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


def apply(base: Programme, scenario: Scenario, source: str, doc: YamlDoc | None = None) -> Programme:
    """The base programme with the scenario's overrides, validated again (a copy, never in place).

    Every problem is reported at once, each at the scenario line that caused it where ``doc`` is
    given (see :mod:`engine.appraisal.overrides`)."""
    raw = doc.data if doc is not None else scenario.model_dump()
    edit = Edit(programme_data(base), source, doc, raw)
    _capacities(edit, scenario)
    _budget_and_margin(edit, scenario)
    _exclude_options(edit, scenario)
    remove(edit, scenario.remove, scenario.change, scenario.add)
    add(edit, scenario.add)
    change(edit, scenario.change)
    _keep_confidential(edit, base, scenario)
    _plan_controls(edit, scenario)
    edit.data["name"] = f"{base.name}: {scenario.name}"
    try:
        programme = validate_programme(edit.data, source, edit.locator())
    except InputError as exc:
        told = {p.line for p in edit.problems if p.line is not None}
        found = [*edit.problems, *(p for p in exc.problems if p.line is None or p.line not in told)]
        raise InputError(_in_file_order(found)) from None
    if edit.problems:
        raise InputError(_in_file_order(edit.problems))
    return programme


def _keep_confidential(edit: Edit, base: Programme, scenario: Scenario) -> None:
    """A what-if never makes a confidential figure public: a service or option the base marks
    ``exempt`` keeps every marking (a ``change`` that drops one is refused at its line; a record
    removed and added again under the same id keeps the base's markings)."""
    for kind, records in (("services", base.services), ("options", base.options)):
        marked = {r.id: set(r.exempt) for r in records if r.exempt}
        for record in edit.data.get(kind, ()):
            kept = marked.get(record.get("id", ""))
            if not kept:
                continue
            now = set(record.get("exempt") or ())
            dropped = kept - now
            if dropped and "exempt" in getattr(scenario.change, kind).get(record["id"], {}):
                edit.problem(
                    f"a what-if cannot make a confidential figure public: {kind[:-1]} `{record['id']}` "
                    f"keeps `exempt: [{', '.join(sorted(kept))}]` (only the programme's owner can lift it)",
                    ("change", kind, record["id"], "exempt"),
                )
            if dropped:
                record["exempt"] = [*(record.get("exempt") or ()), *sorted(dropped)]


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """By line (the problems no line can be given for last), each line's in the order found."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _capacities(edit: Edit, scenario: Scenario) -> None:
    """The shorthand ``capacities``: per pool, its capacity and its named windows' overrides."""
    for pool_id, update in scenario.capacities.items():
        pool = edit.find("resources", pool_id)
        at: Loc = ("capacities", pool_id)
        if pool is None:
            known = ", ".join(sorted(edit.base_ids["resources"]))
            edit.problem(f"unknown resource `{pool_id}`; expected one of {known}", at)
            continue
        if update.capacity is not None:
            pool["capacity"] = update.capacity
            edit.mark(pool, "capacity", (*at, "capacity"))
        if update.overrides is not None:
            pool["overrides"] = dict(update.overrides)
            edit.mark(pool, "overrides", (*at, "overrides"))


def _budget_and_margin(edit: Edit, scenario: Scenario) -> None:
    """The shorthand ``budget`` (the whole budget) and ``margin`` (every exception policy's)."""
    if scenario.budget is not None:
        edit.data["budget"] = scenario.budget.model_dump()
        edit.mark(edit.data["budget"], None, ("budget",))
    if scenario.margin is not None:  # every policy's: the programme's reading of "greater value"
        policies = [edit.data.get("exception_policy"), *(edit.data.get("exception_policies") or ())]
        if not any(policies):
            edit.problem("the base programme has no exception policy to set a margin on", ("margin",))
        for policy in filter(None, policies):
            policy["margin"] = scenario.margin
            edit.mark(policy, "margin", ("margin",))


def _exclude_options(edit: Edit, scenario: Scenario) -> None:
    for j, option in enumerate(scenario.exclude_options):
        at: Loc = ("exclude_options", j)
        if option not in edit.base_ids["options"]:
            edit.problem(f"unknown option `{option}`", at)
        edit.drop_record("options", option, at)


def _plan_controls(edit: Edit, scenario: Scenario) -> None:
    """The services the plan controls name are services of the edited programme, and the partners
    and options they fix exist in it (an option of that service)."""
    services = {s.get("id") for s in edit.data["services"]}
    for name in ("force_in", "force_out", "fix_provider", "fix_option"):
        named = getattr(scenario, name)
        unknown = [s for s in named if s not in services]
        if unknown:
            removed = [s for s in unknown if ("services", s) in edit.removed]
            extra = f" ({', '.join(removed)} removed by this scenario)" if removed else ""
            edit.problem(f"unknown service(s): {', '.join(sorted(set(unknown)))}{extra}", (name,))
    partners = {p.get("id") for p in edit.data["partners"]}
    for service, partner in scenario.fix_provider.items():
        if service in services and partner not in partners:
            edit.problem(_gone("partners", partner, edit, "partner"), ("fix_provider", service))
    options = {o.get("id"): o.get("service") for o in edit.data["options"]}
    for service, option in scenario.fix_option.items():
        if service in services and options.get(option) != service:
            what = (
                _gone("options", option, edit, "option")
                if option not in options
                else (f"option `{option}` is not an option of service `{service}`")
            )
            edit.problem(what, ("fix_option", service))


def _gone(kind: str, key: str, edit: Edit, word: str) -> str:
    """An unknown partner or option named by a plan control, saying if this scenario removed it."""
    removed = (kind, key) in edit.removed
    return f"unknown {word} `{key}`" + (" (removed by this scenario)" if removed else "")


@dataclass
class ScenarioResult:
    loaded: LoadedScenario
    scores: ScoreTable
    plan: PlanResult
    finance: PlanFinance | None


def run_scenario(
    loaded: LoadedScenario, reasons: bool = False, progress: Progress | None = None
) -> ScenarioResult:
    """Score, plan and appraise; ``reasons`` also says why each unchanged service stays as it is;
    ``progress`` watches the plan's search and can stop it (:mod:`engine.plan.progress`)."""
    scenario = loaded.scenario
    table = score(loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None)
    result = solve(loaded.programme, loaded.settings, table, reasons=reasons, progress=progress)
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
