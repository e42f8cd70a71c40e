"""The three objectives.

value:    maximise Σ x[o,t] · gain_o · δ(t + d_o), the score gain over the status quo discounted by
          when the benefit starts (δ(k) = (1 + r)^(−k·months/12), r the Green Book rate).
savings:  maximise Σ x[o,t] · (annual saving_o · years left after t + d_o − one-off cost_o).
makespan: minimise C, the end of the last transition.
"""

from __future__ import annotations

import pulp

from engine.optimise.model import Model


def set_objective(model: Model) -> None:
    instance = model.instance
    if instance.settings.objective == "makespan":
        assert model.makespan is not None
        model.problem.setObjective(model.makespan)
        return
    terms = [(var, instance.value(model.jobs[option], t)) for (option, t), var in model.start.items()]
    model.problem.setObjective(pulp.lpSum(c * v for v, c in terms if c))
