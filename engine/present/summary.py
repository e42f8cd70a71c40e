"""A readable summary of a programme for officers: what `ssplan show` prints.

Exempt (confidential) figures are withheld unless asked for, and illustrative figures carry a
mark, so a summary can be pasted into a public paper without leaking or overstating anything.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine.present.staff import fte_text, staff_total
from engine.programme.calendar import day_text
from engine.programme.funding import recipients
from engine.programme.graph import dependency_order
from engine.programme.model import DeliveryOption, ExceptionPolicy, Programme, Service, Sourced
from engine.programme.money import shares_of, stranded_split_of

EXEMPT = "[exempt]"
MARK = "*"


def money(value: float) -> str:
    return f"£{value:,.0f}"


def figure(record: Sourced, field: str, text: str, include_exempt: bool) -> str:
    """``text`` for ``record.field``, withheld if exempt and marked if illustrative."""
    exempt = field in getattr(record, "exempt", ())
    if exempt and not include_exempt:
        return EXEMPT
    return text + (MARK if record.is_illustrative(field) else "")


def _table(title: str, columns: tuple[str, ...], right: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", overflow="fold")
    return table


def _row(table: Table, cells: list[str], style: str | None = None) -> None:
    """Cells as plain text: ids and `[exempt]` must never be read as console markup."""
    table.add_row(*(Text(c) for c in cells), style=style)


def summary_text(programme: Programme, include_exempt: bool = False, width: int = 120) -> str:
    """The programme as plain text: what it is and how it decides, then a table for each kind of
    record, the dependency order and the one-off budget, then the key to the marks."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    p = programme
    console.print(Text(f"{p.name}  ({p.id})", style="bold"))
    for line in _heading(p):
        console.print(Text(line))
    console.print(_partners_table(p))
    console.print(_services_table(p, include_exempt))
    if p.dependencies:
        console.print(_dependencies_table(p))
    console.print(Text("Dependency order: " + " → ".join(dependency_order(p))))
    if p.resources:
        console.print(_resources_table(p))
    if p.budget:
        console.print(Text(_budget_line(p)))
    if p.funding:
        console.print(_funding_table(p, include_exempt))
    if p.savings_target:
        console.print(Text(_target_line(p, include_exempt)))
    if p.actuals:
        console.print(Text(_actuals_line(p, include_exempt)))
    staff = _staff_line(p, include_exempt)
    if staff:
        console.print(Text(staff))
    console.print(
        Text(f"{MARK} illustrative figure (not from the source documents); {EXEMPT} not for publication")
    )
    return buffer.getvalue()


def _heading(p: Programme) -> list[str]:
    """The horizon, then how decisions are taken (the exception rule, the consensus), where set."""
    h = p.horizon
    lines = [
        f"Horizon: {h.periods} {h.period}s from {h.label(0)} to {h.label(h.periods - 1)} "
        f"(financial years {', '.join(h.financial_years())})"
    ]
    if p.default_provider:
        lines.append(f"Default provider: {p.default_provider.name}.")
    lines += [_policy_line(p, policy) for policy in p.policies]
    if p.consensus:
        names = ", ".join(p.partner(x).name for x in p.consensus.partners)
        lines.append(f"Consensus: {p.consensus.body} ({names}): {p.consensus.rule}.")
    return lines


def _staff_line(p: Programme, include_exempt: bool) -> str:
    """Staff in the services, said only where some FTE is unknown (a sum over the rest would
    print as fact); an exempt FTE is left out of the sum and named as left out."""
    if all(s.fte is not None for s in p.services):
        return ""
    shown = [s for s in p.services if include_exempt or "fte" not in s.exempt]
    total = staff_total((s.name, s.fte) for s in shown).text()
    withheld = len(p.services) - len(shown)
    return f"Staff: {total}" + (f" (not counting {withheld} exempt)" if withheld else "") + "."


def _target_line(p: Programme, include_exempt: bool) -> str:
    """The savings target; its amount is withheld where it is a share of an in-scope cost that
    includes an exempt current cost (the sum would give that cost away)."""
    goal = p.savings_target
    assert goal is not None
    by = f" by {day_text(goal.by, short=True)}" if goal.by else ""
    if goal.amount is not None:
        return f"Savings target: {money(goal.amount)} a year{by}."
    share = goal.share or 0.0
    scope = [s for s in p.services if s.in_scope]
    secret = any("annual_cost" in s.exempt for s in scope) and not include_exempt
    amount = EXEMPT if secret else money(share * sum(s.annual_cost for s in scope))
    shown = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return f"Savings target: {shown}% of the in-scope services' current cost ({amount} a year){by}."


