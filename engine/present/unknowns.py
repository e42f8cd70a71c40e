"""Scores that rest on unknown values, in words and as data: each such option's range while the
values stay unknown, and the recommendations that could change (see engine.scoring.unknowns).

The public view gives a range only where the option's exact score is published and no criterion
that reads an unknown is worked from an exempt figure (``public_ranges``); otherwise it says the
range is withheld.
"""

from __future__ import annotations

from typing import Any

from engine.programme.model import Programme
from engine.scoring.scores import ScoreTable
from engine.scoring.unknowns import ATTRIBUTE, FTE, Unknown, UnknownRanges, public_ranges


def unknown_label(programme: Programme, unknown: Unknown) -> str:
    """``the FTE of Payroll``; ``the outcome of HR by Other Council``."""
    service = programme.service(unknown.service)
    if unknown.field == FTE:
        return f"the FTE of {service.name}"
    option = programme.option(unknown.record)
    what = unknown.field.removeprefix(ATTRIBUTE).replace("_", " ")
    return f"the {what} of {service.name} by {programme.partner(option.provider).name}"


def _shown_ranges(table: ScoreTable, ranges: UnknownRanges, include_exempt: bool) -> list[bool]:
    """Per row, whether its range may be printed."""
    if include_exempt:
        return [True] * len(table.options)
    if not public_ranges(table, ranges):
        return [False] * len(table.options)
    public = table.public_options()["score"]
    return [value == value for value in public]  # NaN: the score itself is withheld or banded


def unknowns_text(table: ScoreTable, ranges: UnknownRanges, include_exempt: bool = False) -> str:
    """The lines ``ssplan score`` adds below the ranking ("" when no score reads an unknown)."""
    programme, rows = table.programme, table.options
    flagged = [i for i, reads in enumerate(ranges.reads) if reads]
    if not flagged:
        return ""
    shown = _shown_ranges(table, ranges, include_exempt)
    lines = ["", "Scores that rest on unknown values (each tried at the values given elsewhere):"]
    for i in flagged:
        row, detail = rows.iloc[i], range_detail(table, ranges, i, shown=shown[i])
        lines.append(f"  {row['option']} ({row['provider_name']}): {detail}")
    if ranges.choices:
        lines += ["", "Recommendations that could change while these values are unknown:"]
        for service, options in ranges.choices.items():
            lines.append(f"  {programme.service(service).name}: " + " or ".join(options))
    return "\n".join(lines)


def range_detail(
    table: ScoreTable, ranges: UnknownRanges, i: int, include_exempt: bool = False, shown: bool | None = None
) -> str:
    """Row ``i``'s score and its range while the unknowns it reads stay unknown, in words."""
    reads = ranges.reads[i]
    names = " and ".join(unknown_label(table.programme, u) for u in reads)
    verb = "are" if len(reads) > 1 else "is"
    if shown is None:
        shown = _shown_ranges(table, ranges, include_exempt)[i]
    if ranges.failed:
        return f"no range: {ranges.failed}"
    if not shown:
        return f"range withheld (exempt figures) while {names} {verb} unknown"
    if ranges.low[i] != ranges.low[i]:
        return f"no range: nothing bounds {names}"
    score = table.options["score"].iloc[i]
    detail = f"{score:.3f} ({ranges.low[i]:.3f}–{ranges.high[i]:.3f} while {names} {verb} unknown)"
    return detail + ("; could be ruled out" if ranges.ruled_out[i] else "")


def unknowns_json(table: ScoreTable, ranges: UnknownRanges, include_exempt: bool = False) -> dict[str, Any]:
    """``unknown_inputs`` and ``score_range`` per option (by the options' order in the JSON), and
    the services whose recommendation could change, for ``ssplan score --format json``."""
    shown = _shown_ranges(table, ranges, include_exempt)
    options = []
    for i, reads in enumerate(ranges.reads):
        bounded = reads and shown[i] and not ranges.failed and ranges.low[i] == ranges.low[i]
        options.append(
            {
                "unknown_inputs": [_unknown_json(table.programme, u) for u in reads],
                "score_range": [round(float(ranges.low[i]), 10), round(float(ranges.high[i]), 10)]
                if bounded
                else None,
                "could_be_ruled_out": bool(ranges.ruled_out[i]) if bounded else None,
            }
        )
    return {
        "options": options,
        "could_change": {s: list(o) for s, o in ranges.choices.items()},
        "ranges_withheld": not include_exempt and not public_ranges(table, ranges),
    }


def _unknown_json(programme: Programme, unknown: Unknown) -> dict[str, Any]:
    return {
        "field": unknown.field,
        "record": unknown.record,
        "path": unknown.path,
        "what": unknown_label(programme, unknown),
        "tried": list(unknown.values),
        "basis": unknown.basis,
    }


def unknowns_columns(
    table: ScoreTable, ranges: UnknownRanges, include_exempt: bool = False
) -> dict[str, list[Any]]:
    """The csv's columns: the unknown fields each option's score read, and its range (blank where
    it read none, or the range is withheld)."""
    data = unknowns_json(table, ranges, include_exempt)["options"]
    return {
        "unknown_inputs": ["; ".join(u["path"] for u in d["unknown_inputs"]) for d in data],
        "score_low": [d["score_range"][0] if d["score_range"] else None for d in data],
        "score_high": [d["score_range"][1] if d["score_range"] else None for d in data],
    }
