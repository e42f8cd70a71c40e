"""An alternative measured against the recommendation on one evidence base.

A report that rejects an alternative must say why in figures a reader can check, and the figures
must be comparable: both plans are scored on the recommendation's rule set, method and weights
(never a value score from another rule set), both are appraised with the recommendation's Green Book
settings, and both are seen through the same confidentiality view (a money comparison that would
rest on an exempt price is left to the exempt appendix, whole).  What the report then says about
each measure is :mod:`engine.report.alternatives`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.appraisal.finance import plan_finance
from engine.appraisal.scenario import ScenarioResult
from engine.plan.disclosure import Disclosure
from engine.plan.result import Plan
from engine.programme.model import Programme
from engine.programme.money import Appraisal, benefit_discounts
from engine.programme.partners import consenting_partners
from engine.scoring.consensus import partner_tables, plan_value_by_partner
from engine.scoring.scores import ScoreTable, score

RECOMMENDED = "recommended by exception"


@dataclass(frozen=True)
class Measure:
    """One figure, the recommendation's and the alternative's, and which way is better."""

    key: str  # npv, annual_saving, value, partner_npv, partner_value, high_risk
    label: str  # "net present value", "net present value for Brentwood Borough Council"
    ours: float
    theirs: float
    money: bool = False
    lower_is_better: bool = False

    def winner(self, shown: Callable[[float], str]) -> str:
        """ "ours", "theirs" or "equal", judged on the figures as printed (``shown``), so the words
        never contradict the numbers beside them."""
        if shown(self.ours) == shown(self.theirs):
            return "equal"
        ahead = self.ours < self.theirs if self.lower_is_better else self.ours > self.theirs
        return "ours" if ahead else "theirs"


@dataclass
class Alternative:
    """An alternative scenario against the recommendation."""

    name: str
    description: str
    feasible: bool
    same_choices: bool  # the same option for every service (the dates may differ)
    measures: list[Measure] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # options whose exempt prices keep money out
    failing_exceptions: list[tuple[str, str, str]] = field(default_factory=list)  # service, provider, verdict
    own_rules: str | None = None  # the alternative's own rule set, where it differs from ours
    status_text: str = ""
    basis: str = ""  # where the money compared comes from, in words (set by the report)
    missing: list[str] = field(default_factory=list)  # consenting partners the alternative leaves out


def compare_alternative(ours: ScenarioResult, other: ScenarioResult, include_exempt: bool) -> Alternative:
    """``other`` measured against ``ours`` (see the module's docstring for the common ground)."""
    loaded = other.loaded
    rules = ours.loaded.rules.id
    found = Alternative(
        loaded.name,
        loaded.scenario.description,
        other.plan.plan is not None,
        _choices(ours.plan.plan) == _choices(other.plan.plan),
        own_rules=loaded.rules.id if loaded.rules.id != rules else None,
        status_text=other.plan.status_text,
    )
    if ours.plan.plan is None or other.plan.plan is None:
        return found
    found.withheld = _withheld(ours, other, include_exempt)
    if not found.withheld:
        found.measures += _money(ours, other)
    tables = (ours.scores, _rescored(ours, other))
    appraisal = ours.loaded.scenario.appraisal
    # a plan's score gain with a secret option in it gives that option's withheld score back
    if include_exempt or not (found.withheld or any(t.secret_scales() for t in tables)):
        found.measures.append(
            Measure(
                "value",
                "value score",
                _gain(ours, tables[0], appraisal),
                _gain(other, tables[1], appraisal),
            )
        )
    if include_exempt or not found.withheld:
        found.measures += _consensus(ours, other, include_exempt)
    found.measures.append(
        Measure("high_risk", "changes rated high risk", _high(ours), _high(other), lower_is_better=True)
    )
    found.failing_exceptions = _failing(ours, other)
    theirs = set(consenting_partners(loaded.programme))
    found.missing = [
        ours.loaded.programme.partner(p).name
        for p in consenting_partners(ours.loaded.programme)
        if p not in theirs
    ]
    return found


def _choices(plan: Plan | None) -> dict[str, str] | None:
    return None if plan is None else {a.service: a.option for a in plan.assignments}


def _withheld(ours: ScenarioResult, other: ScenarioResult, include_exempt: bool) -> list[str]:
    """The secret options in either plan: with any, no money of the two is compared in public."""
    hidden: list[str] = []
    for result in (ours, other):
        disclosure = Disclosure.of(result.loaded.programme, include_exempt)
        hidden += [o for o in disclosure.withheld_in(result.plan.plan) if o not in hidden]
        if disclosure.secret_funding:
            hidden += [n for n in disclosure.funding_withheld if n not in hidden]
    return hidden


def _money(ours: ScenarioResult, other: ScenarioResult) -> list[Measure]:
    """NPV and full-year saving, both with the recommendation's appraisal settings."""
    appraisal = ours.loaded.scenario.appraisal
    assert ours.plan.plan is not None and other.plan.plan is not None
    mine = plan_finance(ours.plan.plan, ours.loaded.programme, appraisal)
    theirs = plan_finance(other.plan.plan, other.loaded.programme, appraisal)
    return [
        Measure("npv", "net present value", mine.npv, theirs.npv, money=True),
        Measure("annual_saving", "full-year saving", mine.annual_saving, theirs.annual_saving, money=True),
    ]


def _rescored(ours: ScenarioResult, other: ScenarioResult) -> ScoreTable:
    """The alternative's programme scored on the recommendation's rule set, method and weights."""
    scenario = ours.loaded.scenario
    return score(
        other.loaded.programme, ours.loaded.rules, method=scenario.method, weights=scenario.weights or None
    )


def _gain(result: ScenarioResult, table: ScoreTable, appraisal: Appraisal) -> float:
    """The plan's value as the value objective counts it: each change's score gained over keeping
    the service as it is, discounted (Green Book) by when the gain arrives, so a plan that gains the
    same later is worth less: for the plan the value objective chose, its objective value."""
    plan, programme = result.plan.plan, result.loaded.programme
    if plan is None:
        return 0.0
    options = table.options
    periods = max((a.end for a in plan.assignments), default=0)
    discounts = benefit_discounts(programme, appraisal, max(periods, programme.horizon.periods))
    total = 0.0
    for a in plan.assignments:
        rows = options[options["service"] == a.service]
        before = rows[rows["status_quo"]]["score"]
        after = float(rows[rows["option"] == a.option]["score"].iloc[0])
        gain = after - (float(before.iloc[0]) if len(before) else 0.0)
        total += gain * float(discounts[a.end])
    return total


def _consensus(ours: ScenarioResult, other: ScenarioResult, include_exempt: bool) -> list[Measure]:
    """Each consenting council's NPV and score gained by its own weights (consensus partnerships
    only; none in public where either plan takes a secret option: a council's share gives it back)."""
    programme = ours.loaded.programme
    if programme.consensus is None:
        return []
    partners = [p for p in consenting_partners(programme) if p in consenting_partners(other.loaded.programme)]
    appraisal, scenario = ours.loaded.scenario.appraisal, ours.loaded.scenario
    npvs: list[dict[str, float]] = []
    values: list[dict[str, float]] = []
    for result in (ours, other):
        assert result.plan.plan is not None
        rows = plan_finance(result.plan.plan, result.loaded.programme, appraisal).by_partner
        npvs.append(dict(zip(rows["partner"], rows["npv"], strict=True)))
        tables = partner_tables(
            result.loaded.programme, ours.loaded.rules, scenario.method, scenario.weights or None
        )
        if not include_exempt and any(t.secret_scales() for t in tables.values()):
            values = []
        else:
            values.append(
                plan_value_by_partner(_choices(result.plan.plan) or {}, result.loaded.programme, tables)
            )
    out = []
    for p in partners:
        name = programme.partner(p).name
        out.append(
            Measure(
                "partner_npv", f"net present value for {name}", npvs[0].get(p, 0.0), npvs[1].get(p, 0.0), True
            )
        )
    for p in partners if len(values) == 2 else []:
        if programme.partner(p).weights:
            label = f"score gained for {programme.partner(p).name} by its own weights"
            out.append(Measure("partner_value", label, values[0][p], values[1][p]))
    return out


def _high(result: ScenarioResult) -> float:
    programme = result.loaded.programme
    return float(sum(programme.option(o).risk == "high" for o in (_choices(result.plan.plan) or {}).values()))


def _failing(ours: ScenarioResult, other: ScenarioResult) -> list[tuple[str, str, str]]:
    """The alternative's exceptions the MoU test (the programme's reading of it) does not
    recommend, with the verdict: judged by the recommendation's scores where the option is ours
    too, else by the alternative's own."""
    verdicts: dict[str, str] = {}
    for table in (other.scores.exceptions, ours.scores.exceptions):
        if len(table):
            verdicts.update(dict(zip(table["option"], table["verdict"], strict=True)))
    schedule = other.plan.to_frame()
    return [
        (str(r["service_name"]), str(r["provider_name"]), verdicts[str(r["option"])])
        for _, r in schedule.iterrows()
        if r["exception"] and verdicts.get(str(r["option"]), RECOMMENDED) != RECOMMENDED
    ]


@dataclass
class ShortList:
    """The Green Book short list beside the recommendation (the preferred way forward): business as
    usual is every service as it is; do minimum changes only the service that gains most on the
    criteria; the more ambitious option also changes every in-scope service the plan leaves as it is
    (None, with ``why_not``, where there is no such variant)."""

    do_minimum: ScenarioResult | None
    ambitious: ScenarioResult | None
    minimum_service: str | None = None  # the service do minimum changes (its name)
    ambitious_services: list[str] = field(default_factory=list)  # the services it adds (names)
    why_no_ambitious: str = ""


def short_list(result: ScenarioResult) -> ShortList:
    """Run the do-minimum and more ambitious variants of the recommendation's own scenario (its
    rules, weights, limits and appraisal; only which services change differs)."""
    loaded = result.loaded
    programme, scenario = loaded.programme, loaded.scenario
    chosen = _choices(result.plan.plan) or {}
    services = result.scores.services
    first = next((str(s) for s in services.sort_values("priority")["service"] if str(s) in chosen), None)
    minimum = None
    if first is not None and len(chosen) > 1:
        needed = {first} | _before(programme, first)
        others = tuple(s.id for s in programme.services if s.id not in needed)
        minimum = variant(result, f"{scenario.name}: do minimum", force_out=others, force_in=(first,))
    changeable = set(services[services["status"].isin(["change", "exception"])]["service"].astype(str))
    extra = [s.id for s in programme.services if s.in_scope and s.id not in chosen and s.id in changeable]
    extra = [s for s in extra if s not in scenario.force_out]
    found = ShortList(minimum, None, programme.service(first).name if first and minimum else None)
    if extra:
        found.ambitious = variant(
            result, f"{scenario.name}: more ambitious", force_in=(*scenario.force_in, *extra)
        )
        found.ambitious_services = [programme.service(s).name for s in extra]
    else:
        found.why_no_ambitious = (
            "the recommendation already changes every in-scope service for which the criteria find a "
            "better option than today's"
        )
    return found


def _before(programme: Programme, service: str) -> set[str]:
    """The services that must change before ``service`` can (its dependencies, transitively)."""
    found: set[str] = set()
    todo = [service]
    while todo:
        after = todo.pop()
        for d in programme.dependencies:
            if d.after == after and d.before not in found:
                found.add(d.before)
                todo.append(d.before)
    return found


def variant(result: ScenarioResult, name: str, **update: object) -> ScenarioResult:
    """The recommendation's scenario with ``update`` (which services change), run."""
    from engine.appraisal.scenario import prepare_scenario, run_scenario

    loaded = result.loaded
    scenario = loaded.scenario.model_copy(update={"name": name, **update})
    variant = prepare_scenario(scenario, loaded.base, loaded.rules, loaded.path)
    variant.weight_set = loaded.weight_set
    return run_scenario(variant)
