"""The general planner against exhaustive enumeration: on small random programmes, for every
objective with and without consensus, the objective the solver reports is the best over every
option choice and start period that the independent verifier accepts.

The oracle shares nothing with the optimiser: it enumerates plans, keeps those ``verify`` accepts,
and values them with the finance (``plan_finance``, ``partner_benefits``) and the score table.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.appraisal.finance import plan_finance
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, PlanStatus, partner_benefits
from engine.plan.settings import MAXMIN_TIE_BREAK, PlanSettings
from engine.plan.verify import verify
from engine.programme.model import Programme
from engine.programme.money import Appraisal, discount_factor
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import ScoreTable, score

RULES = load_ruleset(shipped_rules())
MAX_PLANS = 2000


def _option(draw: Any, service: str, k: int, periods: int) -> dict[str, Any]:
    provider, model = draw(
        st.sampled_from([("county", "s101_delegation"), ("other", "shared_service"), ("city", "in_house")])
    )
    duration = draw(st.integers(1, min(3, periods)))
    return {
        "id": f"{service}-{k}",
        "service": service,
        "provider": provider,
        "model": model,
        "one_off_cost": draw(st.sampled_from([0, 10000, 40000, 90000])),
        "annual_cost": draw(st.sampled_from([40000, 70000, 95000, 100000, 120000])),
        "duration": duration,
        "demand": {
            "pm": draw(st.integers(0, 3)),
            "staff": [draw(st.integers(0, 2)) for _ in range(duration)],
        },
    }


def _oracle_settings(examples: int) -> Any:
    """Hypothesis settings of every oracle test: derandomized (same examples every run), no
    deadline (enumeration is slow by design), ``examples`` programmes."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@st.composite
