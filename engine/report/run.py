"""Write a scenario's Cabinet report (and its exempt appendix) in one of the three formats."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from engine.atomic import atomic_write
from engine.errors import InputError
from engine.report.build import build_report
from engine.report.evidence import gather
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
    targets = [(out, False)] + ([(Path(exempt_out), True)] if exempt_out else [])
    return _write(result, others, targets, fmt, template, draws, seed)


def report_downloads(result: ScenarioResult, draws: int = 1000, seed: int = 0) -> tuple[bytes, bytes]:
    """The Word report of a scenario already run (a what-if on screen) and its exempt appendix,
    as the bytes of two files to download."""
    with tempfile.TemporaryDirectory() as folder:
        public, exempt = Path(folder) / "report.docx", Path(folder) / "exempt.docx"
        _write(result, [], [(public, False), (exempt, True)], "docx", None, draws, seed)
        return public.read_bytes(), exempt.read_bytes()


def _write(
    result: ScenarioResult,
    others: list[ScenarioResult],
    targets: list[tuple[Path, bool]],
    fmt: str,
    template: str | Path | None,
    draws: int,
    seed: int,
) -> list[Path]:
    """Each (file, exempt?) target, from one set of evidence and one chart."""
    evidence = gather(result, draws=draws, seed=seed)  # sensitivity and switching values: the slow part
    with tempfile.TemporaryDirectory() as scratch:
        gantt = None
        if result.plan.plan is not None and result.plan.plan.assignments:
            from engine.charts import gantt_png

            # Markdown links to the picture, so it goes beside the report; the others embed it
            first = targets[0][0]
            gantt = first.with_name(f"{first.stem}-plan.png") if fmt == "md" else Path(scratch) / "plan.png"
            gantt.parent.mkdir(parents=True, exist_ok=True)
            gantt_png(result.plan, gantt)
        for target, exempt in targets:
            report = build_report(result, others, gantt, exempt, draws, seed, evidence)
            if fmt == "docx":
                render_docx(report, target, template if not exempt else None)
            elif fmt == "md":
                atomic_write(target, render_markdown(report))
            else:
                atomic_write(target, render_html(report))
    return [target for target, _ in targets]
