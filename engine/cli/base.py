"""What every command shares: the Typer app, argument types and small output helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from engine.errors import SsplanError
from engine.escape import terminal_text

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Decide which shared services to take forward, with whom and in what order.",
)


@app.callback()
def _options(
    verbose: Annotated[
        bool, typer.Option("--verbose", help="show the solvers' logs (on standard error)")
    ] = False,
) -> None:
    """Decide which shared services to take forward, with whom and in what order."""
    if verbose:
        import os

        os.environ["SSPLAN_SOLVER_LOG"] = "1"


def echo(text: object = "", *, err: bool = False, nl: bool = True, data: bool = False) -> None:
    """Write text for a person: the one way the CLI writes to standard output and standard error.

    Names come from other people's files, so control characters (terminal escape sequences such as
    OSC 52, which writes the clipboard; bells; carriage returns) are shown as ``?``
    (:func:`engine.escape.terminal_text`).  ``data=True`` (csv, json, html written to standard output)
    keeps the text exact when it goes to a pipe or file, and filters it only when it goes to a terminal.
    """
    import sys

    message = str(text)
    stream = sys.stderr if err else sys.stdout
    if not data or _isatty(stream):
        message = terminal_text(message)
    typer.echo(message, err=err, nl=nl)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


Paths = Annotated[list[Path], typer.Argument(help="programme files (.yaml or .xlsx)")]
IncludeExempt = Annotated[
    bool,
    typer.Option("--include-exempt", help="show confidential (exempt) figures: output NOT FOR PUBLICATION"),
]
DbOption = Annotated[str, typer.Option("--db", help="SQLAlchemy URL (default: sqlite:///ssplan.db)")]


def _check_files(paths: list[Path], load: Callable[[Path], Any], describe: Callable[[Any], str]) -> None:
    """Load each file, print `ok (summary)` or every problem; exit 2 if any file failed."""
    failed = False
    for path in paths:
        try:
            loaded = load(path)
        except SsplanError as exc:
            failed = True
            echo(f"{path}: {len(exc.problems)} problem(s)", err=True)
            for problem in exc.problems:
                echo(f"  {problem}", err=True)
            continue
        summary, _, more = describe(loaded).partition("\n")  # further lines: warnings
        echo(f"{path}: ok ({summary})" + (f"\n{more}" if more else ""))
    if failed:
        raise typer.Exit(2)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise SsplanError.one(f"{what}: expected SERVICE=VALUE, got `{value}`")
        key, _, item = value.partition("=")
        out[key.strip()] = item.strip()
    return out


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        echo(text, nl=not text.endswith("\n"), data=True)
    else:
        from engine.atomic import atomic_write

        atomic_write(out, text)
        echo(f"wrote {out}")