def _actuals_line(p: Programme, include_exempt: bool) -> str:
    """Which changes have begun and gone live (the money is for ``ssplan progress``)."""
    parts = []
    for actual in p.actuals:
        name = p.service(p.option(actual.option).service).name
        if actual.live is not None:
            live = figure(actual, "live", day_text(actual.live, short=True), include_exempt)
            parts.append(f"{name} live since {live}")
        else:
            started = figure(actual, "started", day_text(actual.started, short=True), include_exempt)
            parts.append(f"{name} in progress since {started}")
    to = f" (to {day_text(p.as_of, short=True)})" if p.as_of else ""
    return f"Actuals{to}: {'; '.join(parts)}; `ssplan progress` compares them with the plan."


def _policy_line(p: Programme, policy: ExceptionPolicy) -> str:
    """One exception policy in words: whose services, the margin, who decides."""
    scope = (
        ", ".join(p.service(s).name for s in policy.services)
        if policy.services
        else f"{p.partner(policy.client).name}'s services"
    )
    led = any(s.lead_provider and policy in p.policies_for(s) for s in p.services)
    expected = "the default provider"
    if led:
        fallback = ", else the default provider" if p.default_provider else ""
        expected = f"the service's lead provider{fallback}"
    return (
        f"Exception rule ({scope}): another partner only where its net present value (£) beats "
        f"{expected}'s by {policy.margin:.0%} of that value; the margin is the programme's reading of "
        f"the MoU's 'greater value', for which the MoU gives no figure{_default_caveat(p)}; "
        f"{policy.joint_decision}; final decision: {policy.final_decision}."
    )


def _default_caveat(p: Programme) -> str:
    """Whether the default provider is the MoU's or the programme's own assumption, where the
    programme records its MoU (a default the MoU does not name must not read as the MoU's)."""
    memo = p.governance.memorandum if p.governance is not None else None
    if memo is None or p.default_provider is None:
        return ""
    if memo.names_default_provider:
        return "; the MoU names the default provider"
    return "; the default provider is the programme's assumption, not named in the MoU"


def _partners_table(p: Programme) -> Table:
    partners = _table("Partners", ("id", "name", "kind", "role"))
    for partner in p.partners:
        roles = ["default provider"] if partner.default_provider else []
        led = [s.name for s in p.services if s.lead_provider == partner.id]
        roles += [f"leads {', '.join(led)}"] if led else []
        if partner.owners:
            roles.append("owned by " + ", ".join(partner.owners))
        if partner.decision_body:
            roles.append(f"decides through its {partner.decision_body}")
        if partner.joins:
            roles.append(f"joins {day_text(partner.joins, short=True)}")
        if partner.leaves:
            roles.append(f"leaves {day_text(partner.leaves, short=True)}")
        _row(partners, [partner.id, partner.name, partner.kind.replace("_", " "), "; ".join(roles)])
    return partners


def _services_table(p: Programme, include_exempt: bool) -> Table:
    """Each service in bold with its options under it, exempt figures withheld unless asked for."""
    services = _table(
        "Services and delivery options",
        ("service / option", "owner / provider", "model", "annual cost", "one-off", "periods", "notes"),
        right=("annual cost", "one-off", "periods"),
    )
    for service in p.services:
        _row(services, _service_row(p, service, include_exempt), style="bold")
        for option in p.options_for(service.id):
            _row(services, _option_row(p, option, include_exempt))
    return services


def _dependencies_table(p: Programme) -> Table:
    deps = _table("Dependencies", ("before", "after", "kind", "lag", "reason"))
    kinds = {
        "finish_to_start": "finish before start",
        "start_to_start": "start before start",
        "go_live_together": "go live together",
    }
    for dep in p.dependencies:
        _row(deps, [dep.before, dep.after, kinds[dep.kind], str(dep.lag), dep.reason])
    return deps


def _resources_table(p: Programme) -> Table:
    """Each pool's capacity in its unit and period, its overrides and who funds it (a pool has no
    exempt figures, so only the illustrative mark can apply)."""
    pools = _table("Resources and capacities", ("id", "name", "capacity", "overrides", "funded by"))
    for pool in p.resources:
        unit = "£" if pool.unit == "gbp" else f" {pool.unit}"
        per = {
            "period": f"per {p.horizon.period}",
            "financial_year": "per financial year",
            "horizon": "in all",
        }[pool.per]
        capacity = figure(pool, "capacity", f"{pool.capacity:g}{unit} {per}", True)
        overrides = ", ".join(f"{k}: {v:g}" for k, v in pool.overrides.items())
        funding = "; ".join(
            ("first " + f"{t.first:g}{unit}: " if t.first is not None else "")
            + " and ".join(p.partner(x).name for x in t.by)
            for t in pool.funding
        )
        _row(pools, [pool.id, pool.name, capacity, overrides, funding])
    return pools


