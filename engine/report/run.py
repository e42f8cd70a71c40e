"""Write a scenario's Cabinet report (and its exempt appendix) in one of the three formats."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from engine.appraisal.evidence import Evidence, gather
from engine.appraisal.scenario import ScenarioResult, load_scenario, run_scenario
from engine.base.errors import InputError
from engine.io.atomic import atomic_write, check_target, private_writes, same_file
from engine.report.build import build_report
from engine.report.council import councils, find_council
from engine.report.resolutions import has_exempt
from engine.report.text import render_html, render_markdown
from engine.report.word import render_docx

FORMATS = ("docx", "md", "html")
SUFFIXES = {"docx": (".docx",), "md": (".md", ".markdown"), "html": (".html", ".htm")}


def report_targets(
    out: str | Path, exempt_out: str | Path | None = None, output: str | None = None
) -> tuple[str, list[tuple[Path, bool]]]:
    """The format and the (file, exempt?) targets, refused before any work when a target cannot
    be written, when the public report and the exempt appendix are one file (however spelt), or
    when a file's extension says another format than the one written."""
    out = Path(out)
    by_suffix = {suffix: fmt for fmt, suffixes in SUFFIXES.items() for suffix in suffixes}
    suffix = out.suffix.lower()
    fmt = output or by_suffix.get(suffix) or ("docx" if not suffix else suffix.lstrip("."))
    if fmt not in FORMATS:
        raise InputError.one(
            f"unknown report format `{fmt}`; expected one of {', '.join(FORMATS)}",
            file=str(out),
            field="--out",
        )
    targets = [(out, False)] + ([(Path(exempt_out), True)] if exempt_out else [])
    for (target, _), option in zip(targets, ("--out", "--exempt-out"), strict=False):
        check_target(target, option)
        if target.suffix and target.suffix.lower() not in SUFFIXES[fmt]:
            raise InputError.one(
                f"the extension `{target.suffix}` does not match the format written ({fmt}); "
                f"name it {target.stem}{SUFFIXES[fmt][0]} or give --format to match",
                file=str(target),
                field=option,
            )
    if exempt_out is not None:
        exempt = Path(exempt_out)
        beside = out.with_name(f"{out.stem}-plan.png") if fmt == "md" else None
        if same_file(out, exempt):
            raise InputError.one(
                f"--out and --exempt-out name the same file ({out}); the exempt appendix would "
                "overwrite the public report: give two different files",
                file=str(exempt),
                field="--exempt-out",
            )
        if beside is not None and same_file(beside, exempt):
            raise InputError.one(
                f"--exempt-out is the plan picture written beside the Markdown report ({beside})",
                file=str(exempt),
                field="--exempt-out",
            )
    return fmt, targets


def write_report(
    scenario: str | Path,
    out: str | Path,
    compare: Sequence[str | Path] | None = None,
    exempt_out: str | Path | None = None,
    output: str | None = None,
    template: str | Path | None = None,
    draws: int = 1000,
    seed: int = 0,
    council: str | None = None,
) -> list[Path]:
    """The files written: the public report, then the exempt appendix if asked for and anything
    is exempt (a "NOT FOR PUBLICATION" appendix with nothing in it is not written).

    ``council`` is the partner whose decision-making body the report is for (id or name; default:
    the programme's lead council); ``"each"`` writes one report per council of a partnership,
    ``<out stem>-<partner id>`` (and the same for the exempt appendix).
    """
    fmt, targets = report_targets(out, exempt_out, output)
    if template is not None and fmt != "docx":
        raise InputError.one("--template applies to Word (docx) reports only")
    loaded = load_scenario(scenario)
    if council is not None and council.lower() != "each":
        find_council(loaded.programme, council)  # an unknown partner is refused before any work
    result = run_scenario(loaded)
    programme = result.loaded.programme
    if exempt_out is not None and not has_exempt(programme):
        print("note: nothing in the programme is exempt, so no exempt appendix is written", file=sys.stderr)
        targets = [(path, exempt) for path, exempt in targets if not exempt]
    others = [run_scenario(load_scenario(path)) for path in compare or []]
    if council is None or council.lower() != "each":
        return _write(result, others, targets, fmt, template, draws, seed, council)
    written: list[Path] = []
    for partner in councils(programme):
        mine = [(path.with_name(f"{path.stem}-{partner.id}{path.suffix}"), ex) for path, ex in targets]
        written += _write(result, others, mine, fmt, template, draws, seed, partner.id)
    return written


def report_downloads(
    result: ScenarioResult, draws: int = 1000, seed: int = 0, evidence: Evidence | None = None
) -> tuple[bytes, bytes | None]:
    """The Word report of a scenario already run (a what-if on screen) and its exempt appendix, as
    the bytes of files to download; no appendix (None) when nothing in the programme is exempt, as
    the command line writes none.  ``evidence`` is ``gather(result, draws, seed)`` when the caller
    has it already (the app gathers it from the sensitivity and switching values it holds)."""
    withheld = has_exempt(result.loaded.programme)
    with tempfile.TemporaryDirectory() as folder:
        public, exempt = Path(folder) / "report.docx", Path(folder) / "exempt.docx"
        targets = [(public, False), *([(exempt, True)] if withheld else [])]
        _write(result, [], targets, "docx", None, draws, seed, evidence=evidence)
        return public.read_bytes(), (exempt.read_bytes() if withheld else None)


def _write(
    result: ScenarioResult,
    others: list[ScenarioResult],
    targets: list[tuple[Path, bool]],
    fmt: str,
    template: str | Path | None,
    draws: int,
    seed: int,
    council: str | None = None,
    evidence: Evidence | None = None,
) -> list[Path]:
    """Each (file, exempt?) target, from one set of evidence and one chart."""
    if evidence is None:  # sensitivity and switching values: the slow part
        evidence = gather(result, draws=draws, seed=seed)
    with tempfile.TemporaryDirectory() as scratch:
        gantt = None
        if result.plan.plan is not None and result.plan.plan.assignments:
            from engine.present.charts import gantt_png

            # Markdown links to the picture, so it goes beside the report; the others embed it
            first = targets[0][0]
            gantt = first.with_name(f"{first.stem}-plan.png") if fmt == "md" else Path(scratch) / "plan.png"
            gantt.parent.mkdir(parents=True, exist_ok=True)
            gantt_png(result.plan, gantt)
        for target, exempt in targets:
            report = build_report(result, others, gantt, exempt, draws, seed, evidence, council)
            # the exempt appendix is created 0600 and stays so when it replaces a readable file
            with private_writes() if exempt else contextlib.nullcontext():
                if fmt == "docx":
                    for warning in render_docx(report, target, template if not exempt else None):
                        print(f"warning: {warning}", file=sys.stderr)
                elif fmt == "md":
                    atomic_write(target, render_markdown(report))
                else:
                    atomic_write(target, render_html(report))
    return [target for target, _ in targets]
