"""What a plan is asked for: the objective, limits, fixed and forced choices."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.programme.model import Record
from engine.programme.money import Appraisal

Objective = Literal["value", "savings", "makespan", "maxmin"]
MAXMIN_TIE_BREAK = 1e-6  # weight of the total in the max-min objective: it only separates equal minima


class PlanSettings(Record):
    """What-if controls for one optimisation run."""

    objective: Objective = "value"
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: float = Field(30.0, gt=0, le=86400, description="seconds")
    gap: float = Field(1e-4, ge=0, le=1, description="relative gap at which to stop")
    appraisal: Appraisal = Field(
        default_factory=Appraisal,
        description="how money and value are discounted: every objective and the finance use it",
    )
    force_in: tuple[str, ...] = Field((), description="services that must change")
    force_out: tuple[str, ...] = Field((), description="services kept as they are")
    fix_option: dict[str, str] = Field(default_factory=dict, description="service → option")
    fix_provider: dict[str, str] = Field(default_factory=dict, description="service → partner")
    max_concurrent: int | None = Field(None, ge=1, description="overrides the programme's setting")
    horizon: int | None = Field(None, ge=1, description="periods to plan in (default: the programme's)")
    consensus: bool = Field(False, description="every consenting partner no worse off than the status quo")
