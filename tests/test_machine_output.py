"""Standard output is the product's output: every command that offers ``--format json`` or
``--format csv`` prints text that parses, in a real subprocess (so output written by a solver's
C library to descriptor 1 would be caught too)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from engine.cli import app
from tests.conftest import ROOT

GLOUCESTER = str(ROOT / "scenarios" / "gloucester-2015.yaml")
SCENARIO = str(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
OTHER = str(ROOT / "scenarios" / "gloucester-2015" / "tight-capacity.yaml")

# the arguments each command needs; a new command with --format must be added here
ARGUMENTS = {
    "plan": [GLOUCESTER],
    "score": [GLOUCESTER],
    "compare": [SCENARIO, OTHER],
    "sensitivity": [SCENARIO, "--draws", "50"],
    "exit": [GLOUCESTER, "glos-cc"],
    "progress": [str(ROOT / "tests" / "data" / "progress.yaml")],
    "frontier": [SCENARIO, "--levels", "0,200000"],
    "report": None,  # writes documents (docx, md, html), never machine output on standard output
}


def _machine_formats() -> list[tuple[str, str]]:
    """(command, format) for every command whose --format help names json or csv."""
    import typer.main

    group = typer.main.get_command(app)
    found = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if "--format" in getattr(param, "opts", ()):
                for fmt in ("json", "csv"):
                    if re.search(rf"\b{fmt}\b", param.help or ""):
                        found.append((name, fmt))
    return found


def test_every_machine_format_is_covered():
    commands = {name for name, _ in _machine_formats()}
    assert commands, "no command offers json or csv"
    assert commands <= set(ARGUMENTS), f"add arguments for {sorted(commands - set(ARGUMENTS))}"


@pytest.mark.slow
@pytest.mark.parametrize("command,fmt", _machine_formats(), ids=lambda x: str(x))
def test_standard_output_parses(command: str, fmt: str):
    args = ARGUMENTS[command]
    assert args is not None
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", command, *args, "--format", fmt],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    if fmt == "json":
        json.loads(done.stdout)
    else:
        rows = list(csv.reader(io.StringIO(done.stdout)))
        assert len(rows) >= 2 and len({len(r) for r in rows}) == 1, done.stdout[:500]
    assert "HiGHS" not in done.stdout


def test_verbose_sends_solver_logs_to_standard_error():
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", "--verbose", "plan", GLOUCESTER, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
    assert "HiGHS" in done.stderr
