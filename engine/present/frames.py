"""Tables for people: the engine's frames with names for ids, human column labels, and figures
left as numbers so the app can format them (£ with separators, scores to three decimals).

The app's pages draw these as they are; which columns are money, scores or percentages is said by
:data:`MONEY`, :data:`SCORES` and :data:`PERCENTS`, which the app turns into column formats.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import pandas as pd

from engine.base.errors import Problem
from engine.present.words import (
    missing,
    names,
    option_labels,
    option_name,
    payback_words,
    pounds,
    score_text,
    when_text,
    words,
)
from engine.programme.model import Programme
from engine.scoring.scores import ScoreTable
from engine.scoring.ties import Ties

MONEY = frozenset(
    {
        "One-off cost",
        "Stranded costs",
        "Annual cost",
        "Annual saving",
        "Current annual cost",
        "NPV",
        "Benchmark NPV",
        "NPV needed",
        "Short by",
        "One-off costs",
        "Savings",
        "Net",
        "Resource cost",
        "Funding",
        "One-off net of funding",
        "Capitalised",
        "Revenue one-off",
        "Budget",
    }
)
SCORES = frozenset({"Score", "Gain", "Benchmark score"})
SHOWN = "shown"  # a frame's attrs key: column -> row position -> the text that cell shows
WITHHELD = "withheld"
PERCENTS = frozenset(
    {
        "Same recommendation",
        "In the first 3",
        "Chance recommended",
        "Weights alone",
        "Costs alone",
        "Chance it changes",
        "Chance in the first wave",
    }
)
RANKING_HELP = {  # the ranking's column tooltips
    "Gain": "How much the recommended option scores above keeping the service as it is",
    "Score": "The recommended option's score (0 = as today)",
    "Status": "change, change by exception (not the expected provider), or keep as it is",
    "Tied with": "Services (by their place, #) whose gain is effectively equal (within the tie tolerance)",
}
STATUS = {
    "change": "change",
    "exception": "change by exception",
    "keep the status quo": "keep as it is",
    "no eligible option": "no eligible option",
}


def name_ids(text: object, lookup: Mapping[str, str]) -> str:
    """``text`` with every whole id in ``lookup`` replaced by its name (longest ids first, so
    ``hr-county-s101`` is never read as ``hr`` followed by something)."""
    out = str(text)
    if not lookup:
        return out
    ids = sorted(lookup, key=len, reverse=True)
    # an id may be all digits: never a part of a figure (£100,000, 12.5%, +£12,500, 2016/17)
    before, after = r"(?<![\w\-£$+−.,/])", r"(?![\w\-%/]|[.,]\d)"
    pattern = re.compile(before + "(" + "|".join(re.escape(i) for i in ids) + ")" + after)
    return pattern.sub(lambda m: lookup[m.group(1)], out)


def option_names(programme: Programme) -> dict[str, str]:
    return {
        o.id: option_name(programme, o.id) for s in programme.services for o in programme.options_for(s.id)
    }


def ranking_frame(table: ScoreTable, ties: Ties) -> pd.DataFrame:
    """The ranking as a director reads it: priority, service, status, gain and score, then the
    recommendation (its model and provider) and the ties only where there are any.  The short
    columns come first so a narrow window still shows them; no ids, and no provider column
    repeating the recommendation."""
    programme = table.programme
    services = table.public_services().reset_index(drop=True)
    lookup = names(programme)
    frame = pd.DataFrame(
        {
            "#": services["priority"],
            "Service": services["name"],
            "Status": [STATUS.get(str(s), str(s)) for s in services["status"]],
            "Gain": pd.to_numeric(services["gain"], errors="coerce"),
            "Score": pd.to_numeric(services["score"], errors="coerce"),
            "Recommended": [option_name(programme, str(o)) if o else "—" for o in services["recommended"]],
        }
    )
    # a score published as a band ("0.8–0.9": its prices are exempt) is shown as the band
    frame.attrs[SHOWN] = {
        column: {i: str(v) for i, v in enumerate(services[source]) if isinstance(v, str)}
        for column, source in (("Gain", "gain"), ("Score", "score"))
    }
    place = dict(zip(services["service"], services["priority"], strict=True))
    equal = [
        ", ".join(f"#{place[o]}" if o in place else lookup.get(o, o) for o in others)
        for others in ties.services
    ]
    if any(equal):  # by place in the ranking: short, so the table fits the page
        frame.insert(5, "Tied with", equal)  # before the long recommendation, so it shows
    options = option_names(programme)  # option ids: an option's name, never a partner's of the same id
    tied = [
        ", ".join(options.get(str(o), name_ids(o, lookup)) for o in ties.recommendation.get(s, []))
        for s in services["service"]
    ]
    if any(tied):
        frame["Recommendation tied with"] = tied
    return frame


def exceptions_frame(table: ScoreTable) -> pd.DataFrame:
    """Exceptions with names and money columns (NaN where withheld: the app shows it empty)."""
    programme, found = table.programme, table.public_exceptions().reset_index(drop=True)
    full = table.exceptions.reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "Service": [programme.service(s).name for s in found["service"]],
            "Option": [option_name(programme, str(o)) for o in found["option"]],
            "Score": pd.to_numeric(found["score"], errors="coerce"),
            "NPV": pd.to_numeric(found["npv"], errors="coerce"),
            "Benchmark NPV": pd.to_numeric(found["benchmark_npv"], errors="coerce"),
            "NPV needed": pd.to_numeric(found["required_npv"], errors="coerce"),
            "Short by": pd.to_numeric(found["gap"], errors="coerce"),
            "Verdict": found["verdict"].astype(str),
        }
    )
    withheld = {  # a figure the public view blanked where the full table has one: withheld, not missing
        column: {
            i: WITHHELD
            for i in range(len(found))
            if missing(found[source][i]) and not missing(full[source][i])
        }
        for column, source in EXCEPTION_FIGURES.items()
        if source in found.columns and source in full.columns
    }
    frame.attrs[SHOWN] = withheld
    return frame


EXCEPTION_FIGURES = {
    "Score": "score",
    "NPV": "npv",
    "Benchmark NPV": "benchmark_npv",
    "NPV needed": "required_npv",
    "Short by": "gap",
}


def cell_text(column: str, value: object) -> str:
    """A money or score cell as a director reads it: "−£162,900" (the sign before the £, as the
    report writes it), a score to three decimals, and a missing figure blank (never "None")."""
    if missing(value) or not isinstance(value, (int, float)):
        return "" if missing(value) else str(value)
    return pounds(float(value)) if column in MONEY else score_text(float(value))


def cell_formats(frame: pd.DataFrame) -> tuple[dict[str, Callable[[object], str]], dict[str, dict[int, str]]]:
    """How ``frame``'s money and score cells read: a formatter per column (:func:`cell_text`) and
    the cells a frame words itself (``attrs[SHOWN]``: "withheld", a score's band), by position.
    The app shows these as display values over the numbers, so the columns still sort."""
    columns = [str(c) for c in frame.columns if str(c) in MONEY or str(c) in SCORES]
    given: dict[str, dict[int, str]] = frame.attrs.get(SHOWN, {})
    formatters: dict[str, Callable[[object], str]] = {c: functools.partial(cell_text, c) for c in columns}
    return formatters, {c: cells for c, cells in given.items() if c in columns and cells}


def shown_texts(frame: pd.DataFrame) -> dict[str, list[str]]:
    """What each money and score cell of ``frame`` shows (:func:`cell_formats`), for the CLI's
    and the tests' view of a table as the app draws it."""
    formatters, given = cell_formats(frame)
    return {
        c: [given.get(c, {}).get(i, format_(v)) for i, v in enumerate(frame[c])]
        for c, format_ in formatters.items()
    }


def schedule_frame(schedule: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """A plan's schedule: service, change (by name), provider, start, finish and stages."""
    lookup = option_names(programme)
    return pd.DataFrame(
        {
            "Service": schedule["service_name"],
            "Change": [lookup.get(str(o), str(o)) for o in schedule["option"]],
            "Exception": schedule["exception"].map({True: "yes", False: ""}),
            "Start": schedule["start_label"],
            "Finish": schedule["finish_label"],
            "In stages": [name_ids(s, lookup) for s in schedule["stages"]],
        }
    )


LABELS = {
    "financial year": "Financial year",
    "one-off costs": "One-off costs",
    "savings": "Savings",
    "net": "Net",
    "funding": "Funding",
    "one-off net of funding": "One-off net of funding",
    "capitalised": "Capitalised",
    "revenue one-off": "Revenue one-off",
    "partner": "Partner",
    "one_off": "One-off cost",
    "resource_cost": "Resource cost",
    "annual_saving": "Annual saving",
    "npv": "NPV",
}


def money_frame(frame: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """A finance frame (by year or by partner) with human labels and partners by name."""
    shown = frame.rename(columns=lambda c: LABELS.get(str(c), str(c)[:1].upper() + str(c)[1:]))
    if "Partner" in shown:
        lookup = names(programme)
        shown["Partner"] = [lookup.get(str(p), str(p)) for p in shown["Partner"]]
    return shown


Programmes = Programme | Sequence[Programme]


def _merged(programmes: Programmes, lookup: Callable[[Programme], Mapping[str, str]]) -> dict[str, str]:
    """One id → name table over several programmes (a comparison's scenarios may add services or
    options the reference lacks); where two name an id, the first (the reference) wins."""
    found: dict[str, str] = {}
    for programme in reversed([programmes] if isinstance(programmes, Programme) else list(programmes)):
        found.update(lookup(programme))
    return found


def summary_cells(summary: pd.DataFrame, programmes: Programmes) -> pd.DataFrame:
    """Compare's side-by-side summary (one row per scenario) as text a director reads: £ with
    separators, the objective's value to three decimals, payback to one decimal place, ids named."""
    lookup = {**_merged(programmes, names), **_merged(programmes, option_labels)}  # lists of options
    out = summary.copy().astype(object)
    for column in out.columns:
        label = str(column)
        if "(£" in label:
            out[column] = [pounds(v) if isinstance(v, (int, float)) else v for v in summary[column]]
        elif label == "objective value":
            out[column] = [score_text(v) if isinstance(v, (int, float)) else v for v in summary[column]]
        elif label.startswith("payback"):
            out[column] = _paybacks(summary, column)
        elif label == "plan objective":
            out[column] = [words(v) for v in summary[column]]
        elif label != "scenario" and not pd.api.types.is_numeric_dtype(summary[column]):
            out[column] = [name_ids(v, lookup) if isinstance(v, str) else v for v in summary[column]]
    return out.fillna("").astype(str)


def _paybacks(summary: pd.DataFrame, column: object) -> list[str]:
    """Compare's payback column in the Plan page's words: "no change, so no payback" where no
    service changes, "no spending" where nothing is spent (payback 0), else the years."""
    changing = summary.get("services changing", pd.Series([1] * len(summary)))
    spent = summary.get("one-off cost (£)", pd.Series([1.0] * len(summary)))
    out = []
    for years, changes, one_off in zip(summary[column], changing, spent, strict=True):
        number, cost = _number(years), _number(one_off)
        if changes == 0:
            out.append(payback_words(None, True))
        elif cost is None:
            out.append("")  # no plan, or its money withheld: blank
        else:
            spends = not (cost == 0 and number is not None and round(number, 1) == 0)
            out.append(payback_words(number, False, spends).removesuffix(" years"))  # the column says years
    return out


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and value == value else None


def choices_frame(choices: pd.DataFrame, programmes: Programmes) -> pd.DataFrame:
    """Compare's choices: services by name, options by name."""
    lookup = _merged(programmes, option_names)
    services = _merged(programmes, names)
    shown = choices.map(lambda v: name_ids(v, lookup))
    shown.index = [services.get(str(s), str(s)) for s in shown.index]
    shown.index.name = "Service"
    return shown


def change_parts(change: Mapping[str, str], programmes: Programmes) -> tuple[str, str, str, str]:
    """One change against the reference scenario in names: scenario, service, "from → to", why."""
    lookup = _merged(programmes, names)
    options = _merged(programmes, option_names)
    moved = f"{name_ids(change['from'], options)} → {name_ids(change['to'], options)}"
    service = lookup.get(change["service"], change["service"])
    return change["scenario"], service, moved, name_ids(change["reason"], lookup)


def change_text(change: Mapping[str, str], programmes: Programmes) -> str:
    """One change against the reference scenario, in names (Markdown)."""
    scenario, service, moved, reason = change_parts(change, programmes)
    return f"*{scenario}*: {service}: {moved} ({reason})"


def switching_frame(rows: Sequence[Mapping[str, object]], programme: Programme) -> pd.DataFrame:
    """Switching values of the exceptions: the exception (an option: "Service: option", never the
    partner whose id it shares) and what moves it by name."""
    lookup = names(programme)
    labels = option_labels(programme)
    return pd.DataFrame(
        {
            "Exception": [labels.get(str(r["exception"]), str(r["exception"])) for r in rows],
            "What moves": [name_ids(r["moving"], lookup) for r in rows],
            "What would flip it": [name_ids(r["what would flip it"], lookup) for r in rows],
        }
    )


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Every problem of a file in one table: where it is as its format places it (a YAML file by
    line and field, a workbook by sheet, row and column), and what is wrong."""
    rows = []
    for p in problems:
        if p.sheet is not None or p.row is not None:
            place = [f"sheet {p.sheet}" if p.sheet else "", f"row {p.row}" if p.row is not None else ""]
            place.append(f"column {p.column}" if p.column is not None else "")
            where = ", ".join(x for x in place if x)
        else:
            where = f"line {p.line}" if p.line is not None else ""
        rows.append(
            {
                "File": p.file or "",
                "Where": where,
                "Field": p.field or "",
                "Problem": p.message + (f" ({p.hint})" if p.hint else ""),
            }
        )
    return pd.DataFrame(rows, columns=["File", "Where", "Field", "Problem"])


def runs_frame(runs: list[dict[str, object]], programme: Programme) -> pd.DataFrame:
    """The store's runs with human labels; the programme in hand by name."""
    frame = pd.DataFrame(runs)
    if frame.empty:
        return frame
    if "programme" in frame:
        frame["programme"] = [programme.name if p == programme.id else p for p in frame["programme"]]
    if "created" in frame:
        frame["created"] = [when_text(c) for c in frame["created"]]
    if "not_for_publication" in frame:
        frame["not_for_publication"] = frame["not_for_publication"].map({True: "yes", False: ""})
    labels = {
        "id": "Run",
        "created": "Stored",
        "scenario": "What-if",
        "programme": "Programme",
        "status": "Plan",
        "inputs_hash": "Inputs (hash)",
        "decisions": "Decisions",
        "not_for_publication": "Not for publication",
    }
    return frame.rename(columns=lambda c: labels.get(str(c), str(c).replace("_", " ").capitalize()))
