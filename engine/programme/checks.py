"""Cross-reference checks of a Programme: every problem found, each with its location.

Locations are pydantic-style paths (``("options", 3, "provider")``) so that the loaders can map
them back to a YAML line or a workbook cell.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from engine.base.partial import SetAside
from engine.programme.actuals import actual_problems
from engine.programme.calendar import FY_KEY
from engine.programme.funding import check_funding

if TYPE_CHECKING:
    from engine.programme.model import DeliveryOption, ExceptionPolicy, Programme, Service

Loc = tuple[str | int, ...]


Problem = tuple[Loc, str]


def cross_check(p: Programme, set_aside: SetAside | None = None) -> list[Problem]:
    """Every reference and consistency problem; ``set_aside`` names records with field problems
    (already reported), so a reference to one of them is not called unknown.

    One checker per section of the programme, in the order the problems are reported; the cycle
    check runs only when every reference before it is sound.
    """
    refs = _References(p, set_aside or SetAside())
    problems = _unique_ids(p, refs.aside)
    problems += _partners(p, refs)
    problems += _services(p, refs)
    problems += _options_and_status_quo(p, refs)
    problems += _hand_backs_and_stranded_costs(p, refs)
    problems += _stages(p, refs)
    problems += _dependencies(p, refs)
    if not problems:
        problems += _cycles(p)
    problems += _resources_and_funding(p, refs)
    problems += _budget(p)
    problems += _exception_policy(p, refs)
    problems += _consensus(p, refs)
    problems += _governance(p, refs)
    problems += _staff_and_risks(p, refs)
    problems += actual_problems(p, refs.aside.ids("options"))
    problems += check_funding(p, refs)
    return problems


class _References:
    """The ids a reference may name: those of the programme, and those of records set aside."""

    def __init__(self, p: Programme, aside: SetAside) -> None:
        self.aside = aside
        self.partners = {x.id for x in p.partners}
        self.services = {x.id: x for x in p.services}
        self.pools = {x.id for x in p.resources}
        self.also = {
            "partner": aside.ids("partners"),
            "service": aside.ids("services"),
            "resource": aside.ids("resources"),
        }

    def check(self, loc: Loc, value: str, known: Iterable[str], kind: str, owner: str) -> list[Problem]:
        """The unknown-reference problem of ``value`` (with a suggestion), if it names nothing."""
        if value not in known and value not in self.also[kind]:
            return [(loc, f"{owner} references unknown {kind} `{value}`{_suggest(value, known)}")]
        return []


def _unique_ids(p: Programme, aside: SetAside) -> list[Problem]:
    """Ids used twice, or differing only in case, among partners, services, resources and options."""
    problems = _duplicates("partners", [x.id for x in p.partners], "partner", aside)
    problems += _duplicates("services", [x.id for x in p.services], "service", aside)
    problems += _duplicates("resources", [x.id for x in p.resources], "resource", aside)
    problems += _duplicates("options", [x.id for x in p.options], "option", aside)
    return problems


def _partners(p: Programme, refs: _References) -> list[Problem]:
    """Each partner's owners are known partners and it joins before it leaves; at most one partner
    is the default provider."""
    problems: list[Problem] = []
    for i, partner in enumerate(p.partners):
        for j, owner in enumerate(partner.owners):
            problems += refs.check(
                ("partners", i, "owners", j), owner, refs.partners, "partner", f"partner `{partner.id}`"
            )
        if partner.joins and partner.leaves and partner.leaves <= partner.joins:
            problems.append(
                (
                    ("partners", i, "leaves"),
                    f"partner `{partner.id}` leaves ({partner.leaves}) on or before it joins "
                    f"({partner.joins}); expected joins before leaves",
                )
            )
    defaults = _default_providers(p)
    if len(defaults) > 1:
        problems.append(
            (("partners",), f"only one partner may be the default provider; found {', '.join(defaults)}")
        )
    return problems


def _default_providers(p: Programme) -> list[str]:
    """The ids of the partners marked as the default provider."""
    return [x.id for x in p.partners if x.default_provider]


def _services(p: Programme, refs: _References) -> list[Problem]:
    """Each service's owner, current provider and sharing partners are known; shares add up to 1."""
    problems: list[Problem] = []
    partners = refs.partners
    for i, service in enumerate(p.services):
        who = f"service `{service.id}`"
        problems += refs.check(("services", i, "owner"), service.owner, partners, "partner", who)
        for field in ("current_provider", "lead_provider"):
            value = getattr(service, field)
            if value is not None:
                problems += refs.check(("services", i, field), value, partners, "partner", who)
        for key in service.shares:
            problems += refs.check(("services", i, "shares", key), key, partners, "partner", who)
        if service.shares and abs(sum(service.shares.values()) - 1) > 1e-9:
            total = sum(service.shares.values())
            problems.append((("services", i, "shares"), f"{who} shares add up to {total:g}; expected 1"))
    return problems


