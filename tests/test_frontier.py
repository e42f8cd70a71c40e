"""The value-for-money frontier: more resource never buys less."""

from __future__ import annotations

import itertools
import json

import pytest

from engine.appraisal.frontier import frontier
from engine.appraisal.scenario import load_scenario
from engine.base.errors import InputError
from engine.cli import main
from tests.conftest import ROOT

COUNTY_FIRST = ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(COUNTY_FIRST)


def test_budget_frontier_is_monotone_and_says_what_enters(loaded):
    table = frontier(loaded, [0, 50000, 150000, 300000])
    values = table["objective value"].tolist()
    # a larger budget never buys less value (up to the solver's relative gap)
    assert all(b >= a - 1e-4 * abs(a) for a, b in itertools.pairwise(values))
    assert table.iloc[0]["services"] == "" and table.iloc[0]["NPV (£)"] == 0
    assert "ict" in table.iloc[-1]["services"]
    entered = ", ".join(table["entering"])
    assert "ict" in entered and "hr" in entered


def test_capacity_frontier(loaded):
    table = frontier(loaded, [4, 6, 12], pool="pm-days")
    values = table["objective value"].tolist()
    assert all(b >= a - 1e-4 * abs(a) for a, b in itertools.pairwise(values))
    assert table.iloc[-1]["services"].count(",") + 1 == 8  # finance admin joins: it beats doing nothing
    with pytest.raises(InputError, match="unknown resource `pm-dayz`"):
        frontier(loaded, [1], pool="pm-dayz")


def test_frontier_cli(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["frontier", str(COUNTY_FIRST), "--levels", "0,300000", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert exited.value.code == 0 and [r["level"] for r in rows] == [0, 300000]
    with pytest.raises(SystemExit) as exited:
        main(["frontier", str(COUNTY_FIRST), "--levels", "a,b"])
    assert exited.value.code == 2
