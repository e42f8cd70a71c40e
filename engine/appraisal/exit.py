"""The partner exit stress test: what happens to everyone else if one partner leaves.

Partnerships have failed on exactly this question, so it is asked of the programme as written: the
plan and each partner's money as they stand, then the same programme without the partner, planned
again under the same rules and settings.

- ``at`` not given: the partner leaves now (a scenario's ``remove: {partners: [id]}``: its own
  services leave with it, what it delivers today returns to the owner) and its part of each service
  it shares goes with it: the service's running cost shrinks to the others' share while its one-off
  costs stay whole (see ``_part_leaves``), and the others' shares are re-split pro rata.
- ``at`` given: it leaves as a provider on that date (``Partner.leaves``), staying a client: nothing
  it provides can be in place after it, and every service it delivers today must change before
  then to a provider that stays (a hand-back or another partner), or the plan is infeasible and
  says why.
- A change already made with it (an ``actuals`` record of an option that leaves with it) is
  history: its money is spent and stays in ``ssplan progress``, but the option is gone, so the
  stressed programme drops the record and the service is back to needing a decision, which the plan
  after makes (a Section 151 officer's reading: sunk costs are sunk, the service must be provided
  somehow). ``notes`` says so, service by service. The stress test plans from the horizon's start,
  as ``ssplan plan`` does, so actuals never move either plan.
- ``whatif`` given (the app's what-if on screen, or any scenario): both plans are the what-if's,
  before and after the exit, so the two columns compare like with like. Its edits of the records
  are made first; its plan settings (objective, forced services, weights…) hold for both runs,
  less whatever names a service, partner or option that leaves with the partner.

The answer names the services it provides today or in the plan, the services it is a client of,
each partner's NPV before and after (the public view unless ``include_exempt``) and the one-off
costs the new plan carries for the services it leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from engine.appraisal.overrides import Additions, Changes, Edit, Removals, remove
from engine.appraisal.public import FinanceView, finance_view, public_plan
from engine.appraisal.scenario import (
    LoadedScenario,
    Scenario,
    ScenarioResult,
    apply,
    prepare_scenario,
    run_scenario,
)
from engine.base.errors import InputError
from engine.io.records import programme_data
from engine.programme.calendar import day_text
from engine.programme.model import Programme
from engine.programme.partners import consenting_partners
from engine.rules.ruleset import RuleSet


@dataclass
class ExitAnalysis:
    partner: str
    at: date | None
    provides: list[str]  # services it delivers today or would deliver under the current plan
    receives: list[str]  # services it owns or has a share of
    before: ScenarioResult
    after: ScenarioResult | None  # None: every service was its own alone, so nothing is left to plan
    money_before: FinanceView | None
    money_after: FinanceView | None
    include_exempt: bool = False  # the view the figures and the advice are given in

    def npv_by_partner(self) -> list[tuple[str, float | None, float | None]]:
        """Each partner of the programme as it stands: its NPV before, after (None: it has left, or
        no plan; £0 for a partner with no part in a plan) — the partners' own money, as the finance
        counts it."""
        programme = self.before.loaded.programme
        before, after = _by_partner(self.money_before), _by_partner(self.money_after)
        if self.after is None:  # nothing left: those who stay are as they are today, £0
            return [
                (p, before.get(p, 0.0) if self.money_before else None, None if p == self.partner else 0.0)
                for p in consenting_partners(programme)
            ]
        stays = {p.id for p in self.after.loaded.programme.partners}

        def npv(money: FinanceView | None, found: dict[str, float], partner: str) -> float | None:
            if money is None:
                return None  # no plan
            return found.get(partner, 0.0 if partner in stays or money is self.money_before else None)

        return [
            (p, npv(self.money_before, before, p), npv(self.money_after, after, p))
            for p in consenting_partners(programme)
        ]

    def after_status(self) -> str:
        """The plan after the exit in words ("optimal", "infeasible", "nothing left to plan")."""
        return "nothing left to plan" if self.after is None else self.after.plan.status_text

    def after_advice(self) -> list[str]:
        """Why no plan can be made after the exit (empty when one can, or nothing is left), in the
        analysis's view: £ worked from an exempt price masked unless it includes exempt figures."""
        if self.after is None or self.after.plan.plan is not None:
            return []
        return list(public_plan(self.after.plan, self.include_exempt, self.after.scores).advice)

    def notes(self) -> list[str]:
        """What the exit takes with it besides the partner: the MoU's exception rule, a consensus,
        the days it paid for, the changes already made with it; or the whole programme."""
        base = self.before.loaded.programme
        if self.after is None:
            who = base.partner(self.partner).name
            return [f"every service of the programme is {who}'s own, so none is left to share or plan"]
        now = self.after.loaded.programme
        out = []
        if base.exception_policy is not None and now.exception_policy is None:
            out.append("the MoU's exception rule no longer applies (its client or its default provider left)")
        if base.consensus is not None and now.consensus is None:
            out.append(
                f"the {base.consensus.body} is left with one partner: decisions are no longer by consensus"
            )
        return out + self._funding() + self._history()

    def _funding(self) -> list[str]:
        """Days the partner paid for alone, and who pays for them now (see ``_funding_without``)."""
        if self.at is not None or self.after is None:
            return []  # a member to the end: it pays as it did
        base, now = self.before.loaded.programme, self.after.loaded.programme
        who = base.partner(self.partner).name
        pools = {r.id: r for r in now.resources}
        out = []
        for pool in base.resources:
            if pool.id not in pools or not any(set(t.by) == {self.partner} for t in pool.funding):
                continue
            payers = dict.fromkeys(p for t in pools[pool.id].funding for p in t.by)
            by = " and ".join(now.partner(p).name for p in payers) or "the services that use them"
            out.append(f"the {pool.name} {who} paid for alone are paid by {by}")
        return out

    def _history(self) -> list[str]:
        """A change already made with the partner (an actual of an option that left with it)."""
        if self.after is None:
            return []
        base, now = self.before.loaded.programme, self.after.loaded.programme
        kept = {a.option for a in now.actuals}
        out = []
        for actual in base.actuals:
            if actual.option in kept:
                continue
            option = base.option(actual.option)
            service = base.service(option.service).name
            by = base.partner(option.provider).name
            if actual.live:
                what = f"live since {day_text(actual.live)}, is history: what it cost is spent"
            else:
                what = f"in progress since {day_text(actual.started)}, stops: what was spent is spent"
            out.append(f"the change of {service} to {by}, {what}, and {service} needs a decision again")
        return out

    def withheld(self) -> list[str]:
        """Secret options left out of either plan's public figures."""
        views = (self.money_before, self.money_after)
        return sorted({option for view in views if view is not None for option in view.withheld})

    def left_behind(self) -> list[tuple[str, str, float]]:
        """The changes the new plan makes to the services the partner provided: (service, option,
        one-off cost with optimism bias, stranded costs included) — the cost of unwinding."""
        if self.money_after is None:
            return []
        rows, provided = self.money_after.by_service, set(self.provides)
        return [
            (str(r["service"]), str(r["option"]), float(r["one_off"]))
            for _, r in rows.iterrows()
            if r["service"] in provided
        ]