def _options_and_status_quo(p: Programme, refs: _References) -> list[Problem]:
    """Each option names a known service, provider and pools and does not take the implicit
    status-quo id; a status-quo option is allowed, delivered by today's provider and one per
    service; a service that excludes the status quo has an option."""
    problems: list[Problem] = []
    implicit = {f"{s.id}-status-quo" for s in p.services}
    services = refs.services
    status_quo_seen: Counter[str] = Counter()
    for i, option in enumerate(p.options):
        who = f"option `{option.id}`"
        if option.id in implicit and not option.is_status_quo:
            problems.append((("options", i, "id"), f"{who} clashes with the implicit status-quo option id"))
        problems += refs.check(("options", i, "service"), option.service, services, "service", who)
        problems += refs.check(("options", i, "provider"), option.provider, refs.partners, "partner", who)
        for pool in option.demand:
            problems += refs.check(("options", i, "demand", pool), pool, refs.pools, "resource", who)
        owner_service = services.get(option.service)
        if option.is_status_quo and owner_service is not None:
            status_quo_seen[owner_service.id] += 1
            problems += _status_quo_option(i, option, owner_service)
    for service_id, count in status_quo_seen.items():
        if count > 1:
            problems.append(
                (("options",), f"service `{service_id}` has {count} status-quo options; expected at most 1")
            )
    for i, service in enumerate(p.services):
        if (
            not service.allow_status_quo
            and not any(o.service == service.id for o in p.options)
            and service.id not in refs.aside.values("options", "service")
        ):
            problems.append(
                (
                    ("services", i, "allow_status_quo"),
                    f"service `{service.id}` excludes the status quo but has no option",
                )
            )
    return problems


def _hand_backs_and_stranded_costs(p: Programme, refs: _References) -> list[Problem]:
    """A hand-back unwinds a service shared today (another partner provides it or has a share)
    and is written with the owner as provider; a stranded split names known partners and adds up
    to 1."""
    problems: list[Problem] = []
    for i, option in enumerate(p.options):
        who = f"option `{option.id}`"
        service = refs.services.get(option.service)
        if option.model == "hand_back" and service is not None:
            if not service.is_shared:
                problems.append(
                    (
                        ("options", i, "model"),
                        f"{who} hands back service `{service.id}`, which is not shared today "
                        f"(provided by its owner `{service.owner}` with no other partner's share)",
                    )
                )
            elif option.provider != service.owner:
                problems.append(
                    (
                        ("options", i, "provider"),
                        f"{who}: a hand-back is written with the service's owner `{service.owner}` as "
                        f"provider (each client council takes its part back), not `{option.provider}`",
                    )
                )
        for key in option.stranded_split:
            problems += refs.check(("options", i, "stranded_split", key), key, refs.partners, "partner", who)
        total = sum(option.stranded_split.values())
        if option.stranded_split and abs(total - 1) > 1e-9:
            problems.append(
                (("options", i, "stranded_split"), f"{who} stranded_split adds up to {total:g}; expected 1")
            )
    return problems


def _stages(p: Programme, refs: _References) -> list[Problem]:
    """A staged option follows another change of the same service (not the status quo, not
    itself, no cycle), and its whole path from the first stage fits the horizon."""
    problems: list[Problem] = []
    written = {o.id: o for o in p.options}
    implicit = {f"{s.id}-status-quo" for s in p.services}
    for i, option in enumerate(p.options):
        if option.follows is None:
            continue
        who, loc = f"option `{option.id}`", ("options", i, "follows")
        earlier = written.get(option.follows)
        if earlier is None:
            if option.follows in implicit:
                problems.append((loc, f"{who} follows the status quo; a stage follows an earlier change"))
            elif option.follows not in refs.aside.ids("options"):
                known = [o for o, x in written.items() if x.service == option.service and o != option.id]
                problems.append(
                    (loc, f"{who} follows unknown option `{option.follows}`{_suggest(option.follows, known)}")
                )
        elif earlier.id == option.id:
            problems.append((loc, f"{who} follows itself; a stage follows an earlier option"))
        elif earlier.service != option.service:
            problems.append(
                (
                    loc,
                    f"{who} follows `{earlier.id}`, an option of service `{earlier.service}`, not of "
                    f"`{option.service}`; a stage follows an earlier option of the same service",
                )
            )
        elif earlier.is_status_quo:
            problems.append(
                (loc, f"{who} follows the status quo `{earlier.id}`; a stage follows an earlier change")
            )
    if not problems:
        problems += _stage_paths(p)
    return problems


