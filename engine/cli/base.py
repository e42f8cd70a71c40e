"""What every command shares: the Typer app, argument types and small output helpers."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from engine.base.errors import Problem, SsplanError
from engine.present.escape import terminal_text

if TYPE_CHECKING:
    from pydantic import BaseModel

    M = TypeVar("M", bound=BaseModel)

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
    (:func:`engine.present.escape.terminal_text`).  ``data=True`` (csv, json, html written to standard output)
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


SEED_MAX = 2**32 - 1  # numpy's seed range, and any seed anyone types


def option_error(flag: str, message: str) -> SsplanError:
    """A bad option value: exit 2, the message names the option."""
    return SsplanError([Problem(message, file="command line", field=flag)])


def number(
    low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Callable[[str], float]:
    """A parser for a float option: finite (never nan or inf) and within [low, high] (or (low, high]).

    Every float option goes through one of these, so `nan` and `inf` are refused by construction."""
    low_word = ">" if low_open else "≥"
    expected = " and ".join(
        part
        for part in (
            f"{low_word} {low:g}" if low is not None else "",
            f"≤ {high:g}" if high is not None else "",
        )
        if part
    )
    expected = f"a finite number {expected}".strip()

    def parse(value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected {expected}, got `{value}`") from None
        too_low = low is not None and (number <= low if low_open else number < low)
        too_high = high is not None and number > high
        if not math.isfinite(number) or too_low or too_high:
            raise ValueError(f"expected {expected}, got `{value}`")
        return number

    parse.__name__ = "float"
    return parse


_EXPECTED = {
    "greater_than": "a number > {gt}",
    "greater_than_equal": "a number ≥ {ge}",
    "less_than": "a number < {lt}",
    "less_than_equal": "a number ≤ {le}",
    "finite_number": "a finite number",
    "literal_error": "one of {expected}",
}


def settings_from_options(model: type[M], values: Mapping[str, Any], flags: Mapping[str, str]) -> M:
    """Build a settings record (e.g. ``PlanSettings``) from option values; a value the record
    refuses becomes an ``SsplanError`` naming the option it came from (exit 2, never a bug)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            top = str(error["loc"][0]) if error["loc"] else ""
            flag = flags.get(top, f"--{top.replace('_', '-')}")
            template = _EXPECTED.get(error["type"])
            ctx = {key: _shown(value) for key, value in error.get("ctx", {}).items()}
            expected = template.format(**ctx) if template else error["msg"]
            problems.append(
                Problem(
                    f"expected {expected}, got {_shown(error.get('input'))}", file="command line", field=flag
                )
            )
        raise SsplanError(problems) from None


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


IncludeExempt = Annotated[
    bool,
    typer.Option("--include-exempt", help="show confidential (exempt) figures: output NOT FOR PUBLICATION"),
]
DbOption = Annotated[str, typer.Option("--db", help="SQLAlchemy URL (default: sqlite:///ssplan.db)")]
WeightsName = Annotated[
    str | None, typer.Option("--weights", help="score with a named weight set (`ssplan weights list`)")
]
WeightsDir = Annotated[
    Path | None,
    typer.Option("--weights-dir", help="folder of weight sets (default: weights/<programme id>/ beside it)"),
]


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


EXTENSIONS = {
    "json": (".json",),
    "csv": (".csv",),
    "xlsx": (".xlsx",),
    "html": (".html", ".htm"),
    "png": (".png",),
    "yaml": (".yaml", ".yml"),
}


def output_target(out: Path | None, fmt: str, option: str = "--out") -> Path | None:
    """Check an output file before any work: writable, and its extension agrees with the format
    written (``--format csv --out plan.xlsx`` is refused, not written as CSV in a .xlsx)."""
    from engine.io.atomic import check_target

    if out is None:
        return None
    if fmt == "table":
        raise option_error(
            option, "the table is printed; give --format json, csv, xlsx or html to write a file"
        )
    check_target(out, option)
    suffixes = EXTENSIONS.get(fmt, ())
    if out.suffix and out.suffix.lower() not in suffixes:
        raise option_error(
            option,
            f"`{out}` has the extension `{out.suffix}` but the format written is {fmt}; "
            f"name it {out.stem}{suffixes[0]} or give the matching --format",
        )
    return out


def distinct_targets(*targets: tuple[str, Path | None]) -> None:
    """Two output options naming one file (however spelt) would overwrite each other: refuse."""
    from engine.io.atomic import same_file

    given = [(option, path) for option, path in targets if path is not None]
    for i, (first, a) in enumerate(given):
        for second, b in given[i + 1 :]:
            if same_file(a, b):
                raise option_error(
                    second, f"`{b}` is the same file as {first} `{a}`; give two different files"
                )


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        echo(text, nl=not text.endswith("\n"), data=True)
    else:
        from engine.io.atomic import atomic_write

        atomic_write(out, text)
        echo(f"wrote {out}")