def _funding_table(p: Programme, include_exempt: bool) -> Table:
    """Each funding source: its kind, money by financial year (withheld when exempt), who pays and
    who receives it, and what it is for."""
    table = _table("Funding", ("id", "name", "kind", "by financial year", "from", "to", "for"))
    kinds = {"grant": "grant", "contribution": "contribution", "capitalisation": "capitalisation direction"}
    for source in p.funding:
        years = "; ".join(f"{fy}: {money(v)}" for fy, v in source.amounts.items())
        payer = p.partner(source.from_partner).name if source.from_partner else ""
        if source.kind == "grant":
            payer = "outside the partnership"
        receivers = ", ".join(f"{p.partner(k).name} {v:.0%}" for k, v in recipients(p, source).items())
        services = ", ".join(p.service(s).name for s in source.services)
        amounts = figure(source, "amounts", years, include_exempt)
        _row(table, [source.id, source.name, kinds[source.kind], amounts, payer, receivers, services])
    return table


def _budget_line(p: Programme) -> str:
    """The one-off budget per financial year, with the years that differ (never exempt, as pools)."""
    assert p.budget is not None
    years = ", ".join(f"{k}: {money(v)}" for k, v in p.budget.overrides.items())
    text = figure(p.budget, "per_financial_year", money(p.budget.per_financial_year), True)
    raised = (
        "; a year's grants and capitalisation directions add to its budget"
        if any(s.kind != "contribution" for s in p.funding)
        else ""
    )
    return f"One-off budget: {text} per financial year" + (f" ({years})" if years else "") + raised


def _service_row(p: Programme, s: Service, include_exempt: bool) -> list[str]:
    notes = []
    if not s.in_scope:
        notes.append("out of scope")
    if s.statutory:
        notes.append("statutory")
    if s.area == "front_line":
        notes.append("front line")
    if s.contract_end:
        notes.append(f"contract ends {day_text(s.contract_end, short=True)}")
    if s.shares:
        notes.append("shared " + ", ".join(f"{k} {v:.0%}" for k, v in s.shares.items()))
    if s.lead_provider:
        notes.append(f"led by {p.partner(s.lead_provider).name}")
    fte = figure(s, "fte", "FTE unknown" if s.fte is None else f"{fte_text(s.fte)} FTE", include_exempt)
    notes.append(fte)
    cost = figure(s, "annual_cost", money(s.annual_cost), include_exempt)
    return [f"{s.name} ({s.id})", p.partner(s.owner).name, "", cost, "", "", "; ".join(notes)]


def _unwinding_notes(p: Programme, o: DeliveryOption, include_exempt: bool) -> list[str]:
    """What a hand-back does, and the stranded costs a change leaves and who bears them."""
    notes = []
    if o.model == "hand_back":
        clients = [p.partner(k).name for k in shares_of(p, o.service)]
        notes.append(f"each client council takes its part back in house ({', '.join(clients)})")
    if o.stranded_cost:
        cost = figure(o, "stranded_cost", money(o.stranded_cost), include_exempt)
        split = ", ".join(f"{p.partner(k).name} {v:.0%}" for k, v in stranded_split_of(p, o).items())
        notes.append(f"stranded costs {cost}, borne by {split}")
    return notes


def _stage_notes(p: Programme, o: DeliveryOption) -> list[str]:
    """A staged option is shown as its whole path: which stage comes when."""
    stages = p.stages(o.id)
    if len(stages) < 2:
        return []
    unit = p.horizon.period
    steps = [
        f"{stage.option.id} by {p.partner(stage.option.provider).name} from {unit} {stage.offset + 1} "
        f"for {stage.duration}"
        for stage in stages
    ]
    return [f"in stages, figures for the whole path: {', then '.join(steps)}"]


def _option_row(p: Programme, o: DeliveryOption, include_exempt: bool) -> list[str]:
    notes = [f"risk {o.risk}"]
    if p.is_exception(o):
        notes.append("EXCEPTION (other partner)")
    if o.earliest_start:
        notes.append(f"not before {o.earliest_start:%b %Y}")
    if o.latest_finish:
        notes.append(f"finish by {o.latest_finish:%b %Y}")
    notes += _unwinding_notes(p, o, include_exempt)
    notes += _stage_notes(p, o)
    return [
        "  " + o.id,
        p.partner(o.provider).name,
        o.model.replace("_", " "),
        figure(o, "annual_cost", money(o.annual_cost), include_exempt),
        figure(o, "one_off_cost", money(o.one_off_cost), include_exempt) if not o.is_status_quo else "",
        figure(o, "duration", str(o.duration), include_exempt) if not o.is_status_quo else "",
        "; ".join(notes),
    ]
