"""The partner exit stress test in words: who is affected, the plan after, each partner's money."""

from __future__ import annotations

from typing import Any

from engine.appraisal.exit import ExitAnalysis
from engine.present.summary import money
from engine.present.words import named, option_labels
from engine.programme.calendar import day_text
from engine.programme.naming import option_name


def exit_text(analysis: ExitAnalysis) -> str:
    """What a Section 151 officer reads first: each partner's NPV before and after, then the
    services affected and what the new plan does with the ones the partner leaves behind."""
    programme = analysis.before.loaded.programme
    who = programme.partner(analysis.partner).name
    when = f"on {day_text(analysis.at)}" if analysis.at else "now"
    lines = [f"If {who} leaves the programme {when}:", ""]
    names = [programme.service(s).name for s in analysis.provides]
    lines.append(f"It provides: {', '.join(names) or 'nothing, today or in the plan'}.")
    lines.append(
        f"It is a client of: {', '.join(programme.service(s).name for s in analysis.receives) or 'none'}."
    )
    lines.append(
        f"The plan as it stands: {analysis.before.plan.status_text}; "
        f"after it leaves: {analysis.after_status()}."
    )
    if analysis.after_advice():
        lines += ["", "Why no plan can be made:", *(f"  {a}" for a in analysis.after_advice())]
    lines += [f"Without it: {note}." for note in analysis.notes()]
    partial = bool(analysis.withheld())  # public figures leave exempt options out: no like-for-like change
    lines += ["", "Net present value by partner (£, the finance's appraisal):"]
    for partner, before, now in analysis.npv_by_partner():
        name = programme.partner(partner).name
        left = "left the programme" if partner == analysis.partner and analysis.at is None else _money(now)
        change = "" if before is None or now is None or partial else f"  ({_signed(now - before)})"
        lines.append(f"  {name}: {_money(before)} before, {left} after{change}")
    for service, option, one_off in analysis.left_behind():
        what = option_name(programme, option)
        lines.append(f"{programme.service(service).name} changes to {what}: one-off {money(one_off)}.")
    hidden = named(analysis.withheld(), option_labels(programme))
    if hidden:
        lines.append(f"Left out of the figures (exempt): {', '.join(hidden)}.")
    return "\n".join(lines) + "\n"


def exit_json(analysis: ExitAnalysis) -> dict[str, Any]:
    return {
        "partner": analysis.partner,
        "at": analysis.at.isoformat() if analysis.at else None,
        "provides": analysis.provides,
        "receives": analysis.receives,
        "plan_before": analysis.before.plan.status_text,
        "plan_after": analysis.after_status(),
        "npv_by_partner": [
            {"partner": p, "before": _round(b), "after": _round(a)} for p, b, a in analysis.npv_by_partner()
        ],
        "left_behind": [
            {"service": s, "option": o, "one_off": round(c, 2)} for s, o, c in analysis.left_behind()
        ],
        "left_out_as_exempt": analysis.withheld(),
        "notes": analysis.notes(),
    }


def _money(value: float | None) -> str:
    return "no plan" if value is None else money(value)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + money(abs(value))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
