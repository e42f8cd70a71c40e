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

The answer names the services it provides today or in the plan, the services it is a client of,
each partner's NPV before and after (the public view unless ``include_exempt``) and the one-off
costs the new plan carries for the services it leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from engine.appraisal.overrides import Changes, Removals
from engine.appraisal.public import FinanceView, finance_view
from engine.appraisal.scenario import LoadedScenario, Scenario, ScenarioResult, prepare_scenario, run_scenario
from engine.base.errors import InputError
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
    after: ScenarioResult
    money_before: FinanceView | None
    money_after: FinanceView | None

    def npv_by_partner(self) -> list[tuple[str, float | None, float | None]]:
        """Each partner of the programme as it stands: its NPV before, after (None: it has left, or
        no plan; £0 for a partner with no part in a plan) — the partners' own money, as the finance
        counts it."""
        programme = self.before.loaded.programme
        before, after = _by_partner(self.money_before), _by_partner(self.money_after)
        stays = {p.id for p in self.after.loaded.programme.partners}

        def npv(money: FinanceView | None, found: dict[str, float], partner: str) -> float | None:
            if money is None:
                return None  # no plan
            return found.get(partner, 0.0 if partner in stays or money is self.money_before else None)

        return [
            (p, npv(self.money_before, before, p), npv(self.money_after, after, p))
            for p in consenting_partners(programme)
        ]

    def notes(self) -> list[str]:
        """What the exit takes with it besides the partner: the MoU's exception rule, a consensus."""
        base, now = self.before.loaded.programme, self.after.loaded.programme
        out = []
        if base.exception_policy is not None and now.exception_policy is None:
            out.append("the MoU's exception rule no longer applies (its client or its default provider left)")
        if base.consensus is not None and now.consensus is None:
            out.append(
                f"the {base.consensus.body} is left with one partner: decisions are no longer by consensus"
            )
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
) -> ExitAnalysis:
    """Plan the programme as it stands and without ``partner`` (now, or leaving on ``at``)."""
    known = {p.id for p in programme.partners}
    if partner not in known:
        raise InputError.one(f"unknown partner `{partner}`; expected one of {', '.join(sorted(known))}")
    before = run_scenario(_loaded(Scenario(name="as it stands", base=str(source)), programme, rules, source))
    provides = _provides(programme, before, partner)
    receives = [s.id for s in programme.services if partner in {s.owner, *s.shares}]
    leaving = _leaving(partner, at, programme, source)
    after = run_scenario(_loaded(leaving, programme, rules, source))
    return ExitAnalysis(
        partner,
        at,
        provides,
        receives,
        before,
        after,
        finance_view(before, include_exempt),
        finance_view(after, include_exempt),
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


def _part_leaves(programme: Programme, partner: str) -> Changes:
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
        if o.service in rest and o.provider != partner and o.model != "hand_back"
    }
    return Changes(services=services, options=options, resources=_funding_without(programme, partner))


def _funding_without(programme: Programme, partner: str) -> dict[str, dict[str, object]]:
    """A resource's funding tranche the partner paid alone goes with it: the tranches after it
    start sooner (the others pay for those days), and with none left the days are paid as any
    unfunded pool's are (by the services that use them)."""
    out: dict[str, dict[str, object]] = {}
    for pool in programme.resources:
        kept = [t for t in pool.funding if set(t.by) != {partner}]
        if len(kept) < len(pool.funding):
            out[pool.id] = {"funding": [t.model_dump(exclude_defaults=True) for t in kept]}
    return out


def _leaving(partner: str, at: date | None, programme: Programme, source: Path) -> Scenario:
    """The what-if of the partner leaving: removed now, or a member until ``at`` with every service
    it delivers today changed before then."""
    name = f"{programme.partner(partner).name} leaves" + (f" on {at:%d %B %Y}" if at else "")
    if at is None:
        return Scenario(
            name=name,
            base=str(source),
            remove=_removals(programme, partner),
            change=_part_leaves(programme, partner),
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
