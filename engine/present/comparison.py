"""A comparison of scenarios for people: the CLI's table, the HTML page and the workbook speak
names and money (``£2,946,827``, "Human resources: shared with the county under s101"), where the
JSON keeps the engine's ids and exact figures for machines.

Every scenario's programme is consulted for names, so a service or option a what-if adds is named
too; the reference names an id first.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from engine.appraisal.compare import Comparison
from engine.present.frames import change_parts, change_text, choices_frame, name_ids, summary_cells
from engine.present.words import names, option_labels
from engine.programme.exempt import NOT_FOR_PUBLICATION
from engine.programme.model import Programme

HIGHLIGHT = "background-color: #fff3b0; font-weight: bold"


def _programmes(comparison: Comparison) -> list[Programme]:
    return [result.loaded.programme for result in comparison.results]


def _summary(comparison: Comparison) -> pd.DataFrame:
    """Figures down the side, scenarios across: as a side-by-side is read."""
    shown = summary_cells(comparison.summary, _programmes(comparison)).set_index("scenario").T
    shown.columns.name = None
    return shown


def comparison_text(comparison: Comparison) -> str:
    """The terminal's table: the summary, the choices and each change with its reason, in names."""
    programmes = _programmes(comparison)
    lines = [NOT_FOR_PUBLICATION, ""] if comparison.include_exempt else []
    lines += ["Scenarios compared (the first is the reference)", "", _summary(comparison).to_string()]
    lines += ["", "Choices (option and start):", choices_frame(comparison.choices, programmes).to_string()]
    if comparison.changes:
        lines += ["", "What changed against the reference, and why:"]
        lines += [f"- {change_text(c, programmes).replace('*', '', 2)}" for c in comparison.changes]
    return "\n".join(lines)


def comparison_workbook(comparison: Comparison) -> bytes:
    """Summary, choices and changes as three sheets, for officers who work in Excel: names for
    ids, figures left as numbers so Excel can sum them."""
    from engine.io.cells import frames_workbook

    programmes = _programmes(comparison)
    lookup = {k: v for p in reversed(programmes) for k, v in names(p).items()}
    lookup.update({k: v for p in reversed(programmes) for k, v in option_labels(p).items()})  # options win
    summary = comparison.summary.copy()
    for column in summary.columns:
        if column != "scenario" and not pd.api.types.is_numeric_dtype(summary[column]):
            summary[column] = [name_ids(v, lookup) if isinstance(v, str) else v for v in summary[column]]
    changes = pd.DataFrame(
        [change_parts(c, programmes) for c in comparison.changes],
        columns=["scenario", "service", "change", "reason"],
    )
    notice = [("notice", pd.DataFrame({"notice": [NOT_FOR_PUBLICATION]}), False)]
    return frames_workbook(
        (notice if comparison.include_exempt else [])
        + [
            ("summary", summary, False),
            ("choices", choices_frame(comparison.choices, programmes), True),
            ("changes", changes, False),
        ]
    )


def _choices_html(choices: pd.DataFrame) -> str:
    """The choices table, each cell that differs from the reference's marked; written by hand
    because pandas' Styler refuses two services or scenarios of the same name."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in choices.columns)
    rows = []
    for service, cells in zip(choices.index, choices.to_numpy().tolist(), strict=True):
        marked = (
            f"<td style='{HIGHLIGHT}'>" if i and cell != cells[0] else "<td>" for i, cell in enumerate(cells)
        )
        row = "".join(f"{tag}{escape(str(cell))}</td>" for tag, cell in zip(marked, cells, strict=True))
        rows.append(f"<tr><th>{escape(str(service))}</th>{row}</tr>")
    return f"<table><thead><tr><th>Service</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def comparison_html(comparison: Comparison) -> str:
    """A self-contained page: the tables in names, every choice that differs from the reference
    marked, and every text from a file escaped."""
    programmes = _programmes(comparison)

    summary = _summary(comparison).to_html(na_rep="", escape=True)
    table = _choices_html(choices_frame(comparison.choices, programmes))
    changes = "".join(
        f"<li><b>{escape(scenario)}</b>: {escape(service)}: {escape(moved)} <i>({escape(reason)})</i></li>"
        for scenario, service, moved, reason in (change_parts(c, programmes) for c in comparison.changes)
    )
    notice = f"<p style='color:#b00;font-weight:bold'>{NOT_FOR_PUBLICATION}</p>"
    notice = notice if comparison.include_exempt else ""
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Scenarios compared</title>"
        "<style>body{font-family:sans-serif} table{border-collapse:collapse} td,th{border:1px solid #ccc;"
        "padding:4px 8px}</style></head><body>"
        f"{notice}<h1>Scenarios compared</h1>"
        f"<p>The first scenario, <b>{escape(str(comparison.choices.columns[0]))}</b>, is the reference; "
        "changes are highlighted.</p>"
        f"<h2>Summary</h2>{summary}<h2>Choices (option and start)</h2>{table}"
        f"<h2>What changed, and why</h2><ul>{changes}</ul></body></html>"
    )