def _stage_paths(p: Programme) -> list[Problem]:
    """No chain of stages returns to itself; each path fits the horizon (references are sound)."""
    problems: list[Problem] = []
    written = {o.id: o for o in p.options}
    mpp = p.horizon.months_per_period
    for i, option in enumerate(p.options):
        if option.follows is None:
            continue
        seen, total, current = [option.id], option.duration, option
        while current.follows is not None and current.follows not in seen:
            total += current.stage_gap
            current = written[current.follows]
            seen.append(current.id)
            total += current.duration
        if current.follows is not None:
            loop = seen[seen.index(current.follows) :]
            if option.id in loop:  # reported once per option of the cycle, not for those leading to it
                cycle = " follows ".join(f"`{x}`" for x in [*loop, loop[0]])
                problems.append((("options", i, "follows"), f"stages follow each other in a cycle: {cycle}"))
        elif total > p.horizon.periods:
            problems.append(
                (
                    ("options", i, "stage_gap"),
                    f"option `{option.id}`: its stages from `{current.id}` with their gaps take {total} "
                    f"periods ({total * mpp} months); the horizon has only {p.horizon.periods}",
                )
            )
    return problems


def _status_quo_option(i: int, option: DeliveryOption, service: Service) -> list[Problem]:
    """A status-quo option (item ``i``) is allowed by its service and delivered by today's provider."""
    who = f"option `{option.id}`"
    if not service.allow_status_quo:
        return [(("options", i, "model"), f"{who}: service `{service.id}` does not allow the status quo")]
    if option.provider != service.provider_now:
        return [
            (
                ("options", i, "provider"),
                f"{who}: the status quo is delivered by `{service.provider_now}`, not `{option.provider}`",
            )
        ]
    return []


def _dependencies(p: Programme, refs: _References) -> list[Problem]:
    """Each dependency joins two known services and is listed once (a go-live-together pair in
    either order); a go-live-together dependency has no lag."""
    problems: list[Problem] = []
    seen_pairs: set[tuple[str, str]] = set()
    together: set[frozenset[str]] = set()
    for i, dep in enumerate(p.dependencies):
        who = f"dependency {dep.before} → {dep.after}"
        problems += refs.check(("dependencies", i, "before"), dep.before, refs.services, "service", who)
        problems += refs.check(("dependencies", i, "after"), dep.after, refs.services, "service", who)
        pair = frozenset((dep.before, dep.after))
        if (dep.before, dep.after) in seen_pairs or (dep.kind == "go_live_together" and pair in together):
            problems.append((("dependencies", i), f"{who} is listed twice"))
        seen_pairs.add((dep.before, dep.after))
        if dep.kind == "go_live_together":
            together.add(pair)
            if dep.lag:
                problems.append(
                    (
                        ("dependencies", i, "lag"),
                        f"{who}: services that go live together finish in the same period, so the "
                        f"lag must be 0, got {dep.lag}",
                    )
                )
    return problems


def acyclic(services: Iterable[str], pairs: Iterable[tuple[str, str]]) -> bool:
    """True when no dependency (``before``, ``after``) closes a loop: Kahn's algorithm takes each
    service once every service it waits for is taken.  A plain pass, so that reading a sound
    programme (the app's first page, ``ssplan validate``) does not import networkx (0.3 s) only to
    find no cycle.  A service only a dependency names is a node too."""
    waiting = dict.fromkeys(services, 0)
    after: dict[str, list[str]] = {}
    for before, later in pairs:
        waiting.setdefault(before, 0)
        waiting[later] = waiting.get(later, 0) + 1
        after.setdefault(before, []).append(later)
    ready = [service for service, count in waiting.items() if count == 0]
    taken = 0
    while ready:
        taken += 1
        for service in after.get(ready.pop(), []):
            waiting[service] -= 1
            if waiting[service] == 0:
                ready.append(service)
    return taken == len(waiting)