def programmes(
    draw: Any,
    extended: bool = False,
    hand_backs: bool = False,
    funding: bool = False,
    staged: bool = False,
) -> tuple[Programme, dict[str, Any]]:
    """2–5 services, 1–3 options each plus the status quo, lags, block or ignore, two pools with
    overrides (one costed and funded by tranches), a budget, forced services, the MoU margin.

    ``extended`` adds, after every other draw (so the programmes drawn without it are unchanged),
    a kind for each dependency (go-live-together with no lag) and membership dates for the
    partners (joining mid-horizon, mid-quarter too, leaving before its end).  ``hand_backs`` adds,
    after those, hand-back options with stranded costs and who bears them (see ``_hand_backs``);
    ``funding``, after those, a grant, a contribution and a capitalisation direction (``_funding``);
    ``staged``, last, later stages of some options (see ``_staged``)."""
    count = draw(st.integers(2, 5))
    periods = draw(st.integers(3, 6 if count <= 3 else 4))
    services, options = [], []
    for i in range(count):
        sid = f"s{i}"
        shares = draw(st.sampled_from([{}, {"city": 0.5, "other": 0.5}]))
        services.append(
            {
                "id": sid,
                "name": f"Service {i}",
                "owner": "city",
                "annual_cost": 100000,
                "allow_status_quo": draw(st.booleans()) or i > 0,
                **({"shares": shares} if shares else {}),
            }
        )
        for k in range(draw(st.integers(1, 3 if count <= 3 else 2))):
            options.append(_option(draw, sid, k, periods))
    pairs = [(a, b) for a in range(count) for b in range(a + 1, count)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []
    dependencies = [{"before": f"s{a}", "after": f"s{b}", "lag": draw(st.integers(0, 1))} for a, b in chosen]
    data = {
        "id": "oracle",
        "name": "Oracle programme",
        "horizon": {"start": "2016-04-01", "period": "quarter", "periods": periods},
        "partners": [
            {"id": "city", "name": "City", "kind": "city"},
            {"id": "county", "name": "County", "kind": "county", "default_provider": True},
            {"id": "other", "name": "Other", "kind": "district"},
        ],
        "services": services,
        "options": options,
        "dependencies": dependencies,
        "resources": [
            {
                "id": "pm",
                "name": "PM days",
                "capacity": draw(st.integers(2, 5)),
                "overrides": {"2016-07": draw(st.integers(0, 3))} if periods > 1 else {},
                "unit_cost": 500,
                "funding": [{"by": ["county"], "first": 3}, {"by": ["city"]}],
            },
            {"id": "staff", "name": "Staff days", "capacity": draw(st.integers(1, 3))},
        ],
        "budget": {"per_financial_year": draw(st.sampled_from([30000, 60000, 1000000]))},
        "exception_policy": {
            "client": "city",
            "margin": draw(st.sampled_from([0.0, 0.05, 0.3])),
            "final_decision": "Cabinet",
        },
        "settings": {"deferred_dependency": draw(st.sampled_from(["block", "ignore"]))},
        "consensus": {"partners": ["city", "other"]},
    }
    forced_in = draw(st.lists(st.sampled_from([s["id"] for s in services]), unique=True, max_size=1))
    forced_out = draw(
        st.lists(st.sampled_from([s["id"] for s in services if s["id"] not in forced_in]), max_size=1)
    )
    if extended:
        _extend(draw, data)
    if hand_backs:
        _hand_backs(draw, data, periods)
    if funding:
        _funding(draw, data)
    if staged:
        _staged(draw, data, periods)
    return Programme.model_validate(data), {"force_in": tuple(forced_in), "force_out": tuple(forced_out)}


def _funding(draw: Any, data: dict[str, Any]) -> None:
    """A grant to the City and the Other council (raising the 2016/17 budget), a contribution the
    County pays the consenting Other council, and a capitalisation direction, into ``data``."""
    data["funding"] = [
        {
            "id": "grant",
            "name": "Grant",
            "kind": "grant",
            "amounts": {"2016/17": draw(st.sampled_from([10000, 40000]))},
            "to": draw(st.sampled_from([{"city": 0.5, "other": 0.5}, {"other": 1.0}])),
        },
        {
            "id": "county-pays",
            "name": "County contribution",
            "kind": "contribution",
            "from_partner": "county",
            "amounts": {"2016/17": draw(st.sampled_from([5000, 30000]))},
            "to": {"other": 1.0},
        },
        {
            "id": "capital",
            "name": "Capitalisation",
            "kind": "capitalisation",
            "amounts": {"2016/17": draw(st.sampled_from([0, 20000]))},
        },
    ]


KINDS = ["finish_to_start", "start_to_start", "go_live_together"]
JOINS = [None, "2016-07-01", "2016-08-15"]  # none, period 1, mid-way through period 1
LEAVES = [None, "2016-12-01", "2017-01-01", "2017-04-01"]  # none, periods 2, 3 and 4


def _extend(draw: Any, data: dict[str, Any]) -> None:
    """Dependency kinds and partners' membership dates, drawn into ``data`` in place."""
    for dependency in data["dependencies"]:
        dependency["kind"] = draw(st.sampled_from(KINDS))
        if dependency["kind"] == "go_live_together":
            dependency["lag"] = 0
    for partner in data["partners"]:
        joins, leaves = draw(st.sampled_from(JOINS)), draw(st.sampled_from(LEAVES))
        partner.update({k: v for k, v in (("joins", joins), ("leaves", leaves)) if v is not None})


def _hand_backs(draw: Any, data: dict[str, Any], periods: int) -> None:
    """In place: for some services a hand-back by the owner (the city), the service made shared
    today where it was not (the County provides it), with stranded costs borne by the shares, by
    the other council mostly, or by the County alone; running dearer or cheaper than today."""
    for service in data["services"]:
        if not draw(st.booleans()):
            continue
        if not service.get("shares"):
            service["current_provider"] = "county"
        split = draw(st.sampled_from([{}, {"other": 0.75, "city": 0.25}, {"county": 1.0}]))
        data["options"].append(
            {
                "id": f"{service['id']}-back",
                "service": service["id"],
                "provider": "city",
                "model": "hand_back",
                "one_off_cost": draw(st.sampled_from([0, 20000])),
                "stranded_cost": draw(st.sampled_from([10000, 60000])),
                **({"stranded_split": split} if split else {}),
                "annual_cost": draw(st.sampled_from([80000, 110000])),
                "duration": draw(st.integers(1, min(2, periods))),
                "demand": {"pm": draw(st.integers(0, 2))},
            }
        )


def _staged(draw: Any, data: dict[str, Any], periods: int) -> None:
    """In place: for some services, a second stage after one of its options, by the County, the
    other council (which may join only in period 1), or the city, after a gap of 0 or 1 period,
    cheaper or dearer to run than the first stage; with a stranded cost and its own split
    sometimes; only where the path fits the horizon; a cap on concurrent transitions sometimes."""
    if draw(st.booleans()) and not any("joins" in p for p in data["partners"]):
        data["partners"][2]["joins"] = "2016-07-01"
    if draw(st.booleans()):  # a path is in flight only while a stage runs
        data["settings"]["max_concurrent_transitions"] = draw(st.integers(1, 2))
    for service in data["services"]:
        mine = [o for o in data["options"] if o["service"] == service["id"] and o["model"] != "hand_back"]
        if not mine or not draw(st.booleans()):
            continue
        earlier = draw(st.sampled_from(mine))
        duration, gap = draw(st.integers(1, 2)), draw(st.integers(0, 1))
        if earlier["duration"] + gap + duration > periods:
            continue
        provider, model = draw(
            st.sampled_from([("county", "s101_delegation"), ("other", "joint_venture"), ("city", "in_house")])
        )
        stranded = draw(st.sampled_from([0, 0, 15000]))
        data["options"].append(
            {
                "id": f"{earlier['id']}-then",
                "service": service["id"],
                "provider": provider,
                "model": model,
                "one_off_cost": draw(st.sampled_from([0, 20000])),
                "stranded_cost": stranded,
                **({"stranded_split": {"other": 1.0}} if stranded and draw(st.booleans()) else {}),
                "annual_cost": draw(st.sampled_from([50000, 80000, 105000])),
                "duration": duration,
                "follows": earlier["id"],
                "stage_gap": gap,
                "demand": {"pm": draw(st.integers(0, 2))},
            }
        )


def _allowed(table: ScoreTable | None, programme: Programme) -> dict[str, set[str]]:
    """Eligible options, exceptions only where they pass the margin (the programme's rule); a
    staged path only where every one of its stages is."""
    if table is None:
        return {
            s.id: {o.id for o in programme.options_for(s.id) if not o.is_status_quo}
            for s in programme.services
        }
    blocked = set(table.exceptions.loc[~table.exceptions["passes_margin"].astype(bool), "option"])
    out: dict[str, set[str]] = {s.id: set() for s in programme.services}
    for o, s, ok, sq in table.options[["option", "service", "eligible", "status_quo"]].itertuples(
        index=False
    ):
        if ok and not sq and o not in blocked:
            out[s].add(o)
    for s, options in out.items():
        out[s] = {o for o in options if all(x.option.id in options for x in programme.stages(o))}
    return out


def _plans(programme: Programme, allowed: dict[str, set[str]], periods: int) -> list[Plan]:
    choices = []
    for service in programme.services:
        mine: list[Assignment | None] = [None]
        for option_id in sorted(allowed[service.id]):
            option = programme.option(option_id)
            for start in range(periods - option.duration + 1):
                mine.append(
                    Assignment(
                        service=service.id,
                        option=option_id,
                        provider=option.provider,
                        start=start,
                        duration=option.duration,
                    )
                )
        choices.append(mine)
    plans = []
    for combo in itertools.product(*choices):
        plans.append(
            Plan(
                programme=programme.id, periods=periods, assignments=tuple(a for a in combo if a is not None)
            )
        )
    return plans


def _gains(table: ScoreTable) -> dict[str, float]:
    frame = table.options
    today = dict(
        zip(frame.loc[frame["status_quo"], "service"], frame.loc[frame["status_quo"], "score"], strict=True)
    )
    return {
        o: float(sc) - float(today.get(s, 0.0))
        for o, s, sc in frame[["option", "service", "score"]].itertuples(index=False)
    }


def _benefit_discount(programme: Programme, period: int, appraisal: Appraisal) -> float:
    """Mean Green Book factor, year by year, of the appraisal years after ``period`` (written out
    here month by month, not with the prefix sums the optimiser uses)."""
    first = programme.horizon.start
    offset = (first.month - 4) % 12  # months from 1 April of the programme's first financial year
    start = offset + period * programme.horizon.months_per_period
    months = range(start, start + 12 * appraisal.years)
    return sum(discount_factor(m // 12, appraisal) for m in months) / len(months)


def _value(
    plan: Plan, programme: Programme, objective: str, gains: dict[str, float], appraisal: Appraisal
) -> float:
    if objective == "makespan":
        return -float(plan.makespan)
    if objective == "value":
        return sum(gains[a.option] * _benefit_discount(programme, a.end, appraisal) for a in plan.assignments)
    npv = plan_finance(plan, programme).npv
    if objective == "savings":
        return npv
    return min(partner_benefits(plan, programme).values()) + MAXMIN_TIE_BREAK * npv


def _count(programme: Programme, allowed: dict[str, set[str]], periods: int) -> int:
    total = 1
    for service in programme.services:
        total *= 1 + sum(periods - programme.option(o).duration + 1 for o in allowed[service.id])
    return total


CASES = [
    ("value", False),
    ("savings", False),
    ("maxmin", False),
    ("makespan", False),
    ("value", True),
    ("savings", True),
    ("maxmin", True),
]


def _check(programme: Programme, forced: dict[str, Any]) -> None:
    table = score(programme, RULES)
    gains = _gains(table)
    periods = programme.horizon.periods
    for objective, consensus in CASES:
        scores = None if objective == "makespan" else table
        allowed = _allowed(scores, programme)
        if _count(programme, allowed, periods) > MAX_PLANS:
            continue
        plan_settings = PlanSettings(
            objective=objective, consensus=consensus, gap=0.0, time_limit=60, **forced
        )
        valid = [
            p for p in _plans(programme, allowed, periods) if not verify(p, programme, plan_settings, allowed)
        ]
        result = solve(programme, plan_settings, scores)
        where = f"{objective}{' with consensus' if consensus else ''}"
        if not valid:
            assert result.status == PlanStatus.INFEASIBLE, f"{where}: {result.status_text} but no plan exists"
            continue
        best = max(_value(p, programme, objective, gains, plan_settings.appraisal) for p in valid)
        assert result.status == PlanStatus.OPTIMAL, f"{where}: {result.status_text}; {result.message}"
        assert result.plan is not None and result.objective_value is not None
        assert not verify(result.plan, programme, plan_settings, allowed)
        reported = -result.objective_value if objective == "makespan" else result.objective_value
        assert reported == pytest.approx(best, rel=1e-6, abs=1e-4), f"{where}: solver {reported}, best {best}"
        mine = _value(result.plan, programme, objective, gains, plan_settings.appraisal)
        assert mine == pytest.approx(best, rel=1e-6, abs=1e-4), (
            f"{where}: the plan is worth {mine}, best {best}"
        )


def _enabling_programme() -> Programme:
    """A shared ERP with no gain of its own (same running cost, a one-off cost) that finance,
    HR and payroll must wait for: the best plan does the ERP first."""
    data = {
        "id": "erp",
        "name": "ERP first",
        "horizon": {"start": "2016-04-01", "period": "quarter", "periods": 6},
        "partners": [
            {"id": "a", "name": "A County", "kind": "county", "default_provider": True},
            {"id": "b", "name": "B County", "kind": "county"},
        ],
        "services": [
            {"id": "erp", "name": "ERP", "owner": "b", "annual_cost": 100000},
            {"id": "finance", "name": "Finance", "owner": "b", "annual_cost": 300000},
            {"id": "hr", "name": "HR", "owner": "b", "annual_cost": 200000},
        ],
        "options": [
            {
                "id": "erp-shared",
                "service": "erp",
                "provider": "a",
                "model": "shared_service",
                "one_off_cost": 80000,
                "annual_cost": 100000,
                "duration": 2,
            },
            {
                "id": "finance-shared",
                "service": "finance",
                "provider": "a",
                "model": "shared_service",
                "one_off_cost": 20000,
                "annual_cost": 200000,
                "duration": 1,
            },
            {
                "id": "hr-shared",
                "service": "hr",
                "provider": "a",
                "model": "shared_service",
                "one_off_cost": 20000,
                "annual_cost": 120000,
                "duration": 1,
            },
        ],
        "dependencies": [{"before": "erp", "after": "finance"}, {"before": "erp", "after": "hr"}],
    }
    return Programme.model_validate(data)


def test_an_enabling_change_with_no_gain_of_its_own_is_chosen():
    programme = _enabling_programme()
    table = score(programme, RULES)
    assert _gains(table)["erp-shared"] <= 0  # nothing to gain from the ERP alone
    result = solve(programme, PlanSettings(gap=0.0), table)
    forced = solve(programme, PlanSettings(gap=0.0, force_in=("erp",)), table)
    assert result.status == PlanStatus.OPTIMAL and result.plan is not None
    assert {a.service for a in result.plan.assignments} == {"erp", "finance", "hr"}
    assert result.objective_value == pytest.approx(forced.objective_value)
    _check(programme, {})


@pytest.mark.slow
@_oracle_settings(50)
@given(programmes())
@example((_enabling_programme(), {}))
def test_every_objective_equals_exhaustive_enumeration(case: tuple[Programme, dict[str, Any]]):
    programme, forced = case
    _check(programme, forced)


def _kinds_programme(kind: str, deferred: str, joins: str | None = None, losing: bool = False) -> Programme:
    """Three services in a chain s0 → s1 → s2 of ``kind``, the county joining at ``joins``; with
    ``losing``, no change of s2 runs cheaper than today, so it only loses its one-off cost (worth
    it only for its partners, when they go live together)."""
    options = [
        {
            "id": f"s{i}-{k}",
            "service": f"s{i}",
            "provider": provider,
            "model": model,
            "one_off_cost": 10000,
            "annual_cost": 100000 if losing and i == 2 else cost,
            "duration": duration,
            "demand": {"pm": 1},
        }
        for i in range(3)
        for k, (provider, model, cost, duration) in enumerate(
            [("county", "s101_delegation", 70000, 1 + i % 2), ("other", "shared_service", 95000, 2 - i % 2)]
        )
    ]
    county: dict[str, Any] = {"id": "county", "name": "County", "kind": "county", "default_provider": True}
    if joins:
        county["joins"] = joins
    data = {
        "id": "kinds",
        "name": "Kinds",
        "horizon": {"start": "2016-04-01", "period": "quarter", "periods": 4},
        "partners": [
            {"id": "city", "name": "City", "kind": "city"},
            county,
            {"id": "other", "name": "Other", "kind": "district", "leaves": "2017-01-01"},
        ],
        "services": [
            {"id": f"s{i}", "name": f"S{i}", "owner": "city", "annual_cost": 100000} for i in range(3)
        ],
        "options": options,
        "dependencies": [
            {"before": "s0", "after": "s1", "kind": kind},
            {"before": "s1", "after": "s2", "kind": kind},
        ],
        "resources": [{"id": "pm", "name": "PM days", "capacity": 3}],
        "settings": {"deferred_dependency": deferred},
    }
    return Programme.model_validate(data)


@pytest.mark.slow
@pytest.mark.parametrize("deferred", ["block", "ignore"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_and_membership_equal_exhaustive_enumeration(kind: str, deferred: str):
    _check(_kinds_programme(kind, deferred), {})
    _check(_kinds_programme(kind, deferred, joins="2016-07-01"), {})
    _check(_kinds_programme(kind, deferred, losing=True), {})


@pytest.mark.slow
@_oracle_settings(50)
@given(programmes(extended=True))
def test_every_objective_equals_enumeration_with_membership_and_every_kind(
    case: tuple[Programme, dict[str, Any]],
):
    programme, forced = case
    _check(programme, forced)


@pytest.mark.slow
@_oracle_settings(40)
@given(programmes(hand_backs=True))
def test_every_objective_equals_enumeration_with_hand_backs_and_stranded_costs(
    case: tuple[Programme, dict[str, Any]],
):
    """Stranded costs in the NPV, the one-off budget and each partner's money (by their split)."""
    programme, forced = case
    _check(programme, forced)


@pytest.mark.slow
@_oracle_settings(30)
@given(programmes(funding=True))
def test_every_objective_equals_enumeration_with_funding(case: tuple[Programme, dict[str, Any]]):
    """Grants and capitalisation raise the 2016/17 budget; grants and contributions are in the NPV
    and each partner's money (a constant to the solver, added back to its objective value)."""
    programme, forced = case
    _check(programme, forced)


@pytest.mark.slow
@_oracle_settings(40)
@given(programmes(staged=True))
def test_every_objective_equals_enumeration_with_staged_options(case: tuple[Programme, dict[str, Any]]):
    """Staged paths (each stage's savings from its own go-live, its spend in its own periods, a
    later stage by a partner that joins later) as one choice per service."""
    programme, forced = case
    _check(programme, forced)


@pytest.mark.slow
@_oracle_settings(25)
@given(programmes(extended=True, hand_backs=True, staged=True))
def test_every_objective_equals_enumeration_with_stages_kinds_membership_and_hand_backs(
    case: tuple[Programme, dict[str, Any]],
):
    programme, forced = case
    _check(programme, forced)
