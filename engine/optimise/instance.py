"""A planning problem as plain data: the candidate options per service, their value, their time
windows, and the limits.  Shared by the priority-rule heuristic and the MIP, so both plan exactly
the same problem.

Which options are candidates: eligible after scoring; an exception only if it beat the MoU margin;
narrowed by the what-if settings (force out, fix option, fix provider).  Services that must change
(forced in, or with no status quo allowed) are "forced".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple, NoReturn

import networkx as nx
import numpy as np

from engine.base.errors import InfeasibleError, Problem
from engine.plan.settings import MAXMIN_TIE_BREAK, PlanSettings
from engine.plan.windows import Window, budget_windows, capacity_windows
from engine.programme.graph import dependency_graph
from engine.programme.model import DeliveryOption, Programme, Service
from engine.programme.money import (
    Appraisal,
    benefit_discounts,
    change_npv_by_start,
    funded_pools,
    funding_npv,
    shares_of,
    stranded_split_of,
)
from engine.programme.partners import option_window
from engine.programme.stages import gap_periods, spend_profile
from engine.scoring.scores import ScoreTable

FINISH_TO_START, START_TO_START, GO_LIVE_TOGETHER = "finish_to_start", "start_to_start", "go_live_together"


class Dep(NamedTuple):
    """A dependency as the planner sees it (the meaning of each kind: :class:`Dependency`)."""

    before: str
    after: str
    lag: int
    kind: str = FINISH_TO_START


@dataclass
class Job:
    """One candidate option of one service."""

    service: str
    option: DeliveryOption
    earliest: int  # first allowed start period
    latest: int  # last allowed start period
    gain: float = 0.0  # score gain over the status quo (value objective)
    annual_saving: float = 0.0
    npv: dict[int, float] = field(default_factory=dict)  # start -> the change's NPV (the finance's)
    own_npv: dict[int, float] = field(default_factory=dict)  # the same, less days of funded pools
    stranded_npv: dict[int, float] = field(default_factory=dict)  # start -> NPV of its stranded costs
    borne: dict[str, dict[int, float]] = field(default_factory=dict)  # a path's: partner -> start -> its part
    spend: tuple[float, ...] = ()  # one-off £ in each period of the job (default: spread evenly)
    gaps: frozenset[int] = frozenset()  # a staged path's periods between stages (offsets)

    @property
    def duration(self) -> int:
        return self.option.duration

    def busy(self, k: int) -> bool:
        """Whether the job's ``k``-th period is a transition in flight: a staged path is not in
        the gaps between its stages (it counts towards the cap on concurrent transitions only
        while a stage runs)."""
        return not self.gaps or k not in self.gaps

    def spend_in(self, k: int) -> float:
        """One-off £ spent in the job's ``k``-th period: a staged path's by its stages, nothing in
        its gaps (:func:`engine.programme.stages.spend_profile`); else spread evenly."""
        return self.spend[k] if self.spend else self.option.one_off_spend / self.duration

    def demand(self, pool: str) -> tuple[float, ...]:
        return self.option.demand_profile(pool)


@dataclass
class Instance:
    programme: Programme
    settings: PlanSettings
    periods: int
    jobs: dict[str, list[Job]]  # service -> candidates, in file order
    forced: set[str]
    dependencies: list[Dep]
    block: bool  # a deferred 'before' service blocks its 'after' service
    windows: dict[str, list[Window]]
    budget: list[Window]
    max_concurrent: int | None
    months_per_period: int
    notes: list[str] = field(default_factory=list)
    soft: set[str] = field(default_factory=set)  # forced only as a recommendation (makespan)
    set_aside: int = 0  # candidates removed by the dominance rule (_set_aside_dominated)
    set_aside_services: set[str] = field(default_factory=set)

    def all_jobs(self) -> list[Job]:
        return [job for jobs in self.jobs.values() for job in jobs]

    @cached_property
    def _benefit_discounts(self) -> np.ndarray:
        return benefit_discounts(self.programme, self.settings.appraisal, self.periods)

    def discount(self, period: int) -> float:
        """Green Book discount of a score gain that starts ``period`` periods in (the finance's own
        annual schedule, :func:`engine.programme.money.benefit_discounts`)."""
        return float(self._benefit_discounts[period])

    def value(self, job: Job, start: int) -> float:
        """Objective coefficient of starting ``job`` at ``start``: the discounted score gain (value),
        or the change's NPV over its appraisal life, the finance's own money (savings, max-min)."""
        if self.settings.objective == "value":
            return job.gain * self.discount(start + job.duration)
        return job.npv[start]

    @cached_property
    def _funding(self) -> tuple[float, dict[str, float]]:
        return funding_npv(self.programme, self.settings.appraisal)

    @property
    def funding_value(self) -> float:
        """The constant the funding adds to the objective: its NPV under savings and max-min
        (funding does not depend on the plan; see :mod:`engine.programme.funding`), else 0."""
        return self._funding[0] if self.settings.objective in ("savings", "maxmin") else 0.0

    @property
    def objective_offset(self) -> float:
        """What the solver's objective leaves out and the plan's value includes: the funding's
        NPV (savings), or its tie-break part (max-min; each partner's own funding is in its row)."""
        return self.funding_value * (MAXMIN_TIE_BREAK if self.settings.objective == "maxmin" else 1.0)

    def partner_funding(self, partner: str) -> float:
        """``partner``'s NPV from funding alone (receipts less contributions paid)."""
        return self._funding[1].get(partner, 0.0)

    def partner_value(self, job: Job, start: int, partner: str) -> float:
        """``partner``'s share of the change's NPV, less the days of funded pools (which the pools'
        funders pay: see :mod:`engine.optimise.partners`), with its stranded costs borne by the
        option's stranded split rather than the service's shares."""
        share = shares_of(self.programme, job.service).get(partner, 0.0)
        stranded = job.stranded_npv.get(start, 0.0)
        if job.borne:  # a staged path: each stage's stranded costs by its own split
            return share * (job.own_npv[start] - stranded) + job.borne.get(partner, {}).get(start, 0.0)
        bears = stranded_split_of(self.programme, job.option).get(partner, 0.0) if stranded else 0.0
        return share * (job.own_npv[start] - stranded) + bears * stranded


def build_instance(programme: Programme, settings: PlanSettings, scores: ScoreTable | None) -> Instance:
    """The planning problem for ``programme`` under ``settings``: each service's candidates with
    their start windows, what must change, and the limits; narrowed by what the dependencies imply
    and by the dominance rule.  Raises :class:`InfeasibleError` naming every contradiction found."""
    _check_what_if(programme, settings)
    periods = settings.horizon or programme.horizon.periods
    verdicts = _verdicts(settings, scores)
    notes: list[str] = []
    jobs, forced, soft = _candidates(programme, settings, verdicts, periods, notes)
    instance = Instance(
        programme,
        settings,
        periods,
        jobs,
        forced,
        [Dep(d.before, d.after, d.lag, d.kind) for d in programme.dependencies],
        programme.settings.deferred_dependency == "block",
        {pool.id: capacity_windows(programme, pool.id, periods) for pool in programme.resources},
        budget_windows(programme, periods),
        settings.max_concurrent or programme.settings.max_concurrent_transitions,
        programme.horizon.months_per_period,
        notes=notes,
        soft=soft,
    )
    _tighten(instance)
    _money(instance)
    _set_aside_dominated(instance, programme)
    return instance


def _check_what_if(programme: Programme, settings: PlanSettings) -> None:
    """A what-if that names an unknown service, or forces one both in and out, is a mistake to
    report before planning, not a constraint to plan around."""
    problems: list[Problem] = []
    known = {s.id for s in programme.services}
    for name, ids in (
        ("force_in", settings.force_in),
        ("force_out", settings.force_out),
        ("fix_option", tuple(settings.fix_option)),
        ("fix_provider", tuple(settings.fix_provider)),
    ):
        for service_id in ids:
            if service_id not in known:
                problems.append(Problem(f"{name}: unknown service `{service_id}`", field=name))
    clash = set(settings.force_in) & set(settings.force_out)
    if clash:
        problems.append(
            Problem(f"services both forced in and out: {', '.join(sorted(clash))}", field="force_in")
        )
    if problems:
        raise InfeasibleError(problems)


@dataclass(frozen=True)
class _Verdicts:
    """What scoring says about the options (``None``: no scores, so every option is allowed)."""

    allowed: set[str] | None  # eligible, exceptions only past the MoU margin
    eligible: set[str] | None
    gains: dict[str, float]  # score gain over the status quo
    recommended: dict[str, str]  # service -> the recommended change (makespan objective only)
    scores: ScoreTable | None


def _verdicts(settings: PlanSettings, scores: ScoreTable | None) -> _Verdicts:
    allowed, eligible, gains = _scored(scores)
    recommended = _recommended(scores) if settings.objective == "makespan" and scores is not None else {}
    return _Verdicts(allowed, eligible, gains, recommended, scores)


@dataclass
class _Choice:
    """The options a service may take, whether it must change, and whether only because it is
    recommended (makespan: a recommendation may give way to what cannot change)."""

    options: list[DeliveryOption]
    must: bool
    soft: bool = False


def _candidates(
    programme: Programme, settings: PlanSettings, verdicts: _Verdicts, periods: int, notes: list[str]
) -> tuple[dict[str, list[Job]], set[str], set[str]]:
    """Each service's candidate jobs (those that fit the horizon), the services that must change,
    and those that must only as a recommendation (one that cannot is left as it is, with a note in
    ``notes``); every service that must change and cannot is reported together, so one run names
    them all."""
    problems: list[Problem] = []
    jobs: dict[str, list[Job]] = {}
    forced: set[str] = set()
    soft: set[str] = set()
    for service in programme.services:
        choice = _choose(programme, service, settings, verdicts, problems)
        if choice is None:
            continue
        if choice.soft:
            soft.add(service.id)
        out = _fitting_jobs(programme, service, choice.options, verdicts.gains, periods)
        if choice.soft and not out:  # only recommended: it stays as it is, and the plan says why
            notes.append(
                f"{service.name} is left as it is: its recommended change does not fit the horizon and "
                "the time its provider and owner are partners of the programme"
            )
            continue
        if choice.must and not out:
            problems.append(
                Problem(
                    f"{service.name} must change but has no option that is allowed and fits "
                    "the horizon and the time its provider and owner are partners of the programme"
                )
            )
        if out:
            jobs[service.id] = out
            if choice.must:
                forced.add(service.id)
    if problems:
        raise InfeasibleError(problems)
    return jobs, forced, soft


def _choose(
    programme: Programme,
    service: Service,
    settings: PlanSettings,
    verdicts: _Verdicts,
    problems: list[Problem],
) -> _Choice | None:
    """The options scoring allows, narrowed by the what-if (force out, fix option, fix provider) and,
    for the makespan objective, by the recommendation; None when the service keeps its status quo
    or the what-if contradicts it (recorded in ``problems``).  A what-if that fixes the option or
    provider may overrule the MoU margin, not eligibility."""
    must = service.id in settings.force_in or not service.allow_status_quo
    if service.id in settings.force_out:
        if not service.allow_status_quo:
            problems.append(Problem(f"{service.name} is forced out, but keeping it as it is is not allowed"))
        return None
    changes = [o for o in programme.options_for(service.id) if not o.is_status_quo]
    allowed, eligible = verdicts.allowed, verdicts.eligible
    candidates = changes if allowed is None else [o for o in changes if _every_stage(programme, o, allowed)]
    if service.id in settings.fix_option:
        wanted = settings.fix_option[service.id]
        candidates = [o for o in changes if o.id == wanted]
        must = True
        if not candidates:
            problems.append(Problem(f"fix_option: `{wanted}` is not an option of `{service.id}`"))
            return None
        if eligible is not None and not _every_stage(programme, candidates[0], eligible):
            stage = next(s.option.id for s in programme.stages(wanted) if s.option.id not in eligible)
            reason = eligible_reason(verdicts.scores, stage)
            of = "" if stage == wanted else f" (its stage `{stage}`)"
            problems.append(Problem(f"fix_option: `{wanted}`{of} is ruled out: {reason}"))
            return None
    if service.id in settings.fix_provider:
        partner = settings.fix_provider[service.id]
        candidates = [
            o
            for o in changes
            if o.provider == partner and (eligible is None or _every_stage(programme, o, eligible))
        ]
        must = True
    recommended = verdicts.recommended
    if recommended and not must and service.id in recommended:
        # makespan: the recommended changes must happen; others only if a change needs them
        candidates = [o for o in candidates if o.id == recommended[service.id]]
        return _Choice(candidates, must=bool(candidates), soft=True)
    return _Choice(candidates, must)


def _every_stage(programme: Programme, option: DeliveryOption, passed: set[str]) -> bool:
    """Whether every stage of ``option`` (itself, unless it is a staged path) is in ``passed``: a
    path is eligible only if each stage is, and an exception only past the margin if each is."""
    return all(stage.option.id in passed for stage in programme.stages(option.id))


def _fitting_jobs(
    programme: Programme,
    service: Service,
    options: list[DeliveryOption],
    gains: dict[str, float],
    periods: int,
) -> list[Job]:
    """One job per option whose own window (earliest start, latest finish, within the horizon,
    clipped to the membership of its provider and of the service's owner: start ≥ the period both
    are members from, start + duration ≤ the period either leaves in) leaves room for its duration;
    the others cannot be planned at all."""
    horizon = programme.horizon
    out = []
    for option in options:
        joined, leaving = option_window(programme, option, periods)
        earliest = 0 if option.earliest_start is None else max(0, horizon.period_of(option.earliest_start))
        earliest = max(earliest, joined)
        last_end = (
            periods
            if option.latest_finish is None
            else min(periods, horizon.period_of(option.latest_finish) + 1)
        )
        last_end = min(last_end, leaving)
        job = Job(
            service.id,
            option,
            earliest,
            last_end - option.duration,
            gain=gains.get(option.id, 0.0),
            annual_saving=service.annual_cost - option.annual_cost,
            spend=tuple(spend_profile(programme, option)) if option.follows else (),
            gaps=gap_periods(programme, option),
        )
        if job.latest >= job.earliest:
            out.append(job)
    return out


def _money(instance: Instance) -> None:
    """Each candidate's NPV at every start it may take (the savings and max-min coefficients)."""
    if instance.settings.objective not in ("savings", "maxmin") and not instance.settings.consensus:
        return
    programme, appraisal = instance.programme, instance.settings.appraisal
    funded = set(funded_pools(programme))
    for job in instance.all_jobs():
        starts = range(job.earliest, job.latest + 1)
        npv = change_npv_by_start(programme, job.option, starts, appraisal)
        job.npv = dict(zip(starts, npv, strict=True))
        if funded & set(job.option.demand):
            own = change_npv_by_start(programme, job.option, starts, appraisal, exclude_pools=funded)
            job.own_npv = dict(zip(starts, own, strict=True))
        else:
            job.own_npv = job.npv
        if job.option.stranded_cost:
            stranded = change_npv_by_start(programme, job.option, starts, appraisal, stranded_only=True)
            job.stranded_npv = dict(zip(starts, stranded, strict=True))
            if job.option.follows:
                job.borne = _borne(programme, job.option, starts, appraisal)


def _borne(
    programme: Programme, option: DeliveryOption, starts: range, appraisal: Appraisal
) -> dict[str, dict[int, float]]:
    """Each partner's part of a staged path's stranded-cost NPV, stage by stage, by start."""
    bearers = {p for stage in programme.stages(option.id) for p in stranded_split_of(programme, stage.option)}
    return {
        partner: dict(
            zip(
                starts,
                change_npv_by_start(programme, option, starts, appraisal, stranded_only=True, bearer=partner),
                strict=True,
            )
        )
        for partner in sorted(bearers)
    }


def _set_aside_dominated(instance: Instance, programme: Programme) -> None:
    """Remove candidates that provably cannot be part of a better plan.

    Let D(s) be service s with every service that cannot change unless s does: under the 'block'
    setting, everything reachable from s along the dependencies (before → after, of every kind)
    and, for go-live-together, also after → before (both change or neither); under 'ignore', s
    alone.  Let best(u) be the largest objective coefficient of u's candidates at any start.  The
    changes of s are set aside when no service in D(s) is forced, no consensus or max-min
    objective counts money partner by partner, and

        best(s) + Σ_{u ∈ D(s), u ≠ s} max(0, best(u)) ≤ 0,

    i.e. whatever s enables cannot repay what s costs.  Under 'block' a plan that changes any
    service of D(s) changes s too, so D(s) contributes at most that sum; dropping D(s) from any
    plan leaves a plan that is still feasible (D(s) is closed under "cannot change unless", so no
    remaining service loses a change it needs, whatever the kind; under 'ignore' no dependency
    binds a service whose partner stays as it is; capacity, budget and concurrent slots are only
    freed) and whose objective is no lower.  So the optimum, and the bound, over the reduced
    problem are those of the whole programme.  An enabling change with no gain of its own is kept
    whenever what it enables might be worth it.
    """
    settings = instance.settings
    if settings.objective not in ("value", "savings") or settings.consensus:
        return
    graph = _holds(dependency_graph(programme))
    best = {
        service: max(instance.value(job, t) for job in jobs for t in range(job.earliest, job.latest + 1))
        for service, jobs in instance.jobs.items()
    }
    dropped = 0
    for service in list(instance.jobs):
        below = (nx.descendants(graph, service) if instance.block else set()) & set(best)
        if service in instance.forced or below & instance.forced:
            continue
        if service in instance.jobs and best[service] + sum(max(0.0, best[u]) for u in below) <= 0:
            for gone in {service} | below:
                dropped += len(instance.jobs.pop(gone, []))
                instance.set_aside_services.add(gone)
    instance.set_aside = dropped


def _holds(graph: nx.DiGraph) -> nx.DiGraph:
    """Arrows u → v where, under 'block', v cannot change unless u does: every dependency's
    before → after, and a go-live-together pair both ways."""
    holds = nx.DiGraph(graph)
    holds.add_edges_from(
        (after, before) for before, after, kind in graph.edges(data="kind") if kind == GO_LIVE_TOGETHER
    )
    return holds


def eligible_reason(scores: ScoreTable | None, option: str) -> str:
    if scores is None:
        return ""
    rows = scores.options[scores.options["option"] == option]
    return str(rows["ineligible_reason"].iloc[0]) if len(rows) else ""


def _scored(scores: ScoreTable | None) -> tuple[set[str] | None, set[str] | None, dict[str, float]]:
    """Options scoring allows (eligible, exceptions only past the margin), the eligible ones, gains."""
    if scores is None:
        return None, None, {}
    frame = scores.options
    eligible = {o for o, ok in zip(frame["option"], frame["eligible"], strict=True) if ok}
    blocked = set(scores.exceptions.loc[~scores.exceptions["passes_margin"].astype(bool), "option"])
    allowed = {o for o, ok in zip(frame["option"], frame["eligible"], strict=True) if ok and o not in blocked}
    status_quo = {
        s: sc for s, sc, sq in zip(frame["service"], frame["score"], frame["status_quo"], strict=True) if sq
    }
    gains = {}  # score over the status quo's (over 0 where the status quo is ruled out or excluded)
    for option, service, value in zip(frame["option"], frame["service"], frame["score"], strict=True):
        if value == value:
            baseline = status_quo.get(service, 0.0)
            gains[option] = float(value) - (float(baseline) if baseline == baseline else 0.0)
    return allowed, eligible, gains


def _recommended(scores: ScoreTable) -> dict[str, str]:
    rows = scores.services
    return {
        s: o
        for s, o, status in zip(rows["service"], rows["recommended"], rows["status"], strict=True)
        if status in ("change", "exception")
    }


def _tighten(instance: Instance) -> None:
    """Apply what the dependency graph implies, then narrow start windows by longest paths.

    Under the 'block' setting a service can change only after its predecessors change (and a
    go-live-together pair only together): a service held by one that cannot change cannot change
    either, a forced service forces those that hold it, and its earliest start is at least the
    longest chain before it (:func:`_heads`).  Where successors are forced, its latest start
    leaves room for them (:func:`_tails`).
    """
    graph: nx.DiGraph = dependency_graph(instance.programme)
    order = list(nx.topological_sort(graph))
    if instance.block:
        holds = _holds(graph)
        _drop_blocked(instance, holds, order)
        _force_predecessors(instance, holds)
    if instance.settings.objective == "makespan":  # only what must happen is scheduled
        for service in [s for s in instance.jobs if s not in instance.forced]:
            del instance.jobs[service]
    _narrow_windows(instance, _heads(instance, graph, order), _tails(instance, graph, order))


def _drop_blocked(instance: Instance, holds: nx.DiGraph, order: list[str]) -> None:
    """Under 'block', a service held by one that cannot change cannot change either: a
    recommendation gives way (with a note), a forced service is infeasible.  Repeated until
    nothing changes, as a go-live-together pair passes a removal backwards too."""
    changed = True
    while changed:
        changed = False
        for service in order:  # predecessors first, so most removals propagate in one sweep
            missing = [p for p in holds.predecessors(service) if p not in instance.jobs]
            if missing and service in instance.jobs:
                together = holds.has_edge(service, missing[0])  # a go-live-together partner
                _cannot_change(instance, service, missing[0], "go live with it" if together else "come first")
                changed = True


def _cannot_change(instance: Instance, service: str, missing: str, how: str) -> None:
    """Drop ``service``, whose change needs ``missing`` to ``how``; infeasible if it is forced."""
    name, other = instance.programme.service(service).name, instance.programme.service(missing).name
    if service in instance.soft:
        instance.forced.discard(service)
        needs = "first" if how == "come first" else "to go live with it"
        instance.notes.append(
            f"{name} is left as it is: its recommended change needs {other} {needs}, which cannot change"
        )
    elif service in instance.forced:
        raise InfeasibleError([Problem(f"{name} must change, but {other}, which must {how}, cannot")])
    del instance.jobs[service]


def _force_predecessors(instance: Instance, holds: nx.DiGraph) -> None:
    """Under 'block', a forced service forces every service it cannot change without."""
    for service in list(instance.forced):
        instance.forced.update(nx.ancestors(holds, service))


def _heads(instance: Instance, graph: nx.DiGraph, order: list[str]) -> dict[str, int]:
    """Earliest start implied by the predecessors (under 'block', where each predecessor changes
    if the service does), by kind: finish-to-start head(p) + shortest(p) + lag, start-to-start
    head(p) + lag, go-live-together head(p) + shortest(p) − longest(s) (the same end)."""
    shortest = {s: min(j.duration for j in jobs) for s, jobs in instance.jobs.items()}
    longest = {s: max(j.duration for j in jobs) for s, jobs in instance.jobs.items()}
    head: dict[str, int] = {}
    for service in order:
        preds = list(graph.predecessors(service))
        head[service] = 0
        if instance.block and preds and service in instance.jobs:
            for p in preds:
                edge = graph.edges[p, service]
                if edge["kind"] == START_TO_START:
                    bound = head[p] + edge["lag"]
                elif edge["kind"] == GO_LIVE_TOGETHER:
                    bound = head[p] + shortest[p] - longest[service]
                else:
                    bound = head[p] + shortest[p] + edge["lag"]
                head[service] = max(head[service], bound)
    return head


def _tails(instance: Instance, graph: nx.DiGraph, order: list[str]) -> dict[str, int]:
    """Room to leave after a service's end for its forced successors a, by kind: finish-to-start
    lag + shortest(a) + tail(a), start-to-start lag + shortest(a) + tail(a) − longest(s),
    go-live-together tail(a) (the same end); never below 0."""
    shortest = {s: min(j.duration for j in jobs) for s, jobs in instance.jobs.items()}
    longest = {s: max(j.duration for j in jobs) for s, jobs in instance.jobs.items()}
    tail: dict[str, int] = {}
    for service in reversed(order):
        tail[service] = 0
        succs = [s for s in graph.successors(service) if s in instance.forced and s in instance.jobs]
        for a in succs:
            edge = graph.edges[service, a]
            if edge["kind"] == GO_LIVE_TOGETHER:
                room = tail[a]
            elif edge["kind"] == START_TO_START:
                room = edge["lag"] + shortest[a] + tail[a] - longest.get(service, 0)
            else:
                room = edge["lag"] + shortest[a] + tail[a]
            tail[service] = max(tail[service], room)
    return tail


def _narrow_windows(instance: Instance, head: dict[str, int], tail: dict[str, int]) -> None:
    """Narrow each job's start window to [head, horizon − duration − tail]; a job left with no
    start is dropped, and a forced service left with no job is infeasible (by how much it is late)."""
    for service, jobs in list(instance.jobs.items()):
        kept, short = [], []
        for job in jobs:
            job.earliest = max(job.earliest, head.get(service, 0))
            job.latest = min(job.latest, instance.periods - job.duration - tail.get(service, 0))
            if job.latest >= job.earliest:
                kept.append(job)
            else:
                short.append((job.earliest - job.latest, job))
        if kept:
            instance.jobs[service] = kept
            continue
        del instance.jobs[service]
        if service in instance.forced:
            _too_late(instance, service, short)


def _too_late(instance: Instance, service: str, short: list[tuple[int, Job]]) -> NoReturn:
    """Raise for a forced service that cannot finish in time, naming its least-late option."""
    horizon = instance.programme.horizon
    late, job = min(short, key=lambda pair: pair[0])
    finish = horizon.label(job.latest + job.duration - 1) if job.latest + job.duration > 0 else "the start"
    raise InfeasibleError(
        [
            Problem(
                f"`{service}` ({job.option.id}) must change but cannot finish in time: after what "
                f"must come first it can start in {horizon.label(job.earliest)} at the earliest and "
                f"must finish by {finish}; it must be allowed to finish {late} period(s) later"
            )
        ]
    )
