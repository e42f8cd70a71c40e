"""The objectives.

value:    maximise Σ x[o,t] · gain_o · δ(t + d_o), the score gain over the status quo discounted by
          when it starts: δ(k) is the mean Green Book factor (the finance's annual schedule) of
          the appraisal years that follow period k, the months the finance counts savings over.
savings:  maximise Σ x[o,t] · NPV_o(t), each change's net present value over its appraisal life
          when started at t (one-off cost with optimism bias, costed days, savings for the
          appraisal years after completion: the finance's own money, :mod:`engine.programme.money`), so the
          objective is the plan's NPV.
maxmin:   maximise z, with z ≤ each consenting partner's NPV from the plan (the Leaders' Board's
          view: the worst-off partner as well off as possible), then the total as a tie-break.

Funding (grants, contributions) does not depend on the plan: it is a constant F (savings) or F_p
in each partner's row (max-min).  Solvers do not all report an objective's constant, so it stays
out of the solver's objective and :func:`engine.optimise.run.translate` adds it
(``Instance.objective_offset``) to the value and the bound.
makespan: minimise C, the end of the last transition.
"""

from __future__ import annotations

from engine.optimise.model import Model, affine
from engine.optimise.partners import partner_money
from engine.plan.settings import MAXMIN_TIE_BREAK
from engine.programme.partners import consenting_partners


def set_objective(model: Model) -> None:
    instance = model.instance
    if instance.settings.objective == "makespan":
        assert model.makespan is not None
        model.problem.setObjective(model.makespan)
        return
    terms = [(var, instance.value(model.jobs[option], t)) for (option, t), var in model.start.items()]
    total = affine(terms)
    if instance.settings.objective != "maxmin":
        model.problem.setObjective(total)
        return
    worst = model.problem.add_variable("worst_off_partner")
    for partner in consenting_partners(instance.programme):
        share = partner_money(model, partner) + instance.partner_funding(partner)
        model.add(worst <= share, f"worst[{partner}]", f"the worst-off partner gains no more than {partner}")
    model.problem.setObjective(worst + MAXMIN_TIE_BREAK * total)
