"""Switching values for the exception decisions: how far a cost must move to flip the verdict.

For each option of another partner that the MoU's exception rule judged, we ask: by how much
would that partner's annual running cost have to change, or that of the option it is measured
against (the expected provider's: a lead council's or the default provider's), for the
verdict (recommended by exception or not) to flip?  Scores are normalised across the programme,
so the answer is found by re-scoring, bisecting on the cost to within £1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.programme.model import Programme
from engine.rules.ruleset import RuleSet
from engine.scoring.scores import score


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
                return exception_recommended(changed, rules, exception, method, weights) != now

            # a cheaper exception or a dearer default provider favours the exception
            lowering_flips = (role == "exception") != now
            limit = 0.0 if lowering_flips else max(current, service.annual_cost) * 3
            switching = _bisect(flipped, current, limit, tolerance) if flipped(limit) else None
            out.append(SwitchingValue(service.id, exception, subject, role, now, current, switching))
    return out
