"""Funding sources: grants, partners' contributions and capitalisation directions by financial year.

What each kind means, the same money in every output and objective:

- a **grant** is income to the partnership in its year, shared by its receivers (``to``); it raises
  the programme's NPV and each receiver's, and adds to that year's one-off budget;
- a **contribution** moves money from ``from_partner`` to its receivers: the payer's NPV falls by
  what the receivers' rises, the programme's is unchanged, and the budget is not raised (the money
  was the partnership's already);
- a **capitalisation direction** changes no NPV: up to its amount of the year's one-off costs is met
  from capital rather than revenue; it adds to that year's one-off budget.

Receivers by default: equally among the client councils (owners and partners with a share) of the
services the source names, else among all partners; a contribution's payer never receives its own.
Funding is unconditional (it does not depend on the plan), so to the optimiser it is a constant.
Money arrives evenly over its financial year's twelve months (only payback sees the month).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from engine.programme.calendar import FY_KEY

if TYPE_CHECKING:
    from engine.programme.checks import Loc, Problem
    from engine.programme.model import FundingSource, Programme


def recipients(programme: Programme, source: FundingSource) -> dict[str, float]:
    """Who receives ``source`` and in what shares (nobody for a capitalisation direction)."""
    if source.kind == "capitalisation":
        return {}
    if source.to:
        return dict(source.to)
    clients: list[str] = []
    services = {s.id: s for s in programme.services}
    for sid in source.services:
        if sid in services:
            service = services[sid]
            clients += [p for p in (service.owner, *service.shares) if p not in clients]
    pool = clients or [p.id for p in programme.partners]
    pool = [p for p in pool if p != source.from_partner]
    return {p: 1 / len(pool) for p in pool}


def year_index(programme: Programme, fy: str) -> int:
    """Appraisal year of financial year ``fy`` (0: the year the programme starts in)."""
    start = programme.horizon.start
    first = start.year if start.month >= 4 else start.year - 1
    return int(fy[:4]) - first


def _by_year(programme: Programme, kinds: tuple[str, ...]) -> dict[str, float]:
    """The amounts of the sources of ``kinds``, added up by financial year."""
    out: dict[str, float] = defaultdict(float)
    for source in programme.funding:
        if source.kind in kinds:
            for fy, amount in source.amounts.items():
                out[fy] += amount
    return dict(out)


def income_by_year(programme: Programme) -> dict[str, float]:
    """The partnership's income by financial year: its grants (contributions cancel out)."""
    return _by_year(programme, ("grant",))


def receipts_by_partner(programme: Programme) -> dict[str, dict[str, float]]:
    """Each partner's net receipts by financial year: grants and contributions received, less
    contributions paid."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for source in programme.funding:
        for partner, share in recipients(programme, source).items():
            for fy, amount in source.amounts.items():
                out[partner][fy] += share * amount
        if source.kind == "contribution" and source.from_partner:
            for fy, amount in source.amounts.items():
                out[source.from_partner][fy] -= amount
    return {p: dict(years) for p, years in out.items()}


def budget_relief(programme: Programme) -> dict[str, float]:
    """What funding adds to each financial year's one-off budget: grants and capitalisation
    directions (a contribution moves money between partners and raises nothing)."""
    return _by_year(programme, ("grant", "capitalisation"))


def capitalisation_by_year(programme: Programme) -> dict[str, float]:
    """The one-off costs each financial year may meet from capital."""
    return _by_year(programme, ("capitalisation",))


# ------------------------------------------------------------------------------ checks
def check_funding(p: Programme, refs: Any) -> list[Problem]:
    """Each source's id is unique, its years are financial years of the horizon, its payer and
    receivers are known partners as its kind requires, its shares add up to 1 and its services
    are known."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, source in enumerate(p.funding):
        at: Loc = ("funding", i)
        if source.id.lower() in seen:
            problems.append(((*at, "id"), f"funding source id `{source.id}` is used twice"))
        seen.add(source.id.lower())
        who = f"funding source `{source.id}`"
        years = p.horizon.financial_years()
        for fy in source.amounts:
            if not FY_KEY.match(fy) or fy not in years:
                problems.append(
                    (
                        (*at, "amounts", fy),
                        f"{who}: year `{fy}` is not a financial year of the horizon; "
                        f"expected one of {', '.join(years)}",
                    )
                )
        problems += _payer(source, at, who, refs)
        for partner in source.to:
            problems += refs.check((*at, "to", partner), partner, refs.partners, "partner", who)
        for j, service in enumerate(source.services):
            problems += refs.check((*at, "services", j), service, refs.services, "service", who)
        problems += _receivers(p, source, at, who)
    return problems


def _payer(source: FundingSource, at: Loc, who: str, refs: Any) -> list[Problem]:
    """A contribution names the partner who pays; a grant or capitalisation direction names none."""
    if source.kind == "contribution":
        if source.from_partner is None:
            return [
                ((*at, "from_partner"), f"{who}: a contribution names `from_partner`, the partner who pays")
            ]
        return list(refs.check((*at, "from_partner"), source.from_partner, refs.partners, "partner", who))
    if source.from_partner is not None:
        return [
            (
                (*at, "from_partner"),
                f"{who}: a {source.kind} comes from outside the partnership; only a contribution "
                "names `from_partner`",
            )
        ]
    return []


def _receivers(p: Programme, source: FundingSource, at: Loc, who: str) -> list[Problem]:
    """``to`` adds up to 1 and leaves out the payer; a capitalisation direction has no receivers."""
    if source.kind == "capitalisation":
        if source.to:
            return [((*at, "to"), f"{who}: a capitalisation direction pays nobody; remove `to`")]
        return []
    if source.to:
        problems: list[Problem] = []
        total = sum(source.to.values())
        if abs(total - 1) > 1e-6:
            problems.append(((*at, "to"), f"{who}: the shares in `to` add up to {total:g}; expected 1"))
        if source.from_partner in source.to:
            problems.append(
                ((*at, "to", source.from_partner), f"{who}: the payer cannot receive its own contribution")
            )
        return problems
    if not recipients(p, source):
        return [((*at, "to"), f"{who}: nobody but the payer would receive it; name the receivers in `to`")]
    return []
