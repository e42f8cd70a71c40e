"""The front door: a notebook's five lines work, and ``import engine`` pulls in nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import engine
from tests.conftest import ROOT


def test_every_front_door_name_resolves():
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name


def test_a_notebook_session_in_five_lines():
    from engine import PlanSettings, load_programme, load_ruleset, score, shipped_rules, solve

    programme = load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")
    scores = score(programme, load_ruleset(shipped_rules()))
    result = solve(programme, PlanSettings(objective="savings"), scores)
    assert result.plan is not None and len(result.to_frame()) == len(result.plan.assignments)


def test_importing_engine_is_light():
    heavy = "('pandas', 'pulp', 'rule_engine')"
    code = f"import sys, engine; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_command_line_imports_what_a_command_needs_when_it_runs():
    """`ssplan --help` and `ssplan validate` should not pay for the optimiser, the rule engine, the
    charts or Word: each command imports those itself."""
    heavy = "('pandas', 'pulp', 'rule_engine', 'plotly', 'matplotlib', 'docx', 'highspy', 'streamlit')"
    code = f"import sys, engine.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_validating_a_programme_pays_for_no_planner():
    """`ssplan validate PROGRAMME` reads and checks a file: it must not import what planning a
    scenario needs (it once did, when scenario files became valid input too: 0.37 s -> 0.99 s)."""
    heavy = "('pandas', 'pulp', 'rule_engine', 'plotly', 'matplotlib', 'docx', 'highspy')"
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        "try:\n    main(['validate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy} if m in sys.modules), file=sys.stderr)"
    )
    programme = str(Path(__file__).resolve().parent.parent / "scenarios" / "gloucester-2015.yaml")
    run = subprocess.run([sys.executable, "-c", code, programme], capture_output=True, text=True, check=True)
    assert run.stderr.strip().splitlines()[-1] == "[]"
