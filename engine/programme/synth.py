"""Seeded generator of realistic random programmes, for property tests and benchmarks.

Same seed, same programme.  Programmes are valid by construction: dependencies only point
forward in a random order (so no cycles), ids are unique, profiles match durations.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, get_args

from engine.programme.calendar import add_months
from engine.programme.model import DeliveryModel, PartnerKind, Programme, Risk

SERVICE_NAMES = [
    "Audit",
    "HR",
    "Payroll",
    "ICT",
    "Finance",
    "Communications",
    "Property",
    "Legal",
    "Procurement",
    "Revenues",
    "Benefits",
    "Customer Access",
    "Building Control",
    "Licensing",
    "Waste",
    "Planning",
    "Democratic Services",
    "Emergency Planning",
    "Fleet",
    "Insurance",
]
# The model's own Literals, in the model's order (the seeded choices depend on it, so a new value
# there changes every generated programme): the delivery models a generated change may take (never
# the status quo or in-house), every kind of partner, every risk level.
MODELS = [m for m in get_args(DeliveryModel) if m not in ("status_quo", "in_house")]
KINDS = list(get_args(PartnerKind))
RISKS = list(get_args(Risk))


def random_programme_data(
    seed: int,
    services: int = 10,
    options_per_service: int = 3,
    periods: int = 24,
    pools: int = 3,
    partners: int = 4,
    dependency_density: float = 0.15,
    quarterly: bool | None = None,
    min_options: int = 1,
    capacity: tuple[int, int] = (6, 20),
) -> dict[str, Any]:
    """Plain data for a random programme (what a YAML file would hold)."""
    rng = random.Random(seed)
    quarterly = rng.random() < 0.25 if quarterly is None else quarterly
    start = date(rng.randint(2010, 2030), rng.randint(1, 12), 1)
    horizon = {"start": start, "period": "quarter" if quarterly else "month", "periods": periods}
    partner_ids = [f"p{i}" for i in range(max(2, partners))]
    partner_list: list[dict[str, Any]] = [
        {"id": pid, "name": f"Partner {i}", "kind": rng.choice(KINDS)} for i, pid in enumerate(partner_ids)
    ]
    partner_list[0]["kind"] = "city"
    partner_list[1].update(kind="county", default_provider=True)
    pool_ids = [f"r{i}" for i in range(pools)]
    months = periods * (3 if quarterly else 1)
    service_list, option_list = [], []
    for i in range(services):
        sid = f"s{i}"
        service: dict[str, Any] = {
            "id": sid,
            "name": f"{SERVICE_NAMES[i % len(SERVICE_NAMES)]} {i}",
            "owner": partner_ids[0] if rng.random() < 0.9 else rng.choice(partner_ids),
            "area": "back_office" if rng.random() < 0.8 else "front_line",
            "annual_cost": float(rng.randrange(20, 2000) * 1000),
            "fte": round(rng.uniform(0, 40), 1),
            "statutory": rng.random() < 0.2,
        }
        if rng.random() < 0.1:
            service["in_scope"] = False
        if rng.random() < 0.1:
            service["contract_end"] = add_months(start, rng.randrange(months))
        if rng.random() < 0.1:
            service["exempt"] = ["annual_cost"]
        if rng.random() < 0.3:
            service["illustrative"] = True
        service_list.append(service)
        for j in range(rng.randint(min(min_options, options_per_service), options_per_service)):
            duration = rng.randint(1, max(1, min(8, periods // 3)))
            demand: dict[str, Any] = {}
            for used in rng.sample(pool_ids, k=rng.randint(0, len(pool_ids))):
                if rng.random() < 0.3:
                    demand[used] = [float(rng.randint(0, 6)) for _ in range(duration)]
                else:
                    demand[used] = float(rng.randint(1, 6))
            option: dict[str, Any] = {
                "id": f"{sid}-o{j}",
                "service": sid,
                "provider": partner_ids[1] if j == 0 else rng.choice(partner_ids[1:]),
                "model": rng.choice(MODELS),
                "one_off_cost": float(rng.randrange(0, 300) * 1000),
                "annual_cost": round(service["annual_cost"] * rng.uniform(0.6, 1.05), 2),
                "duration": duration,
                "demand": demand,
                "risk": rng.choice(RISKS),
                "attributes": {"outcome": rng.randint(1, 5), "resilience": rng.randint(1, 5)},
            }
            if rng.random() < 0.15:
                option["earliest_start"] = add_months(start, rng.randrange(months // 2 + 1))
            if rng.random() < 0.15:
                option["exempt"] = ["annual_cost", "one_off_cost"]
            option_list.append(option)
    order = list(range(services))
    rng.shuffle(order)
    dependencies = []
    for a in range(services):
        for b in range(a + 1, services):
            if rng.random() < dependency_density / max(1, services / 10):
                dependencies.append(
                    {
                        "before": f"s{order[a]}",
                        "after": f"s{order[b]}",
                        "lag": rng.choice([0, 0, 1]),
                        "reason": "generated",
                    }
                )
    resources = []
    for k, pid in enumerate(pool_ids):
        pool: dict[str, Any] = {
            "id": pid,
            "name": f"Resource {k}",
            "unit": "days",
            "capacity": float(rng.randint(*capacity)),
        }
        if rng.random() < 0.5:
            pool["overrides"] = {
                f"{add_months(start, t * (3 if quarterly else 1)):%Y-%m}": float(rng.randint(0, 10))
                for t in rng.sample(range(periods), k=min(2, periods))
            }
        if rng.random() < 0.5:
            pool["funding"] = [{"by": [partner_ids[1]], "first": 20.0}, {"by": partner_ids[:2]}]
        resources.append(pool)
    data: dict[str, Any] = {
        "id": f"random-{seed}",
        "name": f"Random programme {seed}",
        "horizon": horizon,
        "partners": partner_list,
        "services": service_list,
        "options": option_list,
        "dependencies": dependencies,
        "resources": resources,
        "exception_policy": {
            "client": partner_ids[0],
            "margin": round(rng.uniform(0, 0.2), 3),
            "final_decision": "Partner 0 Cabinet",
        },
    }
    if rng.random() < 0.5:
        data["budget"] = {"per_financial_year": float(rng.randrange(100, 2000) * 1000)}
    if rng.random() < 0.3:
        data["consensus"] = {"partners": partner_ids[:3] if len(partner_ids) > 2 else partner_ids}
    return data


def random_programme(seed: int, **kwargs: Any) -> Programme:
    return Programme.model_validate(random_programme_data(seed, **kwargs))