def _cycles(p: Programme) -> list[Problem]:
    """Every dependency cycle, located at the dependency that closes it (references must be sound)."""
    if acyclic((s.id for s in p.services), ((d.before, d.after) for d in p.dependencies)):
        return []
    from engine.programme import graph  # networkx only when the references are sound and a cycle is possible

    g = graph.build(
        [s.id for s in p.services], ((d.before, d.after, d.lag, d.reason, d.kind) for d in p.dependencies)
    )
    edge_index = {(d.before, d.after): i for i, d in enumerate(p.dependencies)}
    problems: list[Problem] = []
    for cycle in graph.cycles(g):
        closing = edge_index[(cycle[-2], cycle[-1])]
        problems.append((("dependencies", closing), f"dependency cycle: {' → '.join(cycle)}"))
    return problems


def _resources_and_funding(p: Programme, refs: _References) -> list[Problem]:
    """Each pool's overrides name windows of the horizon; its funders are known partners; only the
    last tranche omits `first`, and a pool with a unit cost says who pays the remainder."""
    problems: list[Problem] = []
    for i, resource in enumerate(p.resources):
        for key in resource.overrides:
            problem = _window_problem(p, resource.per, key)
            if problem:
                problems.append((("resources", i, "overrides", key), f"resource `{resource.id}`: {problem}"))
        for j, tranche in enumerate(resource.funding):
            for k, funder in enumerate(tranche.by):
                problems += refs.check(
                    ("resources", i, "funding", j, "by", k),
                    funder,
                    refs.partners,
                    "partner",
                    f"resource `{resource.id}` funding",
                )
            if tranche.first is None and j != len(resource.funding) - 1:
                problems.append(
                    (
                        ("resources", i, "funding", j),
                        "only the last funding tranche may omit `first` (the remainder)",
                    )
                )
        if resource.unit_cost and resource.funding and resource.funding[-1].first is not None:
            covered = sum(t.first or 0.0 for t in resource.funding)
            problems.append(
                (
                    ("resources", i, "funding"),
                    f"resource `{resource.id}` has a unit cost but its funding covers only the first "
                    f"{covered:g} {resource.unit}; add a last tranche without `first` saying who pays "
                    "the rest",
                )
            )
    return problems


def _budget(p: Programme) -> list[Problem]:
    """The budget's overrides name financial years of the horizon."""
    problems: list[Problem] = []
    if p.budget is not None:
        for key in p.budget.overrides:
            problem = _window_problem(p, "financial_year", key)
            if problem:
                problems.append((("budget", "overrides", key), f"budget: {problem}"))
    return problems


def _exception_policy(p: Programme, refs: _References) -> list[Problem]:
    """Each policy's client and services are known; a client has one policy per service; every
    service a policy governs has an expected provider (its lead provider or the default)."""
    places: list[tuple[Loc, ExceptionPolicy]] = []
    if p.exception_policy:
        places.append((("exception_policy",), p.exception_policy))
    places += [(("exception_policies", i), policy) for i, policy in enumerate(p.exception_policies)]
    problems: list[Problem] = []
    for loc, policy in places:
        who = "exception policy"
        problems += refs.check((*loc, "client"), policy.client, refs.partners, "partner", who)
        for j, service in enumerate(policy.services):
            found = refs.check((*loc, "services", j), service, refs.services, "service", who)
            record = refs.services.get(service)
            if not found and record is not None and policy.client not in {record.owner, *record.shares}:
                found = [
                    (
                        (*loc, "services", j),
                        f"the exception policy of `{policy.client}` names service `{service}`, which "
                        f"`{policy.client}` neither owns nor shares (owner `{record.owner}`), so it would "
                        "govern nothing",
                    )
                ]
            problems += found
    if problems:
        return problems
    # a default provider set aside for a field problem is still the default provider
    aside = refs.aside.records.get("partners", ())
    aside_default = any(isinstance(r, Mapping) and r.get("default_provider") is True for r in aside)
    return _policies_per_service(p, places, aside_default)


