"""Assumed values in words and as data: which inputs of each score the rule set assumed, and the
part of the score they carry ("outcome not given: assumed 3 (0.125 of 0.612)").

The public view withholds the part carried wherever the option's score is banded or withheld, or a
criterion it runs through is worked from an exempt figure (the part would then bracket the
secret), and withholds the value assumed where the default is worked from the option's own
figures rather than being a constant of the rule set.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from engine.programme.naming import option_name
from engine.scoring.assumed import Assumed, resting_on_assumed
from engine.scoring.scores import ScoreTable, secret_fields

NOTE = (
    "a value the file does not give, read through the rule set's default "
    "(`?? default`); `ssplan score --strict` refuses them"
)


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}" if isinstance(value, float) else str(value)


_PUBLIC: dict[int, tuple[ScoreTable, pd.DataFrame]] = {}


def _public(table: ScoreTable) -> pd.DataFrame:
    """The table's public options frame, worked out once per table (it walks every row)."""
    held = _PUBLIC.get(id(table))
    if held is None or held[0] is not table:
        _PUBLIC.clear()  # one table at a time: nothing outlives the output being written
        held = _PUBLIC[id(table)] = (table, table.public_options())
    return held[1]


def shown_parts(table: ScoreTable, a: Assumed, include_exempt: bool) -> tuple[bool, bool]:
    """(whether the value assumed may be shown, whether the part of the score it carries may)."""
    if include_exempt:
        return True, True
    row = _public(table).iloc[a.row]
    secret = bool(row["exempt"]) or bool(secret_fields(table.table, a.row))
    carried = row["score"] == row["score"] and all(
        row[f"{c}.contribution"] == row[f"{c}.contribution"] for c in a.criteria
    )
    return a.constant or not secret, bool(carried)


def assumed_label(table: ScoreTable, a: Assumed, include_exempt: bool = False) -> str:
    """``outcome not given: assumed 3 (0.125 of 0.612)``."""
    value_shown, carried = shown_parts(table, a, include_exempt)
    head = f"{a.name} {a.state}: assumed {_value(a.value) if value_shown else 'a value (withheld)'}"
    score = float(table.options["score"].iloc[a.row])
    if score != score:
        return f"{head} (option ruled out)"
    if not a.criteria:
        return f"{head} (read only by {', '.join(a.rules)}; carries no weight)"
    if not carried:
        return f"{head} (the part of the score it carries is withheld: exempt figures)"
    if abs(a.contribution) < 5e-4:  # on a change scale the default is often "no change from today"
        return f"{head} (counted as no change from today: none of the score {score:.3f})"
    return f"{head} ({a.contribution:.3f} of {score:.3f})"


def summary_line(table: ScoreTable, assumed: list[list[Assumed]]) -> str:
    resting, scored = resting_on_assumed(table, assumed)
    return f"{resting} of {scored} options rest partly on assumed values"


def assumed_text(table: ScoreTable, assumed: list[list[Assumed]], include_exempt: bool = False) -> str:
    """The footnote ``ssplan score`` adds below the ranking ("" when nothing is assumed)."""
    if not any(assumed):
        return ""
    lines = ["", f"* {summary_line(table, assumed)} ({NOTE}):"]
    for i, items in enumerate(assumed):
        if items:
            row = table.options.iloc[i]
            labels = "; ".join(assumed_label(table, a, include_exempt) for a in items)
            service = table.programme.service(str(row["service"])).name
            lines.append(f"  {service}, {option_name(table.programme, str(row['option']))}: {labels}")
    return "\n".join(lines)


def assumed_json(
    table: ScoreTable, assumed: list[list[Assumed]], include_exempt: bool = False
) -> list[list[dict[str, Any]]]:
    """Per option, its ``assumed`` list: field, path, state, value used, the part it carries."""
    out = []
    for items in assumed:
        entries = []
        for a in items:
            value_shown, carried = shown_parts(table, a, include_exempt)
            scored = a.contribution == a.contribution
            entries.append(
                {
                    "field": a.field,
                    "path": a.path,
                    "state": a.state,
                    "value": a.value if value_shown else None,
                    "criteria": list(a.criteria),
                    "rules": list(a.rules),
                    "contribution": round(a.contribution, 10) if carried and scored else None,
                    "text": assumed_label(table, a, include_exempt),
                }
            )
        out.append(entries)
    return out


def assumed_columns(
    table: ScoreTable, assumed: list[list[Assumed]], include_exempt: bool = False
) -> dict[str, list[Any]]:
    """The csv's columns: the fields assumed (``attributes.outcome=3``) and the part they carry."""
    data = assumed_json(table, assumed, include_exempt)
    fields, parts = [], []
    for i, entries in enumerate(data):
        fields.append(
            "; ".join(
                f"{e['path']}={_value(e['value']) if e['value'] is not None else 'withheld'}" for e in entries
            )
        )
        criteria = {c for e in entries for c in e["criteria"]}  # two fields in one criterion: once
        withheld = any(e["contribution"] is None for e in entries if e["criteria"])
        total = sum(float(table.options[f"{c}.contribution"].iloc[i]) for c in criteria)
        parts.append(round(total, 10) if criteria and not withheld and total == total else None)
    return {"assumed": fields, "assumed_contribution": parts}
