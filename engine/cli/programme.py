"""Commands on programme files: validate, show, Excel in and out, rule-set checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from engine.base.errors import SsplanError
from engine.cli.base import _check_files, app, echo, output_target


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="programme files (.yaml or .xlsx) or scenario files (with `base:`)")
    ],
) -> None:
    """Check programme or scenario files and list every problem found.

    A YAML file with a top-level `base:` is a scenario: its base programme and rule set are
    loaded, its overrides applied, and every problem is placed in the scenario file."""
    _check_files(paths, _load_checked, _described)


def _load_checked(path: Path) -> Any:
    """A scenario (its base and rule set loaded, its overrides applied) or a programme."""
    from engine.io.load import is_scenario_file, load_programme

    if not is_scenario_file(path):
        return load_programme(path)
    from engine.appraisal.scenario import load_scenario  # the planner's imports, for scenarios only

    return load_scenario(path)


def _described(loaded: Any) -> str:
    scenario = getattr(loaded, "scenario", None)  # a LoadedScenario (not imported for a programme)
    p = loaded if scenario is None else loaded.programme
    counts = (
        f"{len(p.partners)} partners, {len(p.services)} services, {len(p.options)} options, "
        f"{len(p.dependencies)} dependencies"
    )
    if scenario is not None:
        return f"scenario `{scenario.name}` on {scenario.base}, rules `{scenario.rules}`: {counts}"
    return counts


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
) -> None:
    """Summarise a programme: partners, services and options, dependency order, capacities."""
    from engine.io.load import load_programme
    from engine.present.summary import summary_text

    if include_exempt:
        from engine.programme.exempt import NOT_FOR_PUBLICATION

        echo(NOT_FOR_PUBLICATION)
    echo(summary_text(load_programme(path), include_exempt=include_exempt), nl=False)


@app.command("import-xlsx")
def import_xlsx(
    book: Annotated[Path, typer.Argument(help="workbook to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="programme YAML to write")],
) -> None:
    """Convert an Excel workbook into a programme YAML file."""
    from engine.io.load import load_programme, save_programme

    output_target(output, "yaml", "--output")
    save_programme(load_programme(book), output)
    echo(f"wrote {output}")


@app.command("export-xlsx")
def export_xlsx(
    programme: Annotated[Path, typer.Argument(help="programme file to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workbook to write (.xlsx)")],
) -> None:
    """Write a programme as an Excel workbook officers can edit (sheets per record kind)."""
    from engine.io.load import load_programme, save_programme

    if output.suffix.lower() != ".xlsx":
        raise SsplanError.one("the output must end in .xlsx", file=str(output))
    output_target(output, "xlsx", "--output")
    save_programme(load_programme(programme), output)
    echo(f"wrote {output}")


rules_app = typer.Typer(no_args_is_help=True, help="Check rule sets.")
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(
    paths: Annotated[list[Path], typer.Argument(help="rule set files (.yaml)")],
    programmes: Annotated[
        list[Path] | None,
        typer.Option(
            "--programme", "-p", help="also score this programme: is every criterion telling options apart?"
        ),
    ] = None,
) -> None:
    """Check rule sets: fields, names, types and AHP consistency; with ``--programme``, whether
    each criterion discriminates between that programme's options."""
    from engine.cli.scoring import undiscriminating_warnings
    from engine.io.load import load_programme
    from engine.present.weights import approval_text
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score

    loaded = [load_programme(p) for p in programmes or ()]

    def describe(rules: Any) -> str:
        weights = ", ".join(f"{c} {w:.2f}" for c, w in rules.weights().items())
        cr = rules.consistency()
        extra = f"; AHP consistency ratio {cr:.3f}" if cr is not None else ""
        lines = [
            f"{len(rules.criteria)} criteria: {weights}; {len(rules.derived)} derived, "
            f"{len(rules.eligibility)} eligibility, {len(rules.adjustments)} adjustment rules{extra}; "
            + approval_text(rules).partition(": ")[2]
        ]
        for programme in loaded:
            lines += undiscriminating_warnings(score(programme, rules), programme)
        return "\n  ".join(lines)

    _check_files(paths, load_ruleset, describe)
