"""The ``ssplan`` command line: thin commands over the engine.

Exit codes: 0 success, 2 invalid input (the message names file, place and field), 1 anything
else (a bug: please report it with ``SSPLAN_DEBUG=1`` set for the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from engine.errors import SsplanError
from engine.load import load_programme, save_programme
from engine.shipped import shipped_programme, shipped_rules
from engine.summary import summary_text

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Decide which shared services to take forward, with whom and in what order.",
)

Paths = Annotated[list[Path], typer.Argument(help="programme files (.yaml or .xlsx)")]


@app.command()
def validate(paths: Paths) -> None:
    """Check programme files and list every problem found."""
    failed = False
    for path in paths:
        try:
            programme = load_programme(path)
        except SsplanError as exc:
            failed = True
            typer.echo(f"{path}: {len(exc.problems)} problem(s)", err=True)
            for problem in exc.problems:
                typer.echo(f"  {problem}", err=True)
            continue
        typer.echo(
            f"{path}: ok ({len(programme.partners)} partners, {len(programme.services)} services, "
            f"{len(programme.options)} options, {len(programme.dependencies)} dependencies)"
        )
    if failed:
        raise typer.Exit(2)


@app.command()
def show(
    path: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
) -> None:
    """Summarise a programme: partners, services and options, dependency order, capacities."""
    typer.echo(summary_text(load_programme(path), include_exempt=include_exempt), nl=False)


@app.command("import-xlsx")
def import_xlsx(
    book: Annotated[Path, typer.Argument(help="workbook to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="programme YAML to write")],
) -> None:
    """Convert an Excel workbook into a programme YAML file."""
    save_programme(load_programme(book), output)
    typer.echo(f"wrote {output}")


@app.command("export-xlsx")
def export_xlsx(
    programme: Annotated[Path, typer.Argument(help="programme file to read")],
    output: Annotated[Path, typer.Option("-o", "--output", help="workbook to write (.xlsx)")],
) -> None:
    """Write a programme as an Excel workbook officers can edit (sheets per record kind)."""
    if output.suffix.lower() != ".xlsx":
        raise SsplanError.one("the output must end in .xlsx", file=str(output))
    save_programme(load_programme(programme), output)
    typer.echo(f"wrote {output}")


rules_app = typer.Typer(no_args_is_help=True, help="Check rule sets.")
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(paths: Annotated[list[Path], typer.Argument(help="rule set files (.yaml)")]) -> None:
    """Check rule sets on their own: fields, names, types and AHP consistency."""
    from engine.ruleset import load_ruleset

    failed = False
    for path in paths:
        try:
            rules = load_ruleset(path)
        except SsplanError as exc:
            failed = True
            typer.echo(f"{path}: {len(exc.problems)} problem(s)", err=True)
            for problem in exc.problems:
                typer.echo(f"  {problem}", err=True)
            continue
        weights = ", ".join(f"{c} {w:.2f}" for c, w in rules.weights().items())
        cr = rules.consistency()
        extra = f"; AHP consistency ratio {cr:.3f}" if cr is not None else ""
        typer.echo(
            f"{path}: ok ({len(rules.criteria)} criteria: {weights}; {len(rules.derived)} derived, "
            f"{len(rules.eligibility)} eligibility, {len(rules.adjustments)} adjustment rules{extra})"
        )
    if failed:
        raise typer.Exit(2)


@app.command()
def score(
    programme: Annotated[Path, typer.Argument(help="programme file (.yaml or .xlsx)")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule set (default: rules/default.yaml)")
    ] = None,
    method: Annotated[
        str | None, typer.Option("--method", help="wsm or topsis (default: the rule set's)")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
    explain: Annotated[str | None, typer.Option("--explain", help="explain one service in full")] = None,
    include_exempt: Annotated[
        bool, typer.Option("--include-exempt", help="show confidential (exempt) figures")
    ] = False,
) -> None:
    """Score every option and rank the services with their recommended option."""
    import json

    from engine.explain import explain_service
    from engine.ruleset import load_ruleset
    from engine.scoring import score as run_score

    if output not in ("table", "json", "csv"):
        raise SsplanError.one(f"unknown format `{output}`; expected table, json or csv")
    loaded = load_programme(programme)
    table = run_score(loaded, load_ruleset(rules or shipped_rules()), method=method)
    if explain is not None:
        if explain not in {s.id for s in loaded.services}:
            known = ", ".join(s.id for s in loaded.services)
            raise SsplanError.one(f"unknown service `{explain}`; expected one of {known}")
        typer.echo(explain_service(table, explain, include_exempt=include_exempt))
        return
    if output == "json":
        typer.echo(json.dumps(table.to_json(include_exempt=include_exempt), indent=2, default=str))
    elif output == "csv":
        frame = table.options if include_exempt else table.public_options()
        typer.echo(frame.drop(columns=["exempt"]).to_csv(index=False), nl=False)
    else:
        typer.echo(ranking_text(table))


def ranking_text(table: object) -> str:
    from engine.scoring import ScoreTable

    assert isinstance(table, ScoreTable)
    services = table.services
    lines = [
        f"{table.programme.name}: services ranked by the gain of their recommended option "
        "over the status quo",
        f"rule set `{table.rules.id}`, method {table.method.upper()}, weights "
        + ", ".join(f"{c} {w:.2f}" for c, w in table.weights.items()),
        "",
        f"{'#':>3}  {'service':<22} {'recommended option':<28} {'provider':<32} "
        f"{'score':>6} {'gain':>6}  status",
    ]
    for _, row in services.iterrows():
        lines.append(
            f"{row['priority']:>3}  {row['service']:<22} {row['recommended']!s:<28} "
            f"{str(row['provider_name'])[:32]:<32} {row['score']:>6.3f} {row['gain']:>6.3f}  {row['status']}"
        )
    if len(table.exceptions):
        lines += ["", "Exceptions (another partner than the default provider):"]
        for _, e in table.exceptions.iterrows():
            lines.append(
                f"  {e['option']} ({e['provider_name']}): {e['verdict']}; {e['score']:.3f} against "
                f"{e['benchmark_option']} {e['benchmark_score']:.3f}, needs {e['required_score']:.3f} "
                f"(margin {e['margin']:.0%})" + (f", short by {e['gap']:.3f}" if e["gap"] > 0 else "")
            )
    lines += ["", f"Ties: {table.tie_break}."]
    return "\n".join(lines)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="folder for the files the demo writes")] = Path(
        "ssplan-demo"
    ),
) -> None:
    """Run everything that exists on the Gloucester 2015 programme."""
    path = shipped_programme("gloucester-2015")
    programme = load_programme(path)
    typer.echo(f"Validated {path.name}: ok\n")
    typer.echo(summary_text(programme), nl=False)
    book = out / "gloucester-2015.xlsx"
    save_programme(programme, book)
    same = load_programme(book) == programme
    typer.echo(
        f"\nWrote {book} for officers to edit in Excel (reads back identical: {'yes' if same else 'NO'})"
    )

    from engine.explain import explain_service
    from engine.ruleset import load_ruleset
    from engine.scoring import score as run_score

    table = run_score(programme, load_ruleset(shipped_rules()))
    typer.echo("\n" + ranking_text(table))
    typer.echo("\nWhy HR goes to the County (ssplan score --explain hr):\n" + explain_service(table, "hr"))


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors exit 2 with a located message, bugs exit 1."""
    try:
        code = app(args=argv, standalone_mode=False)
    except SsplanError as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error: click prints it
            exc.show()
            sys.exit(exc.exit_code)
        # anything else is a bug: say so plainly, traceback on request
        if os.environ.get("SSPLAN_DEBUG"):
            traceback.print_exc()
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set SSPLAN_DEBUG=1 for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
