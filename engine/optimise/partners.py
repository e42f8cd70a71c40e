"""Each partner's money in the model: the same NPV as the finance's ``by_partner`` column.

A partner's money from a plan is its share of every change's NPV (the change's own days left out
where a pool is paid by funding tranches) less what it pays for the days of funded pools.
Tranches fill in the order days are used, so "the County funds the first 20 consultancy days"
makes the County's cost min(U_t, 20) — U_t the days used up to period t — which is not linear.
It is modelled exactly with one binary per period and threshold (b = 1 once the tranche is used
up):

    G_t ≤ U_t,  G_t ≤ C,  G_t ≥ U_t − M·b_t,  G_t ≥ C·b_t        so that G_t = min(U_t, C),

and a tranche's days in period t are the change in G between t − 1 and t.  An open last tranche
takes U_t − G_t.  Money in period t is discounted by that period's Green Book factor.
"""

from __future__ import annotations

from typing import cast

import pulp

from engine.optimise.model import Model, affine
from engine.programme.money import funded_pools, period_discounts


def partner_money(model: Model, partner: str) -> pulp.LpAffineExpression:
    """``partner``'s NPV from the plan as a linear expression of the model's variables."""
    instance = model.instance
    terms = [(var, instance.partner_value(model.jobs[o], t, partner)) for (o, t), var in model.start.items()]
    money = affine(terms)
    for pool in funded_pools(instance.programme):
        money -= _tranche_cost(model, pool, partner)
    return money


def _cumulative_days(model: Model, pool: str) -> list[pulp.LpAffineExpression]:
    """U_t, the pool's days used in periods 0..t, for every period of the plan."""
    cache = model.cache.setdefault(f"cumulative[{pool}]", {})
    if not cache:
        instance = model.instance
        used: list[pulp.LpAffineExpression] = []
        running = pulp.LpAffineExpression()
        users = [job for job in instance.all_jobs() if pool in job.option.demand]
        for t in range(instance.periods):
            today = affine((var, job.demand(pool)[k]) for job in users for k, var in model.running(job, t))
            cumulative = model.problem.add_variable(model.name(f"used[{pool}][..{t}]"), lowBound=0)
            model.add(cumulative == running + today, f"used[{pool}][..{t}]", f"days of {pool} used to {t}")
            running = pulp.LpAffineExpression(cumulative)
            used.append(running)
        cache["days"] = used
    return cast(list[pulp.LpAffineExpression], cache["days"])


def _capped(model: Model, pool: str, ceiling: float) -> list[pulp.LpAffineExpression]:
    """G_t = min(U_t, ceiling) for every period, exactly (one binary a period)."""
    cache = model.cache.setdefault(f"capped[{pool}]", {})
    if ceiling in cache:
        return cast(list[pulp.LpAffineExpression], cache[ceiling])
    instance = model.instance
    days = _cumulative_days(model, pool)
    most = sum(
        max(sum(job.demand(pool)) for job in jobs) for jobs in instance.jobs.values()
    )  # U_t never exceeds every service's largest use
    out = []
    for t, used in enumerate(days):
        label = f"tranche[{pool}][{ceiling:g}][{t}]"
        capped = model.problem.add_variable(model.name(f"min{label}"), lowBound=0, upBound=ceiling)
        full = model.problem.add_variable(model.name(f"full{label}"), cat=pulp.LpBinary)
        model.add(capped <= used, f"below_used{label}", "a tranche covers no more than the days used")
        model.add(capped >= used - most * full, f"all_used{label}", "until full, a tranche covers every day")
        model.add(capped >= ceiling * full, f"full{label}", "once full, a tranche covers its days")
        out.append(pulp.LpAffineExpression(capped))
    cache[ceiling] = out
    return out


def _tranche_cost(model: Model, pool_id: str, partner: str) -> pulp.LpAffineExpression:
    """What ``partner`` pays, discounted, for the days of a funded pool."""
    instance = model.instance
    pool = instance.programme.resource(pool_id)
    if not any(partner in tranche.by for tranche in pool.funding):
        return pulp.LpAffineExpression()
    factors = period_discounts(instance.programme, instance.settings.appraisal, instance.periods)
    days = _cumulative_days(model, pool_id)
    cost = pulp.LpAffineExpression()
    floor: list[pulp.LpAffineExpression] = [pulp.LpAffineExpression() for _ in days]
    ceiling_total = 0.0
    for tranche in pool.funding:
        if tranche.first is None:
            top = days
        else:
            ceiling_total += tranche.first
            top = _capped(model, pool_id, ceiling_total)
        if partner in tranche.by:
            share = (pool.unit_cost or 0.0) / len(tranche.by)
            for t in range(len(days)):
                covered = top[t] - floor[t]
                before = top[t - 1] - floor[t - 1] if t else pulp.LpAffineExpression()
                cost += share * float(factors[t]) * (covered - before)
        floor = top
    return cost