def _by_partner(money: FinanceView | None) -> dict[str, float]:
    if money is None:
        return {}
    return {str(r["partner"]): float(r["npv"]) for _, r in money.by_partner.iterrows()}


def partner_exit(
    programme: Programme,
    rules: RuleSet,
    partner: str,
    at: date | None = None,
    source: Path = Path("<exit>"),
    include_exempt: bool = False,
    whatif: Scenario | None = None,
) -> ExitAnalysis:
    """Plan the programme as it stands (or as ``whatif`` has it) and without ``partner`` (now, or
    leaving on ``at``), under the same plan settings."""
    if whatif is not None:
        programme = apply(programme, whatif, str(source))
    known = {p.id for p in programme.partners}
    if partner not in known:
        raise InputError.one(f"unknown partner `{partner}`; expected one of {', '.join(sorted(known))}")
    plan = _plan_fields(whatif)
    as_it_stands = Scenario(name=whatif.name if whatif else "as it stands", base=str(source), **plan)
    before = run_scenario(_loaded(as_it_stands, programme, rules, source))
    provides = _provides(programme, before, partner)
    receives = [s.id for s in programme.services if partner in {s.owner, *s.shares}]
    leaving = _leaving(partner, at, programme, source)
    after = None
    if at is not None or _surviving(programme, leaving.remove, source)[1]:
        after = run_scenario(_loaded(_with_plan(leaving, plan, programme, source), programme, rules, source))
    return ExitAnalysis(
        partner,
        at,
        provides,
        receives,
        before,
        after,
        finance_view(before, include_exempt),
        None if after is None else finance_view(after, include_exempt),
        include_exempt,
    )


