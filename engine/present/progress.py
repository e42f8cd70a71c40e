"""Benefits realisation in words and tables: each change planned against actual, the savings
against the target, and the re-plan from today — names and money as officers write them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from engine.appraisal.as_of import cut_off
from engine.appraisal.progress import ByYear, ChangeProgress, Progress
from engine.present.summary import EXEMPT, money
from engine.programme.calendar import day_text

COLUMNS = (
    "service",
    "service_name",
    "option",
    "state",
    "late",
    "planned_start",
    "planned_live",
    "started",
    "live",
    "financial_year",
    "one_off_planned",
    "one_off_actual",
    "savings_planned",
    "savings_actual",
)


def _day(value: date | None) -> str:
    return f"{day_text(value, short=True)}" if value else "—"


def _pounds(values: ByYear | None, year: str | None = None) -> str:
    if values is None:
        return EXEMPT
    return money(values.get(year, 0.0) if year else sum(values.values()))


def _share(value: float | None) -> str:
    return EXEMPT if value is None else f"{value * 100:.1f}".rstrip("0").rstrip(".") + " %"


def status_words(report: Progress, change: ChangeProgress) -> str:
    """ "live 20 May 2016 (planned 01 Jun 2016)", "in progress, started … (planned to start … and go
    live …)", "not started; planned …": an in-progress change gives both planned dates, so its start
    is never read against the planned go-live."""
    planned = f"planned {_day(change.planned_live)}" if change.planned_live else "not in the plan"
    if change.state == "live":
        return f"live {_day(change.live)} ({planned})" + (", late" if change.late else "")
    if change.state == "in progress":
        when = (
            f"planned to start {_day(change.planned_start)} and go live {_day(change.planned_live)}"
            if change.planned_start and change.planned_live
            else planned
        )
        return f"in progress, started {_day(change.started)} ({when})" + (", late" if change.late else "")
    start = f"planned to start {_day(change.planned_start)}"
    return f"not started; {start}" + (", late" if change.late else "")


def progress_text(report: Progress) -> str:
    p = report.programme
    cut = cut_off(p, report.as_of)
    lines = [
        f"Progress of {p.name} as of {day_text(report.as_of)}",
        f"Compared with {report.against}; money by financial year to {day_text(cut)} "
        "(planned: no optimism bias).",
        "",
    ]
    for change in report.changes:
        option = p.option(change.option)
        lines.append(
            f"{p.service(change.service).name} — {p.partner(option.provider).name} ({change.option}):"
        )
        lines.append(f"  {status_words(report, change)}")
        for year in _years(change):
            lines.append(
                f"  {year}: one-off {_pounds(change.one_off_actual, year)} spent of "
                f"{_pounds(change.one_off_planned, year)} planned; "
                f"savings {_pounds(change.savings_actual, year)} achieved of "
                f"{_pounds(change.savings_planned, year)} planned"
            )
        if change.state == "live":
            how = "measured since go-live" if change.measured else "as planned: no savings recorded yet"
            rate = EXEMPT if change.rate is None else money(change.rate)
            lines.append(f"  saving {rate} a year ({how})")
    lines += ["", *_target_lines(report), "", *_replan_lines(report)]
    return "\n".join(lines) + "\n"


def _years(change: ChangeProgress) -> list[str]:
    found = set()
    for values in (
        change.one_off_planned,
        change.one_off_actual,
        change.savings_planned,
        change.savings_actual,
    ):
        found |= set(values or ())
    return sorted(found)


def _target_lines(report: Progress) -> list[str]:
    t = report.target
    if t is None:
        return ["The programme sets no savings target."]
    target = EXEMPT if t.target is None else money(t.target)
    out = [
        f"Savings target: {_share(t.target_share)} targeted ({target} a year); "
        f"{_share(t.achieved_share)} achieved so far ({_money(t.achieved)} a year); "
        f"{_share(t.forecast_share)} forecast once the re-plan is done ({_money(t.forecast)} a year)."
    ]
    if t.late:
        names = ", ".join(report.programme.service(s).name for s in t.late)
        out.append(f"In place only after the target date: {names}.")
    if t.withheld:
        out.append(f"Withheld: {t.withheld}.")
    return out


def _money(value: float | None) -> str:
    return EXEMPT if value is None else money(value)


def _replan_lines(report: Progress) -> list[str]:
    result, rebased = report.replan, report.rebased
    if result is None or rebased is None:
        return [f"Re-plan: {note}." for note in report.notes]
    out = [f"Re-plan from {rebased.horizon.start:%B %Y} with the actuals as facts: {result.status_text}"]
    horizon = rebased.horizon
    for a in sorted(result.plan.assignments if result.plan else (), key=lambda a: (a.start, a.service)):
        out.append(
            f"  {rebased.service(a.service).name}: {rebased.partner(a.provider).name} ({a.option}), "
            f"{horizon.label(a.start)} to {horizon.label(a.finish)}, live {_day(horizon.period_start(a.end))}"
        )
    out += [f"  {line}" for line in result.advice]
    out += [f"  {rebased.service(s).name} stays as it is: {why}" for s, why in _left_out(report).items()]
    out += [f"  {note}." for note in report.notes]
    return out


def _left_out(report: Progress) -> dict[str, str]:
    """Why the re-plan leaves each service not yet live as it is (the live ones have nothing to do)."""
    if report.replan is None:
        return {}
    waiting = {c.service for c in report.changes if c.state != "live"}
    return {s: why for s, why in report.replan.left_out.items() if s in waiting}


def progress_frame(report: Progress) -> pd.DataFrame:
    """One row per change and financial year (a change with no money yet has one row)."""
    p, rows = report.programme, []
    for change in report.changes:
        base = {
            "service": change.service,
            "service_name": p.service(change.service).name,
            "option": change.option,
            "state": change.state,
            "late": change.late,
            "planned_start": _iso(change.planned_start),
            "planned_live": _iso(change.planned_live),
            "started": _iso(change.started),
            "live": _iso(change.live),
        }
        years: list[str | None] = [*_years(change)] or [None]
        for year in years:
            rows.append(
                {
                    **base,
                    "financial_year": year,
                    **{name: _cell(getattr(change, name), year) for name in COLUMNS[-4:]},
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _cell(values: ByYear | None, year: str | None) -> float | str | None:
    if values is None:
        return EXEMPT
    return None if year is None else round(values.get(year, 0.0), 2)


def progress_json(report: Progress) -> dict[str, Any]:
    t, result = report.target, report.replan
    return {
        "programme": report.programme.id,
        "as_of": report.as_of.isoformat(),
        "compared_with": report.against,
        "changes": progress_frame(report).astype(object).where(lambda f: f.notna(), None).to_dict("records"),
        "target": None
        if t is None
        else {
            "target": t.target,
            "target_share": t.target_share,
            "achieved": t.achieved,
            "achieved_share": t.achieved_share,
            "forecast": t.forecast,
            "forecast_share": t.forecast_share,
            "late": t.late,
            "withheld": t.withheld,
        },
        "replan": None
        if result is None
        else {"status": result.status_text, **_schedule(result), "left_out": _left_out(report)},
        "notes": report.notes,
    }


def _schedule(result: Any) -> dict[str, Any]:
    frame = result.to_frame()
    keep = ["service", "option", "provider", "start_date", "finish_date"]
    return {"schedule": frame[keep].to_dict("records"), "advice": result.advice}
