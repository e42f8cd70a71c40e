"""Switching values for the exception decisions: how far a cost must move to flip the verdict.

For each option of another partner that the MoU's exception rule judged, we ask: by how much
would that partner's annual running cost have to change, or that of the option it is measured
against (the expected provider's: a lead council's or the default provider's), for the
verdict (recommended by exception or not) to flip?  Scores are normalised across the programme,
so the answer is found by re-scoring, bisecting on the cost to within £1.

Each step of a bisection asks only whether one exception is still recommended, so it re-scores
the arrays (rules, normalisation, weights: :func:`engine.scoring.scores.scored_arrays`) and applies
the MoU rule to them (:func:`engine.scoring.recommend.mou_choice`, as ``recommend`` does), without
building the frames a full score table holds: the same verdict at a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.programme.model import Programme
from engine.rules.ruleset import RuleSet
from engine.scoring.recommend import mou_choice
from engine.scoring.scores import score, scored_arrays


@dataclass(frozen=True)
class SwitchingValue:
    service: str
    exception: str  # the other partner's option
    subject: str  # the option whose cost moves
    role: str  # "exception" or "benchmark" (the expected provider's option, else the best in house)
    recommended_now: bool
    current: float
    switching: float | None  # the cost at which the verdict flips; None if no cost in range flips it

    @property
    def change(self) -> float | None:
        return None if self.switching is None else self.switching - self.current

    def text(self) -> str:
        who = (
            "its annual cost"
            if self.role == "exception"
            else f"the annual cost of {self.subject}, the option it is measured against"
        )
        goal = "stop being recommended" if self.recommended_now else "be recommended"
        if self.switching is None:
            return f"{self.exception} would not {goal} for any change in {who} within the range tried"
        change = self.switching - self.current
        sign = "+" if change > 0 else "−"
        percent = f", {change / self.current:+.1%}" if self.current else ""
        return (
            f"{self.exception} would {goal} if {who} moved from £{self.current:,.0f} to "
            f"£{self.switching:,.0f} ({sign}£{abs(change):,.0f}{percent})"
        )


def _with_cost(programme: Programme, option_id: str, cost: float) -> Programme:
    data: dict[str, Any] = programme.model_dump()
    for option in data["options"]:
        if option["id"] == option_id:
            option["annual_cost"] = cost
            option["ranges"] = {}  # a hypothetical figure may lie outside the stated range
    return Programme.model_validate(data)


def exception_recommended(
    programme: Programme,
    rules: RuleSet,
    exception: str,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> bool:
    table = score(programme, rules, method=method, weights=weights)
    rows = table.exceptions[table.exceptions["option"] == exception]
    return bool(len(rows)) and rows["verdict"].iloc[0] == "recommended by exception"


def recommended_by_exception(
    programme: Programme,
    rules: RuleSet,
    exception: str,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
    options: pd.DataFrame | None = None,
) -> bool:
    """:func:`exception_recommended` from the score arrays alone: an exception is recommended by
    exception when it is eligible and the MoU rule chooses it for its service (``recommend``'s
    "recommended by exception" verdict), asked of the same scores with no frame built.

    ``options`` is a score table's options frame of the same programme but for costs (the rows,
    services, providers and exception flags a cost does not change), so a bisection builds it once;
    eligibility and NPV are taken from the new scoring."""
    done = scored_arrays(programme, rules, method=method, weights=weights)
    if options is None:
        rows = done.table.rows
        options = pd.DataFrame(
            {
                "service": [s.id for s, _ in rows],
                "option": [o.id for _, o in rows],
                "provider": [o.provider for _, o in rows],
                "exception": done.columns["option.is_exception"],
            }
        )
    listed = {s.id for s in programme.services}
    service_of, exceptional = options["service"].to_numpy(), options["exception"].to_numpy(dtype=bool)
    for r in np.flatnonzero(options["option"].to_numpy() == exception):
        service = str(service_of[r])
        if service not in listed or not (exceptional[r] and done.eligible[r]):
            continue
        npv = np.asarray(done.columns["option.npv"], dtype=float)[:, None]
        choice = mou_choice(programme, options, done.scores[:, None], done.eligible[:, None], npv)
        return bool(choice.chosen[service][0] == r)
    return False


def _bisect(flipped: Callable[[float], bool], inside: float, outside: float, tolerance: float) -> float:
    """The cost nearest ``inside`` at which ``flipped`` holds, given it holds at ``outside`` only."""
    while abs(outside - inside) > tolerance:
        middle = (inside + outside) / 2
        if flipped(middle):
            outside = middle
        else:
            inside = middle
    return outside


def switching_values(
    programme: Programme,
    rules: RuleSet,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
    tolerance: float = 1.0,
) -> list[SwitchingValue]:
    table = score(programme, rules, method=method, weights=weights)
    frame = table.options
    out = []
    for _, row in table.exceptions.iterrows():
        exception, benchmark = str(row["option"]), row["benchmark_option"]
        now = row["verdict"] == "recommended by exception"
        service = programme.service(str(row["service"]))
        for subject, role in ((exception, "exception"), (benchmark, "benchmark")):
            if subject is None or not isinstance(subject, str):
                continue
            current = programme.option(subject).annual_cost

            def flipped(
                cost: float, subject: str = subject, exception: str = exception, now: bool = now
            ) -> bool:
                changed = _with_cost(programme, subject, cost)
                return recommended_by_exception(changed, rules, exception, method, weights, frame) != now

            # a cheaper exception or a dearer default provider favours the exception
            lowering_flips = (role == "exception") != now
            limit = 0.0 if lowering_flips else max(current, service.annual_cost) * 3
            switching = _bisect(flipped, current, limit, tolerance) if flipped(limit) else None
            out.append(SwitchingValue(service.id, exception, subject, role, now, current, switching))
    return out
