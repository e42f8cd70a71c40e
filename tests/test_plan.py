"""The independent verifier: every rule a plan can break is caught."""

from __future__ import annotations

import pytest

from engine.io.load import parse_programme
from engine.plan.result import Assignment, Plan, usage
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.plan.windows import budget_windows, capacity_windows, named_overrides
from tests.conftest import DATA


def _plan(small, *items: tuple[str, str, int]) -> Plan:
    options = {o.id: o for o in small.options}
    return Plan(
        programme=small.id,
        periods=small.horizon.periods,
        assignments=tuple(
            Assignment(
                service=options[o].service,
                option=o,
                provider=options[o].provider,
                start=s,
                duration=options[o].duration,
            )
            for _, o, s in items
        ),
    )


def test_a_valid_plan_passes(small):
    plan = _plan(small, ("hr", "hr-county", 0), ("payroll", "payroll-county", 2))
    assert verify(plan, small) == []
    assert usage(plan, small)["pm"][:3] == [3.0, 3.0, 0.0]


@pytest.mark.parametrize(
    ("items", "settings", "message"),
    [
        (
            [("hr", "hr-county", 0), ("payroll", "payroll-county", 1)],
            None,
            "`payroll` starts in period 1 but `hr` ends",
        ),
        (
            [("payroll", "payroll-county", 3)],
            None,
            "`payroll` changes but `hr`, which must come first, does not",
        ),
        ([("hr", "hr-county", 11)], None, "ends after the horizon"),
        ([("hr", "hr-county", 3)], None, "Project manager days in Aug 2016: 3 used, 2 available"),
        (
            [("hr", "hr-county", 0)],
            PlanSettings(force_in=("payroll",)),
            "`payroll` must change but the plan leaves it",
        ),
        ([("hr", "hr-county", 0)], PlanSettings(force_out=("hr",)), "`hr` is forced out"),
        ([("hr", "hr-county", 0)], PlanSettings(fix_provider={"hr": "other"}), "fixed to provider `other`"),
        ([("hr", "hr-county", 0)], PlanSettings(fix_option={"hr": "hr-other"}), "fixed to `hr-other`"),
        ([("hr", "hr-county", 0), ("hr", "hr-other", 4)], None, "more than one option"),
        ([("hr", "hr-county", 0), ("payroll", "payroll-county", 2)], PlanSettings(max_concurrent=1), None),
    ],
)
def test_each_violation_is_caught(small, items, settings, message):
    problems = verify(_plan(small, *items), small, settings)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


def test_wrong_duration_provider_and_option_are_caught(small):
    plan = Plan(
        programme=small.id,
        periods=12,
        assignments=(
            Assignment(service="hr", option="payroll-county", provider="county", start=0, duration=1),
            Assignment(service="payroll", option="payroll-county", provider="city", start=5, duration=3),
        ),
    )
    problems = " | ".join(verify(plan, small))
    assert "not an option of service `hr`" in problems
    assert "provided by `county`, not `city`" in problems and "takes 1 periods, not 3" in problems


def test_concurrency_budget_and_deadlines(small):
    text = (DATA / "small.yaml").read_text()
    limits = "settings: {max_concurrent_transitions: 1}\nbudget: {per_financial_year: 5000}\nresources:"
    text = text.replace("resources:", limits)
    text = text.replace("duration: 1}", "duration: 1, latest_finish: 2016-05-31}")
    programme = parse_programme(text)
    plan = _plan(programme, ("hr", "hr-county", 0), ("payroll", "payroll-county", 2))
    problems = " | ".join(verify(plan, programme))
    assert "one-off budget in 2016/17: £10,000 spent, £5,000 available" in problems
    assert "finishes after its deadline 2016-05-31" in problems
    overlapping = _plan(programme, ("hr", "hr-county", 0), ("payroll", "payroll-county", 1))
    assert "2 transitions run in May 2016; at most 1 allowed" in verify(overlapping, programme)
    alone = _plan(programme, ("hr", "hr-other", 0))
    assert verify(alone, programme) == []


def test_allowed_options_are_enforced(small):
    plan = _plan(small, ("hr", "hr-other", 0))
    assert any("not an allowed" in p for p in verify(plan, small, allowed={"hr": {"hr-county"}}))


def test_capacity_windows_merge_the_pool_or_a_what_ifs_capacity_and_overrides(small):
    """One merge of a capacity with its named windows, used by the plan and the app's editor."""
    given = capacity_windows(small, "pm")
    assert [(w.key, w.label, w.limit) for w in given[3:5]] == [
        ("2016-07", "Jul 2016", 5),
        ("2016-08", "Aug 2016", 2),
    ]
    edited = capacity_windows(small, "pm", capacity=4.0, overrides={"2016-07": 1.0})
    assert [w.limit for w in edited[3:5]] == [1.0, 4.0]
    assert [w.periods for w in edited] == [w.periods for w in given]
    limits = {w.key: w.limit for w in edited}
    assert named_overrides(limits, 4.0) == {"2016-07": 1.0}
    assert named_overrides(small.resource("pm").overrides, 5.0) == {"2016-08": 2}


def test_budget_windows_merge_the_programme_or_a_what_ifs_budget_and_overrides(small):
    programme = parse_programme(
        (DATA / "small.yaml")
        .read_text()
        .replace("resources:", "budget: {per_financial_year: 5000}\nresources:")
    )
    assert [(w.key, w.limit) for w in budget_windows(programme)] == [("2016/17", 5000)]
    edited = budget_windows(programme, per_financial_year=7000.0, overrides={"2016/17": 1000.0})
    assert [(w.key, w.label, w.limit) for w in edited] == [("2016/17", "2016/17", 1000.0)]
    assert budget_windows(small) == []


def test_a_plan_naming_an_unknown_option_is_reported_not_a_crash(small):
    from engine.plan.result import Assignment, Plan
    from engine.plan.verify import verify

    plan = Plan(
        programme=small.id,
        periods=small.horizon.periods,
        assignments=(Assignment(service="hr", option="hr-nowhere", provider="county", start=0, duration=2),),
    )
    problems = verify(plan, small)
    assert problems and any("hr-nowhere" in p for p in problems)
