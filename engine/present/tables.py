"""Plain-text and workbook renderings of scores and plans, for the CLI (and anyone else)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from engine.io.cells import frames_workbook
from engine.plan.disclosure import Disclosure
from engine.plan.result import PlanResult, usage
from engine.present.frames import name_ids, schedule_frame
from engine.present.mou import verdict_words
from engine.present.words import OBJECTIVES, names
from engine.programme.exempt import band
from engine.programme.naming import option_name
from engine.scoring.scores import ScoreTable


def ranking_text(
    table: ScoreTable, disclosure: Disclosure | None = None, marks: Mapping[str, str] | None = None
) -> str:
    """Services ranked by the gain of their recommended option, then the exceptions; a secret
    option's score is shown as its band (see engine.plan.disclosure).  ``marks`` puts a short
    marker after a service's status (``*`` assumed values, ``≈`` effectively equal)."""
    marks = marks or {}
    disclosure = disclosure or Disclosure.of(table.programme)
    banding_on = table.programme.settings.band_exempt_scores
    banded = disclosure.secret if banding_on else frozenset()
    everything = banding_on and not disclosure.include_exempt and bool(table.secret_scales())

    def shown(value: float, option: object) -> str:
        if value != value:  # NaN: no status quo to gain over (the service must change)
            return "—"
        banding = band(value) if everything or (isinstance(option, str) and option in banded) else None
        return banding or f"{value:.3f}"

    programme, services = table.programme, table.services
    names = [str(n) for n in services["name"]]
    options = [option_name(programme, str(o)) if o else "—" for o in services["recommended"]]
    wide = _width("service", names)  # the recommendation is last: no padding after it
    lines = [
        f"{programme.name}: services ranked by the gain of their recommended option over the status quo",
        f"rule set `{table.rules.id}`, method {table.method.upper()}, weights "
        + ", ".join(f"{c} {w:.2f}" for c, w in table.weights.items()),
        "",
        f"{'#':>3}  {'service':<{wide}}  {'score':>7} {'gain':>7}  {'status':<22}  recommendation",
    ]
    for (_, row), name, option in zip(services.iterrows(), names, options, strict=True):
        score, gain = shown(row["score"], row["recommended"]), shown(row["gain"], row["recommended"])
        status = f"{row['status']}{marks.get(str(row['service']), '')}"
        lines.append(f"{row['priority']:>3}  {name:<{wide}}  {score:>7} {gain:>7}  {status:<22}  {option}")
    if len(table.exceptions):
        lines += ["", "Exceptions (another partner than the expected provider):"]
        for _, e in table.exceptions.iterrows():
            where = f"{programme.service(str(e['service'])).name}, {option_name(programme, str(e['option']))}"
            if everything or {e["option"], e["benchmark_option"]} & disclosure.secret:
                lines.append(f"  {where}: {e['verdict']}; the scores rest on exempt prices and are withheld")
                continue
            lines.append(f"  {where}: {e['verdict']}; {verdict_words(e)}")
    lines += ["", f"Ties: {table.tie_break}."]
    return "\n".join(lines)


def _width(heading: str, cells: list[str]) -> int:
    """A column as wide as its longest name: names are not cut short (two may differ at the end)."""
    return max([len(heading), *map(len, cells)])


def plan_text(result: PlanResult) -> str:
    """Status, advice, the schedule and peak resource use, for the terminal."""
    lines = [result.notice] if result.notice else []
    lines.append(f"Plan ({result.objective} objective, {result.solver}): {result.status_text}")
    if result.objective_value is not None:
        bound = f", bound {result.bound:,.4g}" if result.bound is not None else ""
        lines[-1] += f"; objective {result.objective_value:,.4g}{bound}; {result.solve_seconds:.2f} s"
    if result.proof:
        lines.append(result.proof)
    if result.message:
        lines.append(result.message)
    for advice in result.advice:
        lines.append(f"  - {advice}")
    if result.plan is None or result.programme is None:
        return "\n".join(lines)
    frame, programme = result.to_frame(), result.programme
    names = [programme.service(str(s)).name for s in frame["service"]]
    wide = _width("service", names)
    lines += ["", f"{'service':<{wide}}  {'start':<8}  {'finish':<8}  change"]
    for (_, row), name in zip(frame.iterrows(), names, strict=True):
        mark = "  EXCEPTION" if row["exception"] else ""
        lines.append(
            f"{name:<{wide}}  {row['start_label']:<8}  {row['finish_label']:<8}  "
            f"{option_name(programme, str(row['option']))}{mark}"
        )
        if row["stages"]:
            lines.append(f"{'':<{wide}}  in stages: {row['stages']}")
    for service_id in result.negative_npv:
        lines.append(
            f"WARNING: {result.programme.service(service_id).name} loses money over its appraisal "
            "(negative net present value); it is in the plan for its score, not its savings"
        )
    kept = [s for s in result.programme.services if s.id not in set(frame["service"])]
    if kept:
        lines += ["", "Kept as they are, and why:"]
        for service in kept:
            why = result.left_out.get(service.id, "")
            lines.append(f"  {service.name}" + (f": {why}" if why else ""))
    used = usage(result.plan, result.programme)
    if used:
        lines.append("")
        for pool in result.programme.resources:
            peak = max(used[pool.id], default=0.0)
            lines.append(f"{pool.name}: peak {peak:g} {pool.unit} in a {result.programme.horizon.period}")
    lines.append(f"makespan: {result.plan.makespan} {result.programme.horizon.period}s")
    return "\n".join(lines)


def plan_workbook(result: PlanResult) -> bytes:
    """The plan as an Excel workbook for officers: what the plan is and why, the schedule and each
    resource's use per period, with services, options and pools by name and months as words
    (``--format json``/``csv`` keep the ids and exact figures for machines)."""
    programme = result.programme
    lookup = names(programme) if programme is not None else {}
    rows = [("Plan", result.status_text), ("Objective", OBJECTIVES.get(result.objective, result.objective))]
    rows += [("Proof", result.proof), ("Message", result.message), ("Notice", result.notice)]
    rows += [("Advice", line) for line in result.advice]
    if programme is not None:
        rows.insert(0, ("Programme", programme.name))
        if result.plan is not None:  # as the Plan page says it: every service kept, and why
            changed = {a.service for a in result.plan.assignments}
            rows += [
                (f"Kept as it is: {s.name}", result.left_out.get(s.id, "not worked out for this plan"))
                for s in programme.services
                if s.id not in changed
            ]
        rows += [
            (f"Loses money: {programme.service(s).name}", "negative net present value over its appraisal")
            for s in result.negative_npv
        ]
    summary = pd.DataFrame(
        [(item, name_ids(text, lookup)) for item, text in rows if text], columns=["Item", "Value"]
    )
    sheets = [("Summary", summary, False)]
    if result.plan is not None and programme is not None:
        sheets.append(("Schedule", schedule_frame(result.to_frame(), programme), False))
        horizon, used = programme.horizon, usage(result.plan, programme)
        per_pool = {f"{p.name} ({p.unit})": [round(v, 2) for v in used[p.id]] for p in programme.resources}
        labels = pd.Index([horizon.label(t) for t in range(result.plan.periods)], name="Period")
        sheets.append(("Resource use", pd.DataFrame(per_pool, index=labels), True))
    return frames_workbook(sheets)
