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
from engine.shipped import shipped_programme
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
