"""What the report says when the plan changes nothing, or a single service.

A plan that changes nothing (capacity 0, a do-nothing scenario, or no change worth making) is a
true answer, and every section must read as one: no order was chosen, no service is "in the plan",
there is no money to share out and nothing to pay back. The reason is worked from the scenario and
the scores, never from the plan's per-service reasons, which can carry exempt figures.
"""

from __future__ import annotations

from engine.appraisal.scenario import ScenarioResult

AIM = {
    "savings": "net present value",
    "maxmin": "the worst-off council's money",
    "makespan": "an early finish",
}
LIMITS = "the programme's limits (resource capacity, budgets and dependencies)"


def planned(result: ScenarioResult) -> list[str]:
    """The services the plan changes, each once, in the plan's order."""
    plan = result.plan.plan
    return list(dict.fromkeys(a.service for a in plan.assignments)) if plan is not None else []


def changes_nothing(result: ScenarioResult) -> bool:
    """A plan was made and it keeps every service as it is."""
    return result.plan.plan is not None and not result.plan.plan.assignments


def unplanned_names(result: ScenarioResult) -> list[str]:
    """The names of the services the plan leaves as they are, in the programme's order."""
    changed = set(planned(result))
    return [s.name for s in result.loaded.programme.services if s.id not in changed]


def why_nothing(result: ScenarioResult) -> str:
    """Why every service stays as it is, as a clause: the scenario keeps them, none fits the
    programme's limits, or no change is better than today."""
    settings = result.loaded.settings
    services = {s.id for s in result.loaded.programme.services}
    if result.loaded.scenario.do_nothing or services <= set(settings.force_out):
        return "this scenario keeps every service as it is"
    worth = result.scores.services
    if (worth["status"] == "change").any():
        if result.plan.objective == "value":
            return (
                f"no change fits {LIMITS} in this scenario, although some would gain on the agreed criteria"
            )
        return f"no change both fits {LIMITS} and adds to this plan's aim, {AIM[result.plan.objective]}"
    return "no option scores better on the agreed criteria than keeping each service as it is"
