"""Staged options: a service that changes more than once (Legal into the shared service, then five
years later into a council company).

An option that ``follows`` another of the same service is a later stage: it starts ``stage_gap``
periods after the earlier stage goes live.  Choosing it means taking the whole path, so the
programme's lookups (:meth:`Programme.options_for`, :meth:`Programme.option`) present it as one
derived record, its *path*, and the planner keeps one choice per service:

- ``duration`` = d₁ + gap₂ + d₂ (+ gap₃ + d₃ …), the time from the first stage's start to the
  last stage's go-live;
- ``demand``: each stage's profile at its own offset, zeros in the gaps;
- ``one_off_cost`` and ``stranded_cost``: the sums (``stranded_split``: the stages' weighted by
  their stranded costs, for people; the money splits stage by stage); ``annual_cost``, provider, model and
  attributes: the last stage's (what the service becomes); ``risk``: the highest of the stages';
- ``earliest_start``: the latest of the stages' earliest starts, each moved back by its offset;
  ``latest_finish``: the earliest of the stages' deadlines, each moved on by what follows it;
- ``exempt`` and ``illustrative``: the union of the stages' (a path's money reveals each stage's).

The path keeps its :class:`Stage` records (the options as written, with their offsets), so the
finance counts each stage's savings from its own go-live and the verifier and the outputs see
each stage.  The records in ``Programme.options`` stay as written, so files round-trip exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from engine.programme.calendar import add_months

if TYPE_CHECKING:
    from engine.programme.model import DeliveryOption, Programme

RISKS = ("low", "medium", "high")


@dataclass(frozen=True)
class Stage:
    """One stage of a path: the option as written and its start, in periods from the path's start."""

    option: DeliveryOption
    offset: int

    @property
    def duration(self) -> int:
        return self.option.duration

    @property
    def end(self) -> int:
        """Periods from the path's start to this stage's go-live."""
        return self.offset + self.option.duration

    @property
    def annual_cost(self) -> float:
        return self.option.annual_cost


def chain(programme: Programme, option: DeliveryOption) -> list[DeliveryOption]:
    """The options as written from the first stage to ``option`` (references must be sound)."""
    written = {o.id: o for o in programme.options}
    out = [option]
    while out[0].follows is not None:
        out.insert(0, written[out[0].follows])
    return out


def stages_of(options: list[DeliveryOption]) -> tuple[Stage, ...]:
    """Each option of a chain with its offset: after the previous go-live and the stage's gap."""
    out: list[Stage] = []
    for option in options:
        offset = out[-1].end + option.stage_gap if out else 0
        out.append(Stage(option, offset))
    return tuple(out)


def paths(programme: Programme) -> dict[str, tuple[DeliveryOption, tuple[Stage, ...]]]:
    """Every staged option's path record and stages, by the option's id."""
    out = {}
    for option in programme.options:
        if option.follows is not None:
            stages = stages_of(chain(programme, option))
            service = programme.service(option.service)
            shares = dict(service.shares) or {service.owner: 1.0}
            out[option.id] = (path_record(stages, programme.horizon.months_per_period, shares), stages)
    return out


def path_record(
    stages: tuple[Stage, ...], months_per_period: int, shares: dict[str, float]
) -> DeliveryOption:
    """The one record a planner chooses for the whole path (the rules in the module docstring).

    Built with ``model_copy`` of the last stage, not re-validated: its combined dates may leave it
    no room, which the planner reports as an option that cannot be planned."""
    last, total = stages[-1].option, stages[-1].end
    return last.model_copy(
        update={
            "duration": total,
            "one_off_cost": sum(s.option.one_off_cost for s in stages),
            "stranded_cost": sum(s.option.stranded_cost for s in stages),
            "stranded_split": _stranded_split(stages, shares),
            "demand": {pool: _profile(stages, pool, total) for pool in _pools(stages)},
            "earliest_start": _earliest(stages, months_per_period),
            "latest_finish": _latest(stages, months_per_period),
            "risk": max((s.option.risk for s in stages), key=RISKS.index),
            "ranges": _ranges(stages),
            "exempt": tuple(dict.fromkeys(f for s in stages for f in s.option.exempt)),
            "illustrative": _illustrative(stages),
        }
    )


def _pools(stages: tuple[Stage, ...]) -> list[str]:
    return list(dict.fromkeys(pool for s in stages for pool in s.option.demand))


