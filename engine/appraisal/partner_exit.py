"""A partner leaves the programme (a scenario's ``remove: {partners: [id]}``).

- the partner's record goes, and its own criterion weights with it;
- services it owns alone (no shares, or only its own) leave, with their options and every
  dependency that names them, unless the scenario's ``change`` names the service's new owner;
- every option it provides is removed, and every later stage that follows a removed option (a
  stage cannot be taken without the stages before it);
- on a service shared with others its share is removed and the rest re-split pro rata (a
  scenario's ``change`` of the service's ``shares`` sets them instead); where it owned such a
  service, the partner with the largest remaining share (the first listed on a tie) becomes the
  owner unless the scenario's ``change`` names one;
- its staff on a shared service (``staff``) leave with it, and the service's ``fte`` falls by as many;
- a service it provides today returns to its owner (``current_provider`` cleared), and one it leads
  falls back to the default provider (``lead_provider`` cleared), or, in a programme without one,
  passes to the service's owner (the client council that now hosts it);
- its part of an option's ``stranded_split`` is re-split pro rata among the rest (the service's
  shares bear it if it bore all), and a hand-back of a service no longer shared goes (there is
  nothing left to unwind);
- it leaves the consensus, the funding tranches' ``by`` lists and joint ventures' ``owners``; its
  own further exception policies (``exception_policies``) go with it; where it is the
  programme's ``governance.lead``, reports fall back to the default council;
- funding sources (``funding``): the contributions it pays go with it; its share of a source's
  ``to`` is re-split pro rata among the other receivers, and a source it alone received goes (the
  money was its own); a source without ``to`` is re-split by the default rule among who remains.

Refused, at the removal's line, unless the same scenario settles them: a funding tranche left
with nobody to pay (``change`` the resource's ``funding``), a consensus left with fewer than two
partners (``change`` its ``partners`` or remove it), the exception policy's client (``change`` its
``client`` or remove the policy), and the default provider while an exception policy stands
(mark another partner ``default_provider: true`` or remove the policy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.io.validation import Loc

if TYPE_CHECKING:
    from engine.appraisal.overrides import Changes, Edit, Removals


def remove_partner(
    edit: Edit, pid: str, at: Loc, removals: Removals, changes: Changes, new_default: bool
) -> None:
    """Take partner ``pid`` out of the programme, as the module says; ``new_default``: the scenario
    marks another partner as the default provider."""
    if edit.find("partners", pid) is None:
        return  # listed twice
    _policy(edit, pid, at, removals, changes, new_default)
    edit.drop("partners", lambda p: p.get("id") != pid, at)
    kept = {sid for sid, fields in changes.services.items() if "owner" in fields}  # a new owner named
    alone = {s["id"] for s in edit.data["services"] if _owned_alone(s, pid) and s["id"] not in kept}
    edit.drop_services(alone, at)
    edit.drop("options", lambda o: o.get("provider") != pid, at)
    _drop_orphan_stages(edit, at)
    for service in edit.data["services"]:
        _leave_service(edit, service, pid, at)
    _leave_options(edit, pid, at)
    _leave_funding(edit, pid, at, changes)
    _leave_funding_sources(edit, pid, at)
    _leave_consensus(edit, pid, at, removals, changes)
    _leave_policies(edit, pid, at)
    _leave_governance(edit, pid, at)
    for partner in edit.data["partners"]:
        if pid in (partner.get("owners") or ()):
            partner["owners"] = [o for o in partner["owners"] if o != pid]
            edit.mark(partner, "owners", at, deeper=False)


def _drop_orphan_stages(edit: Edit, at: Loc) -> None:
    """Remove the later stages of removed options, and theirs in turn."""

    def kept(ids: set[object]) -> Callable[[dict[str, Any]], bool]:
        return lambda option: option.get("follows") is None or option.get("follows") in ids

    while True:
        keep = kept({o.get("id") for o in edit.data["options"]})
        if all(keep(o) for o in edit.data["options"]):
            return
        edit.drop("options", keep, at)


def _owned_alone(service: dict[str, Any], pid: str) -> bool:
    return service.get("owner") == pid and set(service.get("shares") or {}) <= {pid}


def _leave_service(edit: Edit, service: dict[str, Any], pid: str, at: Loc) -> None:
    """Its share re-split pro rata among the rest; ownership and today's delivery handed back."""
    shares = dict(service.get("shares") or {})
    rest = {k: v for k, v in shares.items() if k != pid}
    if pid in shares:
        total = sum(rest.values())
        service["shares"] = {k: v / total for k, v in rest.items()}
        if not rest:
            del service["shares"]  # it held every share of another's service: the owner's alone now
        edit.mark(service, "shares", at, deeper=False)
    _leave_staff(edit, service, pid, at)
    if service.get("owner") == pid and rest:  # else the scenario's change names the new owner
        service["owner"] = max(rest, key=lambda k: rest[k])
        edit.mark(service, "owner", at, deeper=False)
    if service.get("current_provider") == pid:  # delivered by its owner again
        del service["current_provider"]
        edit.mark(service, None, at, deeper=False)
    if service.get("lead_provider") == pid:  # led by the default provider, else by its owner
        if any(p.get("default_provider") for p in edit.data["partners"] if p.get("id") != pid):
            del service["lead_provider"]
        else:
            service["lead_provider"] = service["owner"]
        edit.mark(service, None, at, deeper=False)


