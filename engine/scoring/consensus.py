"""Where partners who decide together would rank the services differently.

In a consensus partnership (Essex: a Leaders' Board, no voting) each council may weigh the criteria
its own way.  Scoring the same programme under each partner's weights shows which recommendations
every partner would make anyway and which need the Board to agree; the value of a plan under each
partner's weights shows who gains most by their own lights.  Money per partner is in
:func:`engine.appraisal.finance.plan_finance` and :func:`engine.plan.verify.partner_benefits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from engine.base.errors import RuleError, source_of
from engine.programme.model import Programme
from engine.programme.partners import consenting_partners
from engine.rules.ruleset import RuleSet
from engine.scoring.scores import ScoreTable, score


@dataclass
class PartnerViews:
    partners: list[str]  # consenting partners, in the programme's order
    own_weights: dict[str, dict[str, float]]  # partner -> normalised weights it scored with
    services: pd.DataFrame  # service, recommended (shared weights), one column per partner, agreed
    tables: dict[str, ScoreTable]

    @property
    def disagreements(self) -> list[str]:
        return list(self.services.loc[~self.services["agreed"], "service"])


def partner_tables(
    programme: Programme,
    rules: RuleSet,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> dict[str, ScoreTable]:
    """The programme scored under each consenting partner's weights (the shared ones where a
    partner gives none)."""
    tables: dict[str, ScoreTable] = {}
    shared: ScoreTable | None = None
    for partner_id in consenting_partners(programme):
        own = programme.partner(partner_id).weights
        if not own:
            shared = shared or score(programme, rules, method=method, weights=weights)
            tables[partner_id] = shared
            continue
        try:
            tables[partner_id] = score(programme, rules, method=method, weights=own)
        except RuleError as exc:
            raise RuleError.one(
                f"partner `{partner_id}` weights: {exc.problems[0].message}",
                field=f"partners[{partner_id}].weights",
                file=source_of(programme),
            ) from None
    return tables


def partner_views(
    programme: Programme,
    rules: RuleSet,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> PartnerViews:
    base = score(programme, rules, method=method, weights=weights)
    tables = partner_tables(programme, rules, method, weights)
    recommended = base.services.set_index("service")["recommended"]
    picked = {p: t.services.set_index("service")["recommended"] for p, t in tables.items()}
    rows = []
    for service in programme.services:
        row: dict[str, object] = {"service": service.id, "recommended": recommended[service.id]}
        row.update({p: picks[service.id] for p, picks in picked.items()})
        row["agreed"] = len({recommended[service.id], *(picks[service.id] for picks in picked.values())}) == 1
        rows.append(row)
    return PartnerViews(
        list(tables),
        {p: dict(t.weights) for p, t in tables.items()},
        pd.DataFrame(rows),
        tables,
    )


def plan_value_by_partner(
    changes: Mapping[str, str], programme: Programme, tables: Mapping[str, ScoreTable]
) -> dict[str, float]:
    """Each partner's value of a plan's ``changes`` (service -> option) by its own weights: for
    every change, the partner's share of the service times the score gained over the status quo."""
    out: dict[str, float] = {}
    for partner_id, table in tables.items():
        frame = table.options.set_index("option")
        total = 0.0
        for service_id, option_id in changes.items():
            service = programme.service(service_id)
            share = (service.shares or {service.owner: 1.0}).get(partner_id, 0.0)
            if not share:
                continue
            status_quo = table.options[(table.options["service"] == service_id) & table.options["status_quo"]]
            before = float(status_quo["score"].iloc[0]) if len(status_quo) else 0.0
            after = float(frame.at[option_id, "score"])
            total += share * (after - before)
        out[partner_id] = total
    return out