def _loaded(scenario: Scenario, programme: Programme, rules: RuleSet, source: Path) -> LoadedScenario:
    return prepare_scenario(scenario, programme, rules, source)


def _provides(programme: Programme, before: ScenarioResult, partner: str) -> list[str]:
    """Services the partner delivers today, or would deliver once the current plan is done."""
    planned = (
        {a.service for a in before.plan.plan.assignments if a.provider == partner}
        if before.plan.plan
        else set()
    )
    return [s.id for s in programme.services if s.provider_now == partner or s.id in planned]


def _removals(programme: Programme, partner: str) -> Removals:
    """The partner, and what cannot stand without it: the exception policy when it is the
    policy's client or the default provider the policy needs, and a consensus it would leave
    with one partner."""
    policy, default = programme.exception_policy, programme.default_provider
    drop_policy = policy is not None and (
        policy.client == partner or (default is not None and default.id == partner)
    )
    consensus = programme.consensus
    stays = [p for p in consensus.partners if p != partner] if consensus else []
    drop_consensus = consensus is not None and partner in consensus.partners and len(stays) < 2
    return Removals(partners=(partner,), exception_policy=drop_policy, consensus=drop_consensus)


def _surviving(programme: Programme, removals: Removals, source: Path) -> tuple[set[str], set[str]]:
    """The options and services still there once ``removals`` cascade (a later stage of a removed
    option goes too, and a hand-back of a service no longer shared): the partner-exit cascade
    itself, run on a copy, so the stress test never names a record it takes out."""
    edit = Edit(programme_data(programme), str(source), None, {})
    remove(edit, removals, Changes(), Additions())
    return {o["id"] for o in edit.data["options"]}, {s["id"] for s in edit.data["services"]}


def _part_leaves(programme: Programme, partner: str, surviving: set[str]) -> Changes:
    """The partner's part of each service it shares leaves with it: the service's current annual
    cost and FTE, and each option's annual cost, shrink to the others' share, while one-off costs
    stay whole (setting up for fewer councils costs no less), as does a hand-back's running cost:
    the stressed view, not the others taking over its part and its savings."""
    rest = {
        s.id: 1.0 - s.shares[partner]
        for s in programme.services
        if partner in s.shares and not set(s.shares) <= {partner}
    }
    services: dict[str, dict[str, object]] = {
        s.id: {
            "annual_cost": s.annual_cost * rest[s.id],
            "fte": None if s.fte is None else s.fte * rest[s.id],
        }
        for s in programme.services
        if s.id in rest
    }
    # a hand-back is dropped where the service stops being shared, and else kept whole
    options: dict[str, dict[str, object]] = {
        o.id: {"annual_cost": o.annual_cost * rest[o.service]}
        for o in programme.options
        if o.service in rest and o.id in surviving and o.model != "hand_back"
    }
    return Changes(services=services, options=options, resources=_funding_without(programme, partner))


