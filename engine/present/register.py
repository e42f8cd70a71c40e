"""The risk register: each risk rated likelihood × impact (1–5 each), with mitigation and owner.

Three sources, so the register is never a formality: the programme's own ``risks`` (or, where it
lists none, the risks every shared-services programme carries, rated from its facts: members' and
officers' buy-in, exit, data protection, VAT, capacity, and each change's delivery risk); the
sensitivity analysis (a recommendation that often changes under other weights is a risk); and the
switching values (a verdict that flips for a small move in a cost is a risk).  Switching values
come in already filtered by the public view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from engine.present.law import option_words, provider_category
from engine.present.summary import money
from engine.programme.model import Programme, RiskEntry
from engine.scoring.switching import SwitchingValue

LIKELIHOOD = {"low": 2, "medium": 3, "high": 4}


@dataclass(frozen=True)
class RiskRow:
    risk: str
    likelihood: int
    impact: int
    mitigation: str
    owner: str

    @property
    def rating(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        r = self.rating
        return "low" if r <= 4 else "medium" if r <= 9 else "high" if r <= 16 else "very high"


def register(
    programme: Programme,
    changes: Sequence[str],
    stability: pd.DataFrame,
    switching: Sequence[SwitchingValue],
    capacity_tight: bool,
) -> list[RiskRow]:
    """Every risk, highest rating first (ties in the order found).  ``changes`` are the option ids
    the plan takes; ``stability`` the sensitivity table (service, P(same recommendation));
    ``switching`` the switching values the public view shows."""
    owner = owner_words(programme)
    rows = (
        [
            RiskRow(
                _concerns(programme, r), r.likelihood, r.impact, r.mitigation or "to be set", r.owner or owner
            )
            for r in programme.risks
        ]
        if programme.risks
        else derived(programme, changes, capacity_tight, owner)
    )
    rows += _unstable(programme, stability, owner) + _close_switching(programme, switching, owner)
    return sorted(rows, key=lambda r: -r.rating)


def _concerns(programme: Programme, entry: RiskEntry) -> str:
    """The risk in words, with the services it concerns by name."""
    if not entry.services:
        return entry.risk
    return f"{entry.risk} ({', '.join(programme.service(s).name for s in entry.services)})"


def owner_words(programme: Programme) -> str:
    """Who owns a programme-wide risk: the lead officers the programme names, else 'the lead officers'."""
    named = [f"{p.lead_officer}, {p.name}" for p in programme.partners if p.lead_officer]
    return "; ".join(named) if named else "the partners' lead officers"


def derived(programme: Programme, changes: Sequence[str], capacity_tight: bool, owner: str) -> list[RiskRow]:
    """The risks every programme carries, rated from its facts (see the module's docstring)."""
    options = [programme.option(o) for o in changes]
    elsewhere = [o for o in options if provider_category(programme, o) != "own"]
    companies = [o for o in elsewhere if provider_category(programme, o) in ("private", "company")]
    councils = [p for p in programme.partners if p.kind not in ("private", "joint_venture", "other")]
    rows = [
        RiskRow(
            "Members or officers of a partner council do not support a change, and it stalls",
            3 if programme.consensus is not None or len(councils) > 2 else 2,
            4,
            "a business case for each service to each council's decision-making body; regular meetings "
            "of the lead officers; the MoU's route for joint decisions",
            owner,
        ),
        RiskRow(
            "A partner leaves or the arrangement ends, leaving costs and staff to be unwound",
            3 if any(p.leaves for p in programme.partners) else 2,
            4 if elsewhere else 2,
            "exit terms in each agreement: notice, return of staff and assets, and who bears stranded costs",
            owner,
        ),
        RiskRow(
            "Capacity to deliver the changes (officer and project time) falls short",
            4 if capacity_tight else 2,
            3,
            "the plan keeps within the resource limits; progress reviewed monthly and the plan re-run "
            "when capacity changes",
            owner,
        ),
    ]
    if elsewhere:
        rows.append(
            RiskRow(
                "Personal data moves to another organisation without adequate safeguards",
                2,
                4,
                "a data sharing agreement and a data protection impact assessment before each transfer",
                owner,
            )
        )
        rows.append(
            RiskRow(
                "VAT is charged on services supplied between the partners and cannot be recovered",
                3 if companies else 2,
                3,
                "VAT advice before each agreement is signed (whether the supply is taxable, and the "
                "cost-sharing exemption)",
                owner,
            )
        )
    for option in options:
        rows.append(
            RiskRow(
                f"The change of {programme.service(option.service).name} ({option_words(programme, option)}) "
                "overruns or costs more than estimated",
                LIKELIHOOD[option.risk],
                3,
                "the service's business case, a project plan with milestones, and optimism bias in the costs",
                owner,
            )
        )
    return rows


def _unstable(programme: Programme, stability: pd.DataFrame, owner: str) -> list[RiskRow]:
    """A recommendation that changes in more than 10 % of the weight draws."""
    rows = []
    for _, r in stability.iterrows():
        change = 1 - float(r["P(same recommendation)"])
        if change <= 0.1:
            continue
        likelihood = 2 if change <= 0.25 else 3 if change <= 0.5 else 4 if change <= 0.75 else 5
        rows.append(
            RiskRow(
                f"The recommendation for {programme.service(str(r['service'])).name} changes under other "
                f"weights (it changed in {change:.0%} of the variations tried)",
                likelihood,
                3,
                "the service's business case tests the recommendation again before any decision",
                owner,
            )
        )
    return rows


def _close_switching(programme: Programme, values: Sequence[SwitchingValue], owner: str) -> list[RiskRow]:
    """An exception verdict that flips for a move of 20 % or less in one annual cost."""
    rows = []
    for v in values:
        current, switching = float(v.current), v.switching
        if switching is None or not current:
            continue
        move = abs(float(switching) - current) / current
        if move > 0.2:
            continue
        subject = programme.option(str(v.subject))
        exception = programme.option(str(v.exception))
        goal = "stops being" if v.recommended_now else "becomes"
        rows.append(
            RiskRow(
                f"For {programme.service(subject.service).name}, {option_words(programme, exception)} "
                f"{goal} the recommendation if the annual cost of {option_words(programme, subject)} moves "
                f"{move:.0%}, from {money(current)} to {money(float(switching))}",
                4 if move <= 0.05 else 3 if move <= 0.1 else 2,
                3,
                "the figure is confirmed in the service's business case before the decision",
                owner,
            )
        )
    return rows
