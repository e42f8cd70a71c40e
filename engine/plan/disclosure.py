"""The one public view of results: exempt figures, and what can be worked back from them, withheld.

A programme marks fields ``exempt`` (an option's tendered price, a service's current cost). An
option is *secret* when one of its costs is exempt or its service's current cost is (every saving
of that service is the current cost minus a public price). Every output (each CLI command and
format, the store, the app, the report) asks this module what it may show:

- money that a secret option takes part in (its saving, NPV, one-off cost, and every total, payback,
  objective value, percentile or switching value that includes it) is never printed; totals are
  recomputed *without* the secret options and say which were left out, so no subtraction between
  two printed figures gives a price back;
- a secret option's criterion values that come from an exempt field, and its total score, are
  withheld or banded (see :func:`band`) where a score is printed on its own.

``include_exempt`` (``--include-exempt`` on the CLI, an explicit control in the app) shows
everything, and such output carries :data:`NOT_FOR_PUBLICATION` in its header.

Where a secret value sets a criterion's scale (the largest saving in the programme is an exempt
one, say; see ``ScoreTable.secret_scales``), every option's value on it and every total score is
worked from that value: the public view then withholds the criterion for every option, bands every
score and withholds value-objective figures.

A funding source whose ``amounts`` are exempt is left out of every money figure in the public view
(the finance is recomputed on :meth:`Disclosure.public_programme` and names what it left out), and
the savings and max-min objective values, which count it, are withheld.

A channel this view does not close (for the planning work to remove): the feasibility of a plan
under a what-if budget brackets a secret option's one-off cost, and, where a secret grant or
capitalisation direction raises a year's one-off budget, that amount too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from engine.programme.exempt import secret_funding, secret_options
from engine.programme.model import Programme

if TYPE_CHECKING:
    from engine.plan.result import Plan


@dataclass(frozen=True)
class Disclosure:
    """What one programme's results may show: nothing secret unless ``include_exempt``."""

    programme: Programme
    include_exempt: bool = False
    secret: frozenset[str] = field(default_factory=frozenset)
    secret_funding: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, programme: Programme, include_exempt: bool = False) -> Disclosure:
        hidden = frozenset() if include_exempt else frozenset(secret_options(programme))
        funding = frozenset() if include_exempt else frozenset(secret_funding(programme))
        return cls(programme, include_exempt, hidden, funding)

    def public_programme(self) -> Programme:
        """The programme whose money may be shown: without its secret funding sources."""
        if not self.secret_funding:
            return self.programme
        kept = tuple(s for s in self.programme.funding if s.id not in self.secret_funding)
        return self.programme.model_copy(update={"funding": kept})

    @property
    def funding_withheld(self) -> list[str]:
        """The names of the secret funding sources (left out of public figures), in file order."""
        return [s.name for s in self.programme.funding if s.id in self.secret_funding]

    def hides_objective(self, objective: str) -> bool:
        """Whether the objective value counts a secret funding source (savings, max-min)."""
        return bool(self.secret_funding) and objective in ("savings", "maxmin")

    def hides_service(self, service: str) -> bool:
        return service in self._secret_services

    @cached_property
    def _secret_services(self) -> frozenset[str]:
        """The services with a secret option, worked out once (a regional programme asks 2,000 times)."""
        return frozenset(self.programme.option(o).service for o in self.secret)

    def withheld_in(self, plan: Plan | None) -> list[str]:
        """The secret options of ``plan`` (left out of its public totals), in plan order."""
        return [] if plan is None else [a.option for a in plan.assignments if a.option in self.secret]

    def public_part(self, plan: Plan) -> Plan:
        """``plan`` without its secret options: what public totals are appraised on."""
        kept = tuple(a for a in plan.assignments if a.option not in self.secret)
        return plan if len(kept) == len(plan.assignments) else plan.model_copy(update={"assignments": kept})


def public_switching(values: list[Any], disclosure: Disclosure) -> tuple[list[Any], int]:
    """Switching values that may be shown, and how many were withheld: a switching value of a
    service with a secret option is a price (or a score made from one) moved to a threshold."""
    shown = [v for v in values if not disclosure.hides_service(v.service)]
    return shown, len(values) - len(shown)


CANNOT_FIT = "cannot fit: "  # a reason the limits give: capacity days, dates, budget £ (reasons.py)
OUTSIDE_MEMBERSHIP = "no option fits the time its partners are in the programme"  # dates only
_POUNDS = re.compile(r"£[\d,]+(?:\.\d+)?")


def public_reason(why: str, rests_on_secret: bool, secret_money: bool, withheld: str) -> str:
    """Why a service is kept as it is, as the public view may say it.

    Only a reason whose figures come from money or scores can reveal an exempt figure: one that
    ``rests_on_secret`` (the service has a secret option, or the value objective's scores are on a
    scale a secret figure sets) is ``withheld``, unless its figures are of other kinds.  A reason
    the limits give (``cannot fit``: officer days, periods, dates) is shown with its £ figures
    masked where anything is secret (``secret_money``: a budget shortfall can be a secret one-off
    cost, or a budget a secret grant raises), but withheld whole for a service resting on a secret
    where it speaks of the budget at all: which years fall short, and that the budget is what binds,
    bound its secret one-off cost even with the £ masked.  A membership reason holds only dates.  A reason
    with no figure in it ("kept as it is by this what-if") gives nothing away.
    """
    if not any(c.isdigit() for c in why) or why.startswith(OUTSIDE_MEMBERSHIP):
        return why
    if why.startswith(CANNOT_FIT):
        if rests_on_secret and ("£" in why or "budget" in why):  # its size or its years bound the secret
            return withheld
        return _POUNDS.sub("£[exempt]", why) if secret_money else why
    return withheld if rests_on_secret else why
