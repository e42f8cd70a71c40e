"""The general planner against a second solver (issue 19, point 1): on small seeded programmes the
product's optimum equals CP-SAT's on the same model (bench/general.py, CP-SAT in a subprocess).

Agreement is judged on the float objective: CP-SAT solves with integer coefficients (rows scaled
by powers of ten, budgets to a millionth of a pound, the objective scaled to about 10^9 and
rounded), so its plan is re-valued exactly and must match the product's proven optimum to 1e-6
relative.  Both run with a zero gap.
"""

from __future__ import annotations

import importlib.util

import pytest

from bench.general import compare, seeded
from engine.io.shipped import shipped_rules
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ortools") is None, reason="ortools absent (it comes with the test extra)"
    ),
]


@pytest.mark.parametrize("services", [6, 12])
@pytest.mark.parametrize("objective", ["value", "savings"])
def test_the_product_and_cpsat_prove_the_same_optimum(services: int, objective: str):
    programme = seeded(services, seed=services)
    table = score(programme, load_ruleset(shipped_rules()))
    row = compare(programme, table, objective, limit=60.0, gap=0.0)
    assert row["ours"]["status"] == row["cpsat"]["status"] == "optimal", row
    assert row["agree"] == "=", row
    assert row["cpsat"]["exact"] == pytest.approx(row["ours"]["objective"], rel=1e-6, abs=1e-9)
