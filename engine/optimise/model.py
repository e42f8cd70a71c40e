"""Variables of the time-indexed model, named in the programme's own words.

``start[hr-county-s101][2016-07]`` = 1 when that option starts in that period.  Constraint and
variable names are kept in ``Model.describe`` so infeasibility advice and LP dumps read as the
programme does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pulp

from engine.optimise.deadline import check
from engine.optimise.instance import Instance, Job
from engine.plan.result import Assignment, Plan

Terms = Iterable[tuple[pulp.LpVariable, float]]
SENSES = {"<=": pulp.LpConstraintLE, "==": pulp.LpConstraintEQ, ">=": pulp.LpConstraintGE}


def affine(terms: Terms) -> pulp.LpAffineExpression:
    """Σ c·v from (variable, coefficient) pairs, a variable named twice counted once with the sum
    of its coefficients, zeros left out.  One dict for the whole row: ``lpSum(c * v for …)`` makes
    an expression per term and merges them one by one, which was most of the model-building time."""
    coefficients: dict[pulp.LpVariable, float] = {}
    for var, c in terms:
        coefficients[var] = coefficients.get(var, 0) + c
    return pulp.LpAffineExpression({v: c for v, c in coefficients.items() if c})


@dataclass
class Model:
    instance: Instance
    problem: pulp.LpProblem
    start: dict[tuple[str, int], pulp.LpVariable]  # (option id, period) -> binary
    jobs: dict[str, Job]  # option id -> job
    makespan: pulp.LpVariable | None = None
    describe: dict[str, str] = field(default_factory=dict)  # constraint name -> plain words
    cache: dict[str, dict[object, object]] = field(default_factory=dict)  # shared expressions
    _names: set[str] = field(default_factory=set)
    built_seconds: float = 0.0  # how long building took: the hand-over to the solver takes as long

    def name(self, text: str) -> str:
        """A unique solver name for ``text`` (PuLP folds some characters, so guard collisions)."""
        clean = text.replace(" ", "_")
        candidate, n = clean, 1
        while candidate.lower() in self._names:
            n += 1
            candidate = f"{clean}#{n}"
        self._names.add(candidate.lower())
        return candidate

    def add(self, constraint: pulp.LpConstraint, label: str, words: str) -> None:
        check()  # building a large model takes seconds: it stops at the command's deadline
        name = self.name(label)
        self.problem.addConstraint(constraint, name)
        self.describe[name] = words

    def row(self, terms: Terms, sense: str, rhs: float, label: str, words: str) -> None:
        """Add Σ c·v ``sense`` ``rhs`` (``sense`` one of <=, ==, >=), named and described as
        :meth:`add` does, built straight from its terms (see :func:`affine`)."""
        self.add(pulp.LpConstraint(affine(terms), SENSES[sense], rhs=rhs), label, words)

    def plan(self, started: Callable[[pulp.LpVariable], bool]) -> Plan:
        """The plan of the starts ``started`` says are taken: from the solver's final values
        (:func:`engine.optimise.run.extract`) or from a solution HiGHS reports while it searches
        (:mod:`engine.optimise.anytime`)."""
        chosen = [
            Assignment(
                service=self.jobs[option].service,
                option=option,
                provider=self.jobs[option].option.provider,
                start=t,
                duration=self.jobs[option].duration,
            )
            for (option, t), var in self.start.items()
            if started(var)
        ]
        chosen.sort(key=lambda a: (a.start, a.service))
        return Plan(
            programme=self.instance.programme.id, periods=self.instance.periods, assignments=tuple(chosen)
        )

    def starts_of(self, service: str) -> list[tuple[Job, int, pulp.LpVariable]]:
        return [
            (job, t, self.start[(job.option.id, t)])
            for job in self.instance.jobs.get(service, [])
            for t in range(job.earliest, job.latest + 1)
        ]

    def running(self, job: Job, period: int) -> list[tuple[int, pulp.LpVariable]]:
        """(offset into the job, variable) for every start that has ``job`` running in ``period``."""
        first = max(job.earliest, period - job.duration + 1)
        return [
            (period - t, self.start[(job.option.id, t)]) for t in range(first, min(job.latest, period) + 1)
        ]


def build_variables(instance: Instance, sense: int) -> Model:
    problem = pulp.LpProblem(f"plan_{instance.programme.id}", sense)
    model = Model(instance, problem, {}, {})
    horizon = instance.programme.horizon
    for job in instance.all_jobs():
        check()
        model.jobs[job.option.id] = job
        for t in range(job.earliest, job.latest + 1):
            name = model.name(f"start[{job.option.id}][{horizon.key(t)}]")
            model.start[(job.option.id, t)] = problem.add_variable(
                name, lowBound=0, upBound=1, cat=pulp.LpBinary
            )
    return model