def _leave_staff(edit: Edit, service: dict[str, Any], pid: str, at: Loc) -> None:
    """Its staff leave the service with it: the rest of the service's FTE stays."""
    staff = dict(service.get("staff") or {})
    if pid not in staff:
        return
    gone = staff.pop(pid)
    service["staff"] = staff
    if service.get("fte") is not None:
        service["fte"] = max(service["fte"] - gone, 0.0)
        edit.mark(service, "fte", at, deeper=False)
    edit.mark(service, "staff", at, deeper=False)


def _leave_options(edit: Edit, pid: str, at: Loc) -> None:
    """Out of every stranded split (the rest pro rata); hand-backs of services no longer shared go."""
    for option in edit.data["options"]:
        split = dict(option.get("stranded_split") or {})
        if pid in split:
            rest = {k: v for k, v in split.items() if k != pid}
            total = sum(rest.values())
            option["stranded_split"] = {k: v / total for k, v in rest.items()}
            if not rest:
                del option["stranded_split"]  # it bore them all: the service's shares do now
            edit.mark(option, "stranded_split", at, deeper=False)
    services = {s["id"]: s for s in edit.data["services"]}

    def shared(service: dict[str, Any] | None) -> bool:
        if service is None:
            return True  # a service that has left is another check's concern
        owner = service.get("owner")
        others = set(service.get("shares") or {}) - {owner}
        return service.get("current_provider", owner) != owner or bool(others)

    edit.drop("options", lambda o: o.get("model") != "hand_back" or shared(services.get(o["service"])), at)


def _leave_funding(edit: Edit, pid: str, at: Loc, changes: Changes) -> None:
    """Out of every tranche's payers; a tranche it paid alone needs the scenario to say who pays."""
    for pool in edit.data["resources"]:
        settled = "funding" in changes.resources.get(pool.get("id", ""), {})
        for j, tranche in enumerate(pool.get("funding") or ()):
            if pid not in tranche.get("by", ()):
                continue
            tranche["by"] = [p for p in tranche["by"] if p != pid]
            edit.mark(pool, "funding", at, deeper=False)
            if not tranche["by"] and not settled:
                what = f"the first {tranche['first']:g} units" if tranche.get("first") else "the remainder"
                edit.problem(
                    f"funding tranche {j + 1} of resource `{pool['id']}` ({what}) would be paid by nobody: "
                    f"`{pid}` pays it alone; the scenario must say who pays "
                    f"(change: resources: {pool['id']}: funding: …)",
                    at,
                )


def _leave_funding_sources(edit: Edit, pid: str, at: Loc) -> None:
    """Its contributions and whatever it alone received go; its receipts re-split pro rata."""
    for source in edit.data["funding"]:
        to = dict(source.get("to") or {})
        if pid in to:
            rest = {k: v for k, v in to.items() if k != pid}
            total = sum(rest.values())
            source["to"] = {k: v / total for k, v in rest.items()}
            edit.mark(source, "to", at, deeper=False)
    edit.drop("funding", lambda s: s.get("from_partner") != pid and s.get("to") != {}, at)


def _leave_policies(edit: Edit, pid: str, at: Loc) -> None:
    """Its own further exception policies go with it; a policy naming only services that have left
    goes too (an empty list would mean every service of its client)."""
    services = {s["id"] for s in edit.data["services"]}
    kept = []
    for policy in edit.data.get("exception_policies") or ():
        named = policy.get("services") or ()
        if policy.get("client") == pid or (named and not set(named) & services):
            continue
        if named and set(named) - services:
            policy["services"] = [s for s in named if s in services]
        kept.append(policy)
    if kept != list(edit.data.get("exception_policies") or ()):
        edit.data["exception_policies"] = kept
        edit.mark(edit.data, "exception_policies", at, deeper=False)


def _leave_consensus(edit: Edit, pid: str, at: Loc, removals: Removals, changes: Changes) -> None:
    consensus = edit.data.get("consensus")
    if not consensus or pid not in consensus.get("partners", ()):
        return
    consensus["partners"] = [p for p in consensus["partners"] if p != pid]
    edit.mark(consensus, "partners", at, deeper=False)
    if len(consensus["partners"]) < 2 and "partners" not in changes.consensus and not removals.consensus:
        edit.problem(
            f"the consensus would be left with {len(consensus['partners'])} partner; the scenario must "
            "name its partners (change: consensus: partners: […]) or remove it (remove: consensus: true)",
            at,
        )


def _leave_governance(edit: Edit, pid: str, at: Loc) -> None:
    """A lead council that leaves is no longer whom reports are for: the default applies again."""
    governance = edit.data.get("governance")
    if governance and governance.get("lead") == pid:
        governance["lead"] = None
        edit.mark(governance, "lead", at, deeper=False)


def _policy(edit: Edit, pid: str, at: Loc, removals: Removals, changes: Changes, new_default: bool) -> None:
    """The exception policy's client and the default provider cannot simply leave."""
    policy = None if removals.exception_policy else edit.data.get("exception_policy")
    if policy is not None and policy.get("client") == pid and "client" not in changes.exception_policy:
        edit.problem(
            f"partner `{pid}` is the exception policy's client; the scenario must set a new client "
            "(change: exception_policy: client: …) or remove the policy (remove: exception_policy: true)",
            at,
        )
    others = [p for p in edit.data.get("exception_policies") or () if p.get("client") != pid]
    standing = [*([policy] if policy is not None else []), *others]
    partner = edit.find("partners", pid)
    if standing and partner and partner.get("default_provider") and not new_default:
        for record in standing:
            edit.mark(record, None, at, deeper=False)  # the programme's own check says so too: same place
        edit.problem(
            f"partner `{pid}` is the default provider the exception policy needs; the scenario must mark "
            "another partner `default_provider: true` (under change: partners:) or remove the policy "
            "(remove: exception_policy: true)",
            at,
        )
