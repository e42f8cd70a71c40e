"""Seeded generator of realistic random programmes, for property tests and benchmarks.

Same seed, same programme.  Programmes are valid by construction: dependencies only point
forward in a random order (so no cycles), ids are unique, profiles match durations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from engine.programme.calendar import add_months
from engine.programme.model import DeliveryModel, DependencyKind, PartnerKind, Programme, Risk

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
# hand_back needs a shared service and its owner as provider: never drawn (seeds keep their programmes)
MODELS = [m for m in get_args(DeliveryModel) if m not in ("status_quo", "in_house", "hand_back")]
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
    kinds_and_membership: bool = False,
    staged: bool = False,
) -> dict[str, Any]:
    """Plain data for a random programme (what a YAML file would hold).

    Every draw comes from one ``random.Random(seed)``, taken by the helpers below in a fixed
    order (horizon, partners, services with their options, dependencies, pools, policies), so the
    order of the calls here is part of what a seed means: reordering them changes every programme.
    ``kinds_and_membership`` (opt-in) then draws a kind for every dependency and membership dates
    for some partners, after every other draw, so a seed's programme without it is unchanged.
    ``staged`` (opt-in, drawn last) adds to some services a later stage that follows one of their
    options after a gap, its path fitting the horizon.
    """
    rng = random.Random(seed)
    quarterly = rng.random() < 0.25 if quarterly is None else quarterly
    start = date(rng.randint(2010, 2030), rng.randint(1, 12), 1)
    horizon = {"start": start, "period": "quarter" if quarterly else "month", "periods": periods}
    partner_ids, partner_list = _partners(rng, partners)
    pool_ids = [f"r{i}" for i in range(pools)]
    shape = _Shape(start, periods, quarterly, partner_ids, pool_ids)
    service_list: list[dict[str, Any]] = []
    option_list: list[dict[str, Any]] = []
    for i in range(services):
        service = _service(rng, shape, i)
        service_list.append(service)
        count = rng.randint(min(min_options, options_per_service), options_per_service)
        option_list.extend(_option(rng, shape, service, j) for j in range(count))
    data: dict[str, Any] = {
        "id": f"random-{seed}",
        "name": f"Random programme {seed}",
        "horizon": horizon,
        "partners": partner_list,
        "services": service_list,
        "options": option_list,
        "dependencies": _dependencies(rng, services, dependency_density),
        "resources": [_pool(rng, shape, k, capacity) for k in range(pools)],
    }
    data.update(_policies(rng, partner_ids))
    if kinds_and_membership:
        _kinds_and_membership(rng, shape, data)
    if staged:
        _stages(rng, shape, data)
    return data


@dataclass(frozen=True)
class _Shape:
    """What every record of one generated programme is drawn against: its calendar and its ids."""

    start: date
    periods: int
    quarterly: bool
    partner_ids: list[str]
    pool_ids: list[str]

    @property
    def months(self) -> int:
        return self.periods * (3 if self.quarterly else 1)


def _partners(rng: random.Random, partners: int) -> tuple[list[str], list[dict[str, Any]]]:
    """At least two partners: p0 is a city (the client of exceptions), p1 the county that is the
    default provider, so every generated programme has a client and a default provider."""
    partner_ids = [f"p{i}" for i in range(max(2, partners))]
    partner_list: list[dict[str, Any]] = [
        {"id": pid, "name": f"Partner {i}", "kind": rng.choice(KINDS)} for i, pid in enumerate(partner_ids)
    ]
    partner_list[0]["kind"] = "city"
    partner_list[1].update(kind="county", default_provider=True)
    return partner_ids, partner_list


def _service(rng: random.Random, shape: _Shape, i: int) -> dict[str, Any]:
    """Service ``s{i}``, with the occasional optional field (out of scope, a contract end, an
    exempt cost, illustrative figures) so property tests meet them."""
    service: dict[str, Any] = {
        "id": f"s{i}",
        "name": f"{SERVICE_NAMES[i % len(SERVICE_NAMES)]} {i}",
        "owner": shape.partner_ids[0] if rng.random() < 0.9 else rng.choice(shape.partner_ids),
        "area": "back_office" if rng.random() < 0.8 else "front_line",
        "annual_cost": float(rng.randrange(20, 2000) * 1000),
        "fte": round(rng.uniform(0, 40), 1),
        "statutory": rng.random() < 0.2,
    }
    if rng.random() < 0.1:
        service["in_scope"] = False
    if rng.random() < 0.1:
        service["contract_end"] = add_months(shape.start, rng.randrange(shape.months))
    if rng.random() < 0.1:
        service["exempt"] = ["annual_cost"]
    if rng.random() < 0.3:
        service["illustrative"] = True
    return service


def _option(rng: random.Random, shape: _Shape, service: dict[str, Any], j: int) -> dict[str, Any]:
    """Option ``j`` of ``service``: the first is always offered by the default provider (p1), so
    no generated option is an exception unless drawn so; its demand profile matches its duration."""
    duration = rng.randint(1, max(1, min(8, shape.periods // 3)))
    demand = _demand(rng, shape.pool_ids, duration)
    option: dict[str, Any] = {
        "id": f"{service['id']}-o{j}",
        "service": service["id"],
        "provider": shape.partner_ids[1] if j == 0 else rng.choice(shape.partner_ids[1:]),
        "model": rng.choice(MODELS),
        "one_off_cost": float(rng.randrange(0, 300) * 1000),
        "annual_cost": round(service["annual_cost"] * rng.uniform(0.6, 1.05), 2),
        "duration": duration,
        "demand": demand,
        "risk": rng.choice(RISKS),
        "attributes": {"outcome": rng.randint(1, 5), "resilience": rng.randint(1, 5)},
    }
    if rng.random() < 0.15:
        option["earliest_start"] = add_months(shape.start, rng.randrange(shape.months // 2 + 1))
    if rng.random() < 0.15:
        option["exempt"] = ["annual_cost", "one_off_cost"]
    return option


def _demand(rng: random.Random, pool_ids: list[str], duration: int) -> dict[str, Any]:
    """Demand on a random subset of the pools: mostly a flat amount per period, sometimes a
    per-period profile (which may hold zeros) of exactly ``duration`` entries."""
    demand: dict[str, Any] = {}
    for used in rng.sample(pool_ids, k=rng.randint(0, len(pool_ids))):
        if rng.random() < 0.3:
            demand[used] = [float(rng.randint(0, 6)) for _ in range(duration)]
        else:
            demand[used] = float(rng.randint(1, 6))
    return demand


def _dependencies(rng: random.Random, services: int, density: float) -> list[dict[str, Any]]:
    """Dependencies that only point forward in a shuffled order of the services, so there is never
    a cycle; the density is scaled down for large programmes to keep about as many per service."""
    order = list(range(services))
    rng.shuffle(order)
    dependencies = []
    for a in range(services):
        for b in range(a + 1, services):
            if rng.random() < density / max(1, services / 10):
                dependencies.append(
                    {
                        "before": f"s{order[a]}",
                        "after": f"s{order[b]}",
                        "lag": rng.choice([0, 0, 1]),
                        "reason": "generated",
                    }
                )
    return dependencies


def _pool(rng: random.Random, shape: _Shape, k: int, capacity: tuple[int, int]) -> dict[str, Any]:
    """Pool ``r{k}``: a capacity drawn from ``capacity``, sometimes overridden in two periods and
    sometimes funded in tranches, so the windows and funding code see both shapes."""
    pool: dict[str, Any] = {
        "id": shape.pool_ids[k],
        "name": f"Resource {k}",
        "unit": "days",
        "capacity": float(rng.randint(*capacity)),
    }
    if rng.random() < 0.5:
        step = 3 if shape.quarterly else 1
        pool["overrides"] = {
            f"{add_months(shape.start, t * step):%Y-%m}": float(rng.randint(0, 10))
            for t in rng.sample(range(shape.periods), k=min(2, shape.periods))
        }
    if rng.random() < 0.5:
        pool["funding"] = [{"by": [shape.partner_ids[1]], "first": 20.0}, {"by": shape.partner_ids[:2]}]
    return pool


def _policies(rng: random.Random, partner_ids: list[str]) -> dict[str, Any]:
    """The exception policy always; a one-off budget and a consensus rule sometimes."""
    policies: dict[str, Any] = {
        "exception_policy": {
            "client": partner_ids[0],
            "margin": round(rng.uniform(0, 0.2), 3),
            "final_decision": "Partner 0 Cabinet",
        }
    }
    if rng.random() < 0.5:
        policies["budget"] = {"per_financial_year": float(rng.randrange(100, 2000) * 1000)}
    if rng.random() < 0.3:
        policies["consensus"] = {"partners": partner_ids[:3] if len(partner_ids) > 2 else partner_ids}
    return policies


DEPENDENCY_KINDS = list(get_args(DependencyKind))


def _kinds_and_membership(rng: random.Random, shape: _Shape, data: dict[str, Any]) -> None:
    """In place: each dependency's kind (go-live-together without a lag); for each partner but
    the client, sometimes a joining date in the first half of the horizon and sometimes a
    leaving date in the second (so it joins before it leaves)."""
    for dependency in data["dependencies"]:
        dependency["kind"] = rng.choice(DEPENDENCY_KINDS)
        if dependency["kind"] == "go_live_together":
            dependency["lag"] = 0
    half = shape.months // 2
    for partner in data["partners"][1:]:
        if rng.random() < 0.3:
            partner["joins"] = add_months(shape.start, rng.randrange(half + 1))
        if rng.random() < 0.3:
            partner["leaves"] = add_months(shape.start, rng.randrange(half + 1, shape.months + 1))


def _stages(rng: random.Random, shape: _Shape, data: dict[str, Any]) -> None:
    """In place: for about a third of the services, a second stage following one of its options
    (by any provider but the client, cheaper to run still), after a gap of up to a quarter of the
    horizon, only where the whole path fits."""
    first_options: dict[str, list[dict[str, Any]]] = {}
    for option in data["options"]:
        first_options.setdefault(option["service"], []).append(option)
    for service in data["services"]:
        earlier_options = first_options.get(service["id"], [])
        if not earlier_options or rng.random() >= 0.35:
            continue
        earlier = rng.choice(earlier_options)
        duration = rng.randint(1, max(1, min(4, shape.periods // 4)))
        gap = rng.randint(0, max(0, shape.periods // 4))
        if earlier["duration"] + gap + duration > shape.periods:
            continue
        data["options"].append(
            {
                "id": f"{earlier['id']}-then",
                "service": service["id"],
                "provider": rng.choice(shape.partner_ids[1:]),
                "model": rng.choice(MODELS),
                "one_off_cost": float(rng.randrange(0, 200) * 1000),
                "annual_cost": round(earlier["annual_cost"] * rng.uniform(0.7, 1.0), 2),
                "duration": duration,
                "demand": _demand(rng, shape.pool_ids, duration),
                "follows": earlier["id"],
                "stage_gap": gap,
                "attributes": {"outcome": rng.randint(1, 5), "resilience": rng.randint(1, 5)},
            }
        )


def random_programme(seed: int, **kwargs: Any) -> Programme:
    return Programme.model_validate(random_programme_data(seed, **kwargs))


def seeded_programme(services: int, seed: int = 2015) -> Programme:
    """The what-if bench's shape (``bench/whatif.py``, ``bench/general.py``, and the tests that need
    a programme of a given size): 3 options a service, 36 months, 3 pools whose capacity grows with
    the number of services, dependencies at 15 %."""
    scale = max(1, services // 10)
    return random_programme(
        seed,
        services=services,
        options_per_service=3,
        min_options=3,
        periods=36,
        pools=3,
        dependency_density=0.15,
        quarterly=False,
        capacity=(6 * scale, 20 * scale),
    )
