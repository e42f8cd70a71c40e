"""Every option value the command line refuses exits 2 with a message naming the option.

The commands and their options are enumerated from the Typer app itself, so a new command or a
new numeric or choice option is covered by construction: a command missing from ``BASE`` fails
the first test, and every int/float option (and numeric argument) is fed ``nan``, ``-1`` and
``inf``, every choice option a word it does not know.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest
import typer

from engine.cli import app, main
from tests.conftest import ROOT

PROGRAMME = str(ROOT / "scenarios" / "gloucester-2015.yaml")
SCENARIO = str(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")

# valid arguments for each command; a numeric argument is given as "1" (the value fed in turn)
BASE: dict[str, list[str]] = {
    "validate": [PROGRAMME],
    "show": [PROGRAMME],
    "import-xlsx": ["book.xlsx", "-o", "out.yaml"],
    "export-xlsx": [PROGRAMME, "-o", "out.xlsx"],
    "score": [PROGRAMME],
    "switching": [PROGRAMME],
    "exit": [PROGRAMME, "glos-cc"],
    "progress": [str(ROOT / "tests" / "data" / "progress.yaml")],
    "plan": [PROGRAMME],
    "frontier": [SCENARIO],
    "compare": [SCENARIO],
    "sensitivity": [SCENARIO],
    "report": [SCENARIO, "--out", "report.md"],
    "ui": [],
    "demo": [],
    "rules check": [str(ROOT / "rules" / "default.yaml")],
    "store save": [SCENARIO],
    "store list": [],
    "store show": ["1"],
    "store diff": ["1", "1"],
    "store record-decision": ["1", "--by", "x", "--body", "y", "--decision", "z"],
    "weights elicit": [PROGRAMME, "--name", "x", "--by", "Jane Smith"],
    "weights list": [PROGRAMME],
    "weights show": [PROGRAMME, "x"],
    "weights combine": [PROGRAMME, "x", "y", "--as", "g"],
}


def _commands(group: typing.Any, prefix: str = "") -> Iterator[tuple[str, typing.Any]]:
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            yield from _commands(command, path + " ")
        else:
            yield path, command


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _kind(param: typing.Any) -> str | None:
    annotation = param.type_descriptor.annotation
    if annotation in (int, float):
        return "number"
    if typing.get_origin(annotation) is typing.Literal:
        return "choice"
    return None


def _cases() -> Iterator[tuple[str, list[str], str]]:
    """(command, arguments, the name the message must carry) for every bad value."""
    for path, command in COMMANDS.items():
        base = BASE.get(path, [])
        for param in command.params:
            kind = _kind(param)
            if kind is None:
                continue
            values = ["nan", "-1", "inf"] if kind == "number" else ["no-such-word"]
            for value in values:
                if param.param_type_name == "option":
                    yield path, [*base, param.opts[0], value], param.opts[0]
                else:  # a numeric argument: replace its "1" in the base arguments
                    index = [i for i, a in enumerate(base) if a == "1"][
                        [p for p in command.params if p.param_type_name == "argument"].index(param)
                    ]
                    yield path, [*base[:index], value, *base[index + 1 :]], param.name


CASES = list(_cases())


def test_every_command_has_base_arguments():
    assert set(COMMANDS) == set(BASE), "add the new command to BASE with valid arguments"


def test_the_enumeration_finds_the_options_we_know():
    flags = {(path, flag) for path, _, flag in CASES}
    for known in [
        ("plan", "--time-limit"),
        ("plan", "--gap"),
        ("plan", "--max-concurrent"),
        ("plan", "--objective"),
        ("plan", "--format"),
        ("sensitivity", "--seed"),
        ("sensitivity", "--concentration"),
        ("report", "--draws"),
        ("ui", "--port"),
        ("store show", "run"),
    ]:
        assert known in flags


@pytest.mark.parametrize(
    ("path", "args", "flag"), CASES, ids=[f"{c[0]} {' '.join(c[1][-2:])}" for c in CASES]
)
def test_bad_option_value_exits_2_naming_the_option(capsys, tmp_path, monkeypatch, path, args, flag):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main([*path.split(), *args])
    _, err = capsys.readouterr()
    assert exited.value.code == 2, err
    assert flag in err
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "flag", "expected"),
    [
        (["frontier", SCENARIO, "--levels", "nan"], "--levels", "finite numbers ≥ 0"),
        (["frontier", SCENARIO, "--levels", "1,-5"], "--levels", "finite numbers ≥ 0"),
        (["frontier", SCENARIO, "--levels", "1e999"], "--levels", "finite numbers ≥ 0"),
        (["frontier", SCENARIO, "--levels", ",".join(["1"] * 101)], "--levels", "at most 100"),
        (["sensitivity", SCENARIO, "--concentration", "0"], "--concentration", "> 0"),
        (["plan", PROGRAMME, "--time-limit", "0"], "--time-limit", "> 0"),
        (["plan", PROGRAMME, "--time-limit", "1e9"], "--time-limit", "≤ 86400"),
    ],
)
def test_out_of_range_values_say_what_is_expected(capsys, args, flag, expected):
    with pytest.raises(SystemExit) as exited:
        main(args)
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert flag in err and expected in err


def test_settings_refused_by_the_model_name_the_option():
    from engine.base.errors import SsplanError
    from engine.cli.base import settings_from_options
    from engine.plan.settings import PlanSettings

    with pytest.raises(SsplanError) as raised:
        settings_from_options(PlanSettings, {"time_limit": -1.0, "gap": float("nan")}, {})
    text = str(raised.value)
    assert "--time-limit: expected a number > 0, got -1" in text
    assert "--gap: expected a finite number, got nan" in text
