"""Partners joining and leaving, and dependencies of every kind: the model, the files, the plan
(exact starts on small hand-made programmes), the verifier and the reasons."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.appraisal.scenario import load_scenario
from engine.base.errors import InputError
from engine.io.load import dump_programme, parse_programme
from engine.io.shipped import shipped_rules
from engine.io.xlsx import read_workbook, workbook_bytes
from engine.optimise.heuristic import greedy_plan, plan_value
from engine.optimise.instance import build_instance
from engine.optimise.rcpsp import pure_rcpsp
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.present.summary import summary_text
from engine.programme.graph import earliest_starts
from engine.programme.model import Dependency, DependencyKind, Partner, Programme
from engine.programme.synth import random_programme, random_programme_data
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA

RULES = load_ruleset(shipped_rules())
SAVINGS = PlanSettings(objective="savings", gap=0.0, time_limit=30)


def _programme(
    dependencies: list[dict[str, Any]] | None = None,
    partners: dict[str, dict[str, Any]] | None = None,
    durations: tuple[int, int] = (3, 1),
    periods: int = 8,
    owner: str = "city",
    deferred: str = "block",
) -> Programme:
    """Services a and b of the city, each with one change by the county that saves money (so
    every change is worth making as early as possible), monthly from April 2016."""
    people = {
        "city": {"id": "city", "name": "City Council", "kind": "city"},
        "county": {"id": "county", "name": "County Council", "kind": "county"},
        "unitary": {"id": "unitary", "name": "Unitary Council", "kind": "unitary"},
    }
    for pid, extra in (partners or {}).items():
        people[pid] = {**people[pid], **extra}
    return Programme.model_validate(
        {
            "id": "kinds",
            "name": "Kinds",
            "horizon": {"start": "2016-04-01", "period": "month", "periods": periods},
            "partners": list(people.values()),
            "services": [
                {"id": s, "name": s.upper(), "owner": owner, "annual_cost": 500000} for s in ("a", "b")
            ],
            "options": [
                {
                    "id": f"{s}-county",
                    "service": s,
                    "provider": "county",
                    "model": "shared_service",
                    "one_off_cost": 1000,
                    "annual_cost": 100000,
                    "duration": d,
                }
                for s, d in zip(("a", "b"), durations, strict=True)
            ],
            "dependencies": dependencies or [],
            "settings": {"deferred_dependency": deferred},
        }
    )


def _starts(programme: Programme, settings: PlanSettings = SAVINGS) -> dict[str, int]:
    result = solve(programme, settings)
    assert result.status == PlanStatus.OPTIMAL, result.message
    assert result.plan is not None and not verify(result.plan, programme, settings)
    return {a.service: a.start for a in result.plan.assignments}


# -------------------------------------------------------------------------------- the model
def test_a_dependency_is_finish_to_start_unless_it_says_and_partners_may_join_and_leave():
    assert Dependency(before="a", after="b").kind == "finish_to_start"
    p = _programme(partners={"unitary": {"joins": date(2016, 6, 1), "leaves": date(2017, 1, 1)}})
    assert p.partner("unitary").joins == date(2016, 6, 1)
    assert p.partner("unitary").leaves == date(2017, 1, 1)


def test_new_fields_round_trip_through_yaml_and_excel():
    p = _programme(
        [{"before": "a", "after": "b", "kind": "go_live_together"}],
        partners={"unitary": {"joins": date(2016, 6, 1), "leaves": date(2017, 1, 15)}},
    )
    text = dump_programme(p)
    assert "kind: go_live_together" in text and "joins: 2016-06-01" in text
    assert parse_programme(text, "kinds.yaml") == p
    assert read_workbook(io.BytesIO(workbook_bytes(p)), "kinds.xlsx") == p
    p2 = _programme([{"before": "a", "after": "b", "kind": "start_to_start", "lag": 2}])
    assert read_workbook(io.BytesIO(workbook_bytes(p2)), "kinds.xlsx") == p2


def test_show_names_the_kind_and_the_membership_dates():
    p = _programme(
        [{"before": "a", "after": "b", "kind": "go_live_together"}],
        partners={"unitary": {"joins": date(2016, 6, 1), "leaves": date(2017, 1, 1)}},
    )
    text = summary_text(p)
    assert "go live together" in text
    assert "joins 1 Jun 2016" in text and "leaves 1 Jan 2017" in text


def test_a_go_live_together_pair_is_not_a_cycle_and_orders_by_its_end():
    p = _programme([{"before": "a", "after": "b", "kind": "go_live_together"}])
    assert earliest_starts(p, {"a": 3, "b": 1}) == {"a": 0, "b": 2}
    p = _programme([{"before": "a", "after": "b", "kind": "start_to_start", "lag": 1}])
    assert earliest_starts(p, {"a": 3, "b": 1}) == {"a": 0, "b": 1}


# ---------------------------------------------------------------------- planning by kind
@pytest.mark.parametrize(
    ("dependency", "expected"),
    [
        (None, {"a": 0, "b": 0}),
        ({"kind": "finish_to_start"}, {"a": 0, "b": 3}),
        ({"kind": "finish_to_start", "lag": 1}, {"a": 0, "b": 4}),
        ({"kind": "start_to_start"}, {"a": 0, "b": 0}),
        ({"kind": "start_to_start", "lag": 2}, {"a": 0, "b": 2}),
        ({"kind": "go_live_together"}, {"a": 0, "b": 2}),
    ],
)
def test_each_kind_of_dependency_gives_the_exact_starts(dependency, expected):
    deps = [] if dependency is None else [{"before": "a", "after": "b", **dependency}]
    assert _starts(_programme(deps)) == expected


def test_go_live_together_moves_the_earlier_of_the_pair_back_when_it_is_the_longer():
    deps = [{"before": "a", "after": "b", "kind": "go_live_together"}]
    assert _starts(_programme(deps, durations=(1, 4))) == {"a": 3, "b": 0}


def test_go_live_together_under_block_changes_both_or_neither():
    leaves = {"county": {"leaves": date(2016, 6, 1)}}  # too soon for a's 3 months, not for b's 1
    deps = [{"before": "a", "after": "b", "kind": "go_live_together"}]
    assert _starts(_programme(deps, partners=leaves)) == {}
    assert _starts(_programme(deps, partners=leaves, deferred="ignore")) == {"b": 0}
    reversed_deps = [{"before": "b", "after": "a", "kind": "go_live_together"}]
    assert _starts(_programme(reversed_deps, partners=leaves)) == {}


def test_a_forced_service_that_goes_live_with_one_that_cannot_change_is_infeasible():
    leaves = {"county": {"leaves": date(2016, 6, 1)}}
    deps = [{"before": "a", "after": "b", "kind": "go_live_together"}]
    result = solve(_programme(deps, partners=leaves), SAVINGS.model_copy(update={"force_in": ("b",)}))
    assert result.status == PlanStatus.INFEASIBLE
    assert "B must change, but A, which must go live with it, cannot" in " ".join(result.advice)


def test_the_dominance_rule_keeps_a_losing_change_that_goes_live_with_a_paying_one():
    p = _programme([{"before": "a", "after": "b", "kind": "go_live_together"}])
    data = p.model_dump()
    data["options"][1]["annual_cost"] = 550000  # b alone loses money every year
    p = Programme.model_validate(data)
    assert _starts(p) == {"a": 0, "b": 2}
    reversed_data = {**data, "dependencies": [{"before": "b", "after": "a", "kind": "go_live_together"}]}
    assert _starts(Programme.model_validate(reversed_data)) == {"a": 0, "b": 2}


def test_start_to_start_under_block_needs_the_before_to_change():
    leaves = {"county": {"leaves": date(2016, 6, 1)}}
    deps = [{"before": "a", "after": "b", "kind": "start_to_start"}]
    assert _starts(_programme(deps, partners=leaves)) == {}
    assert _starts(_programme(deps, partners=leaves, deferred="ignore")) == {"b": 0}


@pytest.mark.parametrize(
    ("deps", "partners", "makespan"),
    [
        ([{"before": "a", "after": "b"}], None, 4),  # pure scheduling: the SAT path
        ([{"before": "a", "after": "b", "kind": "start_to_start"}], None, 3),
        ([{"before": "a", "after": "b", "kind": "go_live_together"}], None, 3),
        ([{"before": "a", "after": "b"}], {"county": {"joins": date(2016, 5, 1)}}, 5),
    ],
)
def test_makespan_with_new_kinds_or_membership_goes_to_the_general_model(deps, partners, makespan):
    data = _programme(deps, partners=partners).model_dump()
    data["services"] = [{**s, "allow_status_quo": False} for s in data["services"]]
    p = Programme.model_validate(data)
    settings = PlanSettings(objective="makespan", gap=0.0, time_limit=30)
    pure = pure_rcpsp(build_instance(p, settings, None))
    assert (pure is not None) == (deps[0].get("kind") is None and partners is None)
    result = solve(p, settings)
    assert result.status == PlanStatus.OPTIMAL and result.plan is not None
    assert not verify(result.plan, p, settings)
    assert result.plan.makespan == makespan


def test_the_priority_rule_declines_a_go_live_together_pair():
    p = _programme([{"before": "a", "after": "b", "kind": "go_live_together"}])
    plan = greedy_plan(build_instance(p, SAVINGS, None))
    assert plan.assignments == ()


# ------------------------------------------------------------------------------ membership
def test_an_option_cannot_start_before_its_provider_joins():
    joins = {"county": {"joins": date(2016, 7, 15)}}  # mid-July: July counts (period 3)
    assert _starts(_programme(partners=joins)) == {"a": 3, "b": 3}


def test_an_option_must_finish_before_its_provider_leaves():
    window = {"county": {"joins": date(2016, 6, 1), "leaves": date(2016, 9, 1)}}  # periods 2–4
    assert _starts(_programme(partners=window)) == {"a": 2, "b": 2}


def test_a_service_cannot_change_before_its_owner_joins():
    p = _programme(owner="unitary", partners={"unitary": {"joins": date(2016, 8, 1)}})
    assert _starts(p) == {"a": 4, "b": 4}


def test_membership_and_dependencies_together():
    joins = {"county": {"joins": date(2016, 5, 1)}}
    deps = [{"before": "a", "after": "b", "kind": "finish_to_start", "lag": 1}]
    assert _starts(_programme(deps, partners=joins)) == {"a": 1, "b": 5}


def test_the_reason_names_membership():
    leaves = {"county": {"leaves": date(2016, 6, 1)}}
    result = solve(_programme(partners=leaves), SAVINGS, reasons=True)
    assert result.plan is not None
    assert {a.service for a in result.plan.assignments} == {"b"}
    assert result.left_out["a"] == (
        "no option fits the time its partners are in the programme (County Council leaves 1 Jun 2016)"
    )


def test_a_provider_that_left_before_the_horizon_provides_nothing():
    gone = {"county": {"joins": date(2010, 1, 1), "leaves": date(2015, 1, 1)}}
    assert _starts(_programme(partners=gone)) == {}


# ------------------------------------------------------------------------------ the verifier
def _plan(programme: Programme, **starts: int) -> Plan:
    assignments = []
    for service, start in starts.items():
        option = programme.option(f"{service}-county")
        assignments.append(
            Assignment(
                service=service, option=option.id, provider="county", start=start, duration=option.duration
            )
        )
    return Plan(programme=programme.id, periods=programme.horizon.periods, assignments=tuple(assignments))


@pytest.mark.parametrize(
    ("deps", "partners", "owner", "starts", "message"),
    [
        (
            [{"before": "a", "after": "b", "kind": "start_to_start", "lag": 2}],
            None,
            "city",
            {"a": 1, "b": 2},
            "`b` starts in period 2 but `a` starts in period 1 and needs a lag of 2",
        ),
        (
            [{"before": "a", "after": "b", "kind": "go_live_together"}],
            None,
            "city",
            {"a": 0, "b": 0},
            "`a` and `b` must go live together but finish in periods 2 and 0",
        ),
        (
            [{"before": "a", "after": "b", "kind": "go_live_together"}],
            None,
            "city",
            {"a": 0},
            "`a` changes but `b`, which must go live with it, does not",
        ),
        (
            [{"before": "a", "after": "b", "kind": "start_to_start"}],
            None,
            "city",
            {"b": 0},
            "`b` changes but `a`, which must come first, does not",
        ),
        (
            [],
            {"county": {"joins": date(2016, 6, 1)}},
            "city",
            {"b": 1},
            "`b-county` starts in period 1, before its provider `county` joins (2016-06-01)",
        ),
        (
            [],
            {"county": {"leaves": date(2016, 6, 1)}},
            "city",
            {"a": 0},
            "`a-county` ends in period 2, but its provider `county` leaves (2016-06-01) before it is "
            "complete",
        ),
        (
            [],
            {"unitary": {"joins": date(2016, 6, 1)}},
            "unitary",
            {"b": 0},
            "`b-county` starts in period 0, before its owner `unitary` joins (2016-06-01)",
        ),
    ],
)
def test_the_verifier_rejects_a_plan_that_breaks_each_new_rule(deps, partners, owner, starts, message):
    programme = _programme(deps, partners=partners, owner=owner)
    assert message in verify(_plan(programme, **starts), programme)


def test_the_verifier_accepts_plans_that_keep_the_new_rules():
    deps = [{"before": "a", "after": "b", "kind": "go_live_together"}]
    programme = _programme(deps, partners={"county": {"joins": date(2016, 5, 1)}}, deferred="ignore")
    assert verify(_plan(programme, a=1, b=3), programme) == []
    assert verify(_plan(programme, a=1), programme) == []


# ------------------------------------------------------------------------- random programmes
def test_the_generator_draws_kinds_and_membership_only_when_asked():
    plain = random_programme_data(5, services=12, dependency_density=0.5)
    extended = random_programme_data(5, services=12, dependency_density=0.5, kinds_and_membership=True)
    assert random_programme_data(5, services=12, dependency_density=0.5) == plain
    assert all("kind" not in d for d in plain["dependencies"])
    assert [(d["before"], d["after"]) for d in extended["dependencies"]] == [
        (d["before"], d["after"]) for d in plain["dependencies"]
    ]
    kinds = {d["kind"] for seed in range(5) for d in _extended(seed)["dependencies"]}
    assert kinds == {"finish_to_start", "start_to_start", "go_live_together"}
    assert any("joins" in p or "leaves" in p for seed in range(5) for p in _extended(seed)["partners"])


def _extended(seed: int) -> dict[str, Any]:
    return random_programme_data(seed, services=12, dependency_density=0.5, kinds_and_membership=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), objective=st.sampled_from(["value", "savings", "makespan"]))
def test_random_programmes_with_kinds_and_membership_plan_verified(seed, objective):
    programme = random_programme(seed, services=6, periods=18, kinds_and_membership=True)
    table = score(programme, RULES)
    plan_settings = PlanSettings(objective=objective, time_limit=20)
    result = solve(programme, plan_settings, table)
    assert result.status in (PlanStatus.OPTIMAL, PlanStatus.INFEASIBLE), result.message
    if result.status == PlanStatus.INFEASIBLE:
        return
    assert result.plan is not None and verify(result.plan, programme, plan_settings) == []
    instance = build_instance(programme, plan_settings, table)
    heuristic = greedy_plan(instance)
    assert verify(heuristic, programme, plan_settings) == []
    if instance.forced <= {a.service for a in heuristic.assignments}:
        if objective == "makespan":
            assert result.plan.makespan <= heuristic.makespan
        else:
            assert result.objective_value >= plan_value(instance, heuristic) - 1e-7


# ------------------------------------------------------------------ the README says what the code does
def test_the_readme_table_names_the_new_fields_and_every_kind():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("Partners may join and leave the programme, and a dependency has a kind:")[1]
    rows = re.findall(r"^\| (partner|dependency) \| `(\w+)` \| (.*) \|$", table.split("\n\n")[1], flags=re.M)
    records = {"partner": Partner, "dependency": Dependency}
    assert {(r, f) for r, f, _ in rows} == {
        ("partner", "joins"),
        ("partner", "leaves"),
        ("dependency", "kind"),
        ("dependency", "lag"),
    }
    assert all(field in records[record].model_fields for record, field, _ in rows)
    kind_row = next(text for _, field, text in rows if field == "kind")
    assert re.findall(r"`(\w+)`", kind_row) == list(get_args(DependencyKind))


def test_under_ignore_a_chain_broken_by_a_service_that_stays_lets_its_ends_overlap():
    """a → b → c, finish-to-start under 'ignore', b's change not worth making: c waits for
    nothing, so it may run beside a (the clique rows once took the chain's closure and kept them
    apart).  Consensus keeps b's candidate in the model (no dominance rule runs)."""
    data = _programme([{"before": "a", "after": "b"}], durations=(3, 1), deferred="ignore").model_dump()
    data["services"] = [*data["services"], {**data["services"][1], "id": "c", "name": "C"}]
    data["options"] = [*data["options"], {**data["options"][1], "id": "c-county", "service": "c"}]
    data["options"][1]["annual_cost"] = 550000  # b's change loses money
    data["dependencies"] = [*data["dependencies"], {"before": "b", "after": "c"}]
    programme = Programme.model_validate(data)
    settings = SAVINGS.model_copy(update={"consensus": True})
    assert _starts(programme, settings) == {"a": 0, "c": 0}
    blocked = Programme.model_validate({**data, "settings": {"deferred_dependency": "block"}})
    assert _starts(blocked, settings) == {"a": 0, "b": 3, "c": 4}  # b pays its way by enabling c


