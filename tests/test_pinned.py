"""Pins, to the last bit, what scoring and the weight draws give for every shipped programme.

The MoU rule, WSM and TOPSIS each have one implementation, batched over weight draws, shared by
scoring and sensitivity; these files were written before the twins were merged, so any change in a
recommendation, a verdict, a probability or a float's last digit shows here.
Regenerate (after review) with ``SSPLAN_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from engine.appraisal.sensitivity import weight_sensitivity
from engine.io.load import load_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import ROOT, SHIPPED

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
GOLDEN = Path(__file__).parent / "golden" / "pinned"


def _plain(value: object) -> object:
    """Exact JSON: floats by repr (round-trips every bit), NaN and ±inf spelt out, numpy as Python."""
    if hasattr(value, "item"):
        value = value.item()  # type: ignore[union-attr]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _frame(frame: pd.DataFrame) -> dict:
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False)],
    }


def _view(path: Path, method: str) -> dict:
    programme = load_programme(path)
    table = score(programme, RULES, method=method)
    drawn = weight_sensitivity(programme, RULES, draws=300, seed=3, method=method)
    return {
        "score.options": _frame(table.options[["service", "option", "eligible", "score"]]),
        "score.services": _frame(table.services),
        "score.exceptions": _frame(table.exceptions),
        "sensitivity.services": _frame(drawn.services),
        "sensitivity.exceptions": _frame(drawn.exceptions),
        "sensitivity.tornado": _frame(drawn.tornado),
        "sensitivity.uncertain": list(drawn.uncertain),
    }


@pytest.mark.parametrize("method", ["wsm", "topsis"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_scores_and_weight_draws_are_pinned(path, method):
    text = json.dumps(_view(path, method), indent=1, sort_keys=True) + "\n"
    golden = GOLDEN / f"{path.stem}--{method}.json"
    if os.environ.get("SSPLAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), f"results changed; review and regenerate {golden.name}"