def _policies_per_service(
    p: Programme, places: list[tuple[Loc, ExceptionPolicy]], aside_default: bool = False
) -> list[Problem]:
    problems: list[Problem] = []
    for loc, policy in places:
        governed = [s for s in p.services if policy in p.policies_for(s)]
        unled = [f"`{s.id}`" for s in governed if not s.lead_provider]
        if unled and not _default_providers(p) and not aside_default:
            problems.append(
                (
                    loc,
                    "the exception policy needs one partner marked `default_provider: true`, or a "
                    f"`lead_provider` on each service it governs (none on {', '.join(unled[:5])})",
                )
            )
        for service in governed:
            if sum(other.client == policy.client for other in p.policies_for(service)) > 1:
                problems.append((loc, f"`{policy.client}` has two exception policies for `{service.id}`"))
    return problems


def _consensus(p: Programme, refs: _References) -> list[Problem]:
    """Every partner of the consensus is a known partner."""
    problems: list[Problem] = []
    if p.consensus is not None:
        for j, member in enumerate(p.consensus.partners):
            problems += refs.check(
                ("consensus", "partners", j), member, refs.partners, "partner", "consensus"
            )
    return problems


def _governance(p: Programme, refs: _References) -> list[Problem]:
    """The council a report is written for by default is a known partner."""
    lead = p.governance.lead if p.governance is not None else None
    if lead is None:
        return []
    return refs.check(("governance", "lead"), lead, refs.partners, "partner", "governance")


def _staff_and_risks(p: Programme, refs: _References) -> list[Problem]:
    """Each service's staff by employer names known partners and adds up to its FTE (where known);
    each risk names known services."""
    problems: list[Problem] = []
    for i, service in enumerate(p.services):
        who = f"service `{service.id}`"
        for key in service.staff:
            problems += refs.check(("services", i, "staff", key), key, refs.partners, "partner", who)
        total = sum(service.staff.values())
        if service.staff and service.fte is not None and abs(total - service.fte) > 1e-6:
            problems.append(
                (
                    ("services", i, "staff"),
                    f"{who} staff add up to {total:g} FTE; expected its fte, {service.fte:g}",
                )
            )
    for i, entry in enumerate(p.risks):
        for j, sid in enumerate(entry.services):
            problems += refs.check(("risks", i, "services", j), sid, refs.services, "service", "risk")
    return problems


def _duplicates(section: str, ids: list[str], kind: str, aside: SetAside) -> list[Problem]:
    """Ids used twice, and ids that differ only in case (``hr`` and ``HR``): a file system,
    a spreadsheet lookup or a reader would take them for one.  Items are numbered as in the file,
    not as in what is left once records with field problems are set aside."""

    def item(i: int) -> int:
        return int(aside.original((section, i))[1]) + 1

    counts = Counter(ids)
    first: dict[str, int] = {}
    folded: dict[str, int] = {}
    out: list[Problem] = []
    for i, value in enumerate(ids):
        if counts[value] > 1 and value in first:
            out.append(
                (
                    (section, i, "id"),
                    f"duplicate {kind} id `{value}` (first used at item {item(first[value])})",
                )
            )
        elif value.casefold() in folded and value not in first:
            j = folded[value.casefold()]
            out.append(
                (
                    (section, i, "id"),
                    f"{kind} id `{value}` differs from {kind} `{ids[j]}` (item {item(j)}) only in case; "
                    "ids must differ in more than case",
                )
            )
        first.setdefault(value, i)
        folded.setdefault(value.casefold(), i)
    return out


def _window_problem(p: Programme, per: str, key: str) -> str | None:
    """What is wrong with an override ``key`` for windows ``per``; None for a window of the horizon."""
    horizon = p.horizon
    if per == "horizon":
        return f"override `{key}`: a capacity for the whole horizon has no per-window overrides"
    if per == "period":
        if horizon.index_of_key(key) is None:
            return (
                f"override `{key}` is not a period of the horizon; expected 'YYYY-MM' from "
                f"{horizon.key(0)} to {horizon.key(horizon.periods - 1)}"
                + (" on a quarter boundary" if horizon.period == "quarter" else "")
            )
        return None
    years = horizon.financial_years()
    if not FY_KEY.match(key) or key not in years:
        return f"override `{key}` is not a financial year of the horizon; expected one of {', '.join(years)}"
    return None


def _suggest(value: str, known: Iterable[str]) -> str:
    """A did-you-mean hint naming the closest known id, or nothing."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