def test_a_forced_change_that_membership_rules_out_is_infeasible_and_says_why():
    leaves = {"county": {"leaves": date(2016, 6, 1)}}
    result = solve(_programme(partners=leaves), SAVINGS.model_copy(update={"force_in": ("a",)}))
    assert result.status == PlanStatus.INFEASIBLE
    assert "the time its provider and owner are partners of the programme" in " ".join(result.advice)


def test_a_scenario_may_change_a_kind_or_a_partners_dates_and_a_bad_lag_is_located(tmp_path: Path):
    (tmp_path / "small.yaml").write_text((DATA / "small.yaml").read_text())
    body = (
        "name: what-if\nbase: small.yaml\nchange:\n  dependencies:\n"
        "    hr -> payroll: {kind: go_live_together}\n"
        "  partners:\n    other: {joins: 2016-09-01, leaves: 2017-01-01}\n"
    )
    (tmp_path / "what-if.yaml").write_text(body)
    programme = load_scenario(tmp_path / "what-if.yaml").programme
    assert programme.dependencies[0].kind == "go_live_together"
    assert programme.partner("other").joins == date(2016, 9, 1)
    (tmp_path / "what-if.yaml").write_text(body.replace("go_live_together}", "go_live_together, lag: 1}"))
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path / "what-if.yaml")
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (5, "change.dependencies.hr -> payroll.lag")
    ]


def test_makespan_leaves_a_recommended_change_membership_rules_out_and_says_why():
    """The soonest-finish objective plans the recommended changes; one that cannot be in place while
    its owner is a partner (Westshire withdrew before launch) stays as it is, with the reason, instead
    of making the whole plan infeasible."""
    from engine.io.load import load_programme
    from engine.io.shipped import shipped_programme

    programme = load_programme(shipped_programme("riverside-2012"))
    result = solve(programme, PlanSettings(objective="makespan"), score(programme, RULES), reasons=True)
    assert result.status == PlanStatus.OPTIMAL and verify(result.plan, programme) == []
    assert "westshire-hr" not in result.plan.by_service()
    assert "Westshire Council joins" in result.left_out["westshire-hr"]
    assert any("Westshire HR is left as it is" in note for note in result.advice)
