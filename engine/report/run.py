"""Write a scenario's Cabinet report (and its exempt appendix) in one of the three formats."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from engine.atomic import atomic_write
from engine.errors import InputError
from engine.report.build import build_report
from engine.report.text import render_html, render_markdown
from engine.report.word import render_docx
from engine.scenario import ScenarioResult, load_scenario, run_scenario

FORMATS = ("docx", "md", "html")


def write_report(
    scenario: str | Path,
    out: str | Path,
    compare: Sequence[str | Path] | None = None,
    exempt_out: str | Path | None = None,
    output: str | None = None,
    template: str | Path | None = None,
    draws: int = 1000,
    seed: int = 0,
) -> list[Path]:
    """The files written: the public report, then the exempt appendix if asked for."""
    out = Path(out)
    fmt = output or out.suffix.lstrip(".").lower() or "docx"
    if fmt not in FORMATS:
        raise InputError.one(f"unknown report format `{fmt}`; expected one of {', '.join(FORMATS)}")
    if template is not None and fmt != "docx":
        raise InputError.one("--template applies to Word (docx) reports only")
    result = run_scenario(load_scenario(scenario))
    others = [run_scenario(load_scenario(path)) for path in compare or []]
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        gantt = None
        if result.plan.plan is not None and result.plan.plan.assignments:
            from engine.charts import gantt_png

            # Markdown links to the picture, so it goes beside the report; the others embed it
            gantt = out.with_name(f"{out.stem}-plan.png") if fmt == "md" else Path(scratch) / "plan.png"
            gantt.parent.mkdir(parents=True, exist_ok=True)
            gantt_png(result.plan, gantt)
        targets = [(out, False)] + ([(Path(exempt_out), True)] if exempt_out else [])
        for target, exempt in targets:
            report = build_report(result, others, gantt=gantt, exempt=exempt, draws=draws, seed=seed)
            if fmt == "docx":
                render_docx(report, target, template if not exempt else None)
            elif fmt == "md":
                atomic_write(target, render_markdown(report))
            else:
                atomic_write(target, render_html(report))
            written.append(target)
    return written


def report_bytes(
    result: ScenarioResult,
    others: Sequence[ScenarioResult] = (),
    fmt: str = "docx",
    exempt: bool = False,
    draws: int = 1000,
    seed: int = 0,
) -> bytes:
    """A report of a scenario already run (a what-if on screen), as the bytes of a file to download."""
    if fmt not in FORMATS:
        raise InputError.one(f"unknown report format `{fmt}`; expected one of {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory() as scratch:
        gantt = None
        if result.plan.plan is not None and result.plan.plan.assignments and fmt != "md":
            from engine.charts import gantt_png

            gantt = Path(scratch) / "plan.png"
            gantt_png(result.plan, gantt)
        report = build_report(result, list(others), gantt=gantt, exempt=exempt, draws=draws, seed=seed)
        if fmt == "docx":
            target = Path(scratch) / "report.docx"
            render_docx(report, target)
            return target.read_bytes()
        return (render_markdown(report) if fmt == "md" else render_html(report)).encode("utf-8")