def _profile(stages: tuple[Stage, ...], pool: str, total: int) -> tuple[float, ...]:
    out = [0.0] * total
    for stage in stages:
        for k, amount in enumerate(stage.option.demand_profile(pool)):
            out[stage.offset + k] = amount
    return tuple(out)


def _stranded_split(stages: tuple[Stage, ...], shares: dict[str, float]) -> dict[str, float]:
    """Who bears the path's stranded costs, in all: each stage's split (its own, else the service's
    ``shares``) weighted by its stranded cost; none named where every stage uses the shares.  For
    what people read: the finance splits stage by stage, each at its own time."""
    stranded = [s.option for s in stages if s.option.stranded_cost]
    if not any(option.stranded_split for option in stranded):
        return {}
    total = sum(option.stranded_cost for option in stranded)
    out: dict[str, float] = {}
    for option in stranded:
        for partner, share in (option.stranded_split or shares).items():
            out[partner] = out.get(partner, 0.0) + share * option.stranded_cost / total
    return out


def _earliest(stages: tuple[Stage, ...], mpp: int) -> date | None:
    moved = [
        add_months(s.option.earliest_start.replace(day=1), -s.offset * mpp)
        for s in stages
        if s.option.earliest_start is not None
    ]
    if len(moved) == 1 and stages[0].option.earliest_start is not None:
        return stages[0].option.earliest_start  # unchanged, to the day
    return max(moved, default=None)


def _latest(stages: tuple[Stage, ...], mpp: int) -> date | None:
    total = stages[-1].end
    moved = [
        add_months(s.option.latest_finish.replace(day=1), (total - s.end) * mpp)
        for s in stages
        if s.option.latest_finish is not None
    ]
    if len(moved) == 1 and stages[-1].option.latest_finish is not None:
        return stages[-1].option.latest_finish
    return min(moved, default=None)


def _ranges(stages: tuple[Stage, ...]) -> dict[str, tuple[float, float]]:
    """The one-off range is the sum of the stages' (a stage without one counts its figure); the
    annual range is the last stage's."""
    out: dict[str, tuple[float, float]] = {}
    if any("one_off_cost" in s.option.ranges for s in stages):
        lows = highs = 0.0
        for s in stages:
            low, high = s.option.ranges.get("one_off_cost", (s.option.one_off_cost, s.option.one_off_cost))
            lows, highs = lows + low, highs + high
        out["one_off_cost"] = (lows, highs)
    if "annual_cost" in stages[-1].option.ranges:
        out["annual_cost"] = stages[-1].option.ranges["annual_cost"]
    return out


def _illustrative(stages: tuple[Stage, ...]) -> bool | tuple[str, ...]:
    if any(s.option.illustrative is True for s in stages):
        return True
    named = [f for s in stages if isinstance(s.option.illustrative, tuple) for f in s.option.illustrative]
    return tuple(dict.fromkeys(named)) if named else False


def spend_profile(programme: Programme, option: DeliveryOption) -> list[float]:
    """One-off spend (one-off and stranded costs) in each period of the option's implementation:
    each stage's spread evenly over its own periods, nothing in the gaps."""
    out = [0.0] * option.duration
    for stage in stages_for(programme, option):
        for k in range(stage.duration):
            if stage.offset + k < len(out):
                out[stage.offset + k] += stage.option.one_off_spend / stage.duration
    return out


def stages_for(programme: Programme, option: DeliveryOption) -> tuple[Stage, ...]:
    """The stages of ``option`` as given: the programme's for its path (a copy whose costs were
    changed, as a sensitivity run does, puts the change on the last stage), else the option alone."""
    if option.follows is None:
        return (Stage(option, 0),)
    path, stages = programme.option(option.id), programme.stages(option.id)
    if option is path or option == path:
        return stages
    last = stages[-1].option
    changed = last.model_copy(
        update={
            "annual_cost": option.annual_cost,
            "one_off_cost": last.one_off_cost + option.one_off_cost - path.one_off_cost,
            "stranded_cost": last.stranded_cost + option.stranded_cost - path.stranded_cost,
        }
    )
    return (*stages[:-1], Stage(changed, stages[-1].offset))


def gap_periods(programme: Programme, option: DeliveryOption) -> frozenset[int]:
    """The periods of a staged path (offsets from its start) in which no stage runs."""
    if option.follows is None:
        return frozenset()
    running = {s.offset + k for s in programme.stages(option.id) for k in range(s.duration)}
    return frozenset(range(option.duration)) - running