def _funding_without(programme: Programme, partner: str) -> dict[str, dict[str, object]]:
    """A resource's funding tranche the partner paid alone goes with it: the tranches after it
    start sooner (the others pay for those days); where it paid the remainder, the payers of the
    tranche before it pay the remainder too (a priced pool's funding must say who pays the rest);
    and with none left the days are paid as any unfunded pool's are (by the services that use
    them)."""
    out: dict[str, dict[str, object]] = {}
    for pool in programme.resources:
        kept = [t.model_dump(exclude_defaults=True) for t in pool.funding if set(t.by) != {partner}]
        if len(kept) == len(pool.funding):
            continue
        if kept and pool.unit_cost and "first" in kept[-1]:
            del kept[-1]["first"]
        out[pool.id] = {"funding": kept}
    return out


def _leaving(partner: str, at: date | None, programme: Programme, source: Path) -> Scenario:
    """The what-if of the partner leaving: removed now, or a member until ``at`` with every service
    it delivers today changed before then."""
    name = f"{programme.partner(partner).name} leaves" + (f" on {day_text(at)}" if at else "")
    if at is None:
        removals = _removals(programme, partner)
        options, _ = _surviving(programme, removals, source)
        gone = tuple(a.option for a in programme.actuals if a.option not in options)
        return Scenario(
            name=name,
            base=str(source),
            remove=removals.model_copy(update={"actuals": gone}),
            change=_part_leaves(programme, partner, options),
        )
    today = tuple(s.id for s in programme.services if s.current_provider == partner)
    before_then = at - timedelta(days=1)
    deadlines = {
        o.id: {"latest_finish": min(o.latest_finish or before_then, before_then)}
        for service in today
        for o in programme.options_for(service)
        if not o.is_status_quo
    }
    return Scenario(
        name=name,
        base=str(source),
        change=Changes(partners={partner: {"leaves": at}}, options=deadlines),
        force_in=today,
    )


PLAN_FIELDS = (
    "method",
    "weights",
    "objective",
    "consensus",
    "solver",
    "time_limit",
    "do_nothing",
    "force_in",
    "force_out",
    "fix_provider",
    "fix_option",
    "max_concurrent",
    "appraisal",
)


def _plan_fields(whatif: Scenario | None) -> dict[str, Any]:
    """The what-if's plan settings (its edits of records are already in the programme)."""
    if whatif is None:
        return {}
    return {name: getattr(whatif, name) for name in PLAN_FIELDS}


def _with_plan(leaving: Scenario, plan: dict[str, Any], programme: Programme, source: Path) -> Scenario:
    """The exit under the what-if's plan settings, less what names a service, option or partner
    that leaves: a service the exit forces to change is no longer kept as it is."""
    if not plan:
        return leaving
    options, services = _surviving(programme, leaving.remove, source)
    dated = {p for p, fields in leaving.change.partners.items() if fields.get("leaves") is not None}
    gone = set(leaving.remove.partners) | dated  # removed now, or a member only until a date
    forced = set(leaving.force_in)
    # doing nothing under the exit: every service kept as it is, but those the exit must change
    kept = [s for s in services if s not in forced] if plan["do_nothing"] else plan["force_out"]
    update = {
        **plan,
        "do_nothing": False,
        "force_in": tuple(dict.fromkeys(s for s in (*leaving.force_in, *plan["force_in"]) if s in services)),
        "force_out": tuple(s for s in kept if s in services and s not in forced),
        "fix_provider": {s: p for s, p in plan["fix_provider"].items() if s in services and p not in gone},
        "fix_option": {s: o for s, o in plan["fix_option"].items() if s in services and o in options},
    }
    return leaving.model_copy(update=update)
