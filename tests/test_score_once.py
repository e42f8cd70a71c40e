"""A score table works out its public view's answers once (ScoreTable.once, issue 18's app speed):
the kept answers are the ones a fresh table gives, a caller cannot spoil them, and a table made
with other weights keeps its own."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.io.load import load_programme
from engine.io.shipped import shipped_programmes, shipped_rules
from engine.rules.ruleset import load_ruleset
from engine.scoring.assumed import assumed_inputs
from engine.scoring.scores import ScoreTable, score
from engine.scoring.ties import near_ties
from engine.scoring.unknowns import unknown_ranges

RULES = load_ruleset(shipped_rules("default"))


def _answers(table: ScoreTable) -> tuple[object, ...]:
    ranges = unknown_ranges(table)
    return (
        table.secret_scales(),
        table.public_options().to_json(),
        table.public_services().to_json(),
        [[a.field for a in row] for row in assumed_inputs(table)],
        near_ties(table).services,
        (repr(ranges.low.tolist()), repr(ranges.high.tolist()), ranges.choices),  # NaN != NaN
    )


@pytest.mark.parametrize("path", shipped_programmes(), ids=lambda p: p.stem)
def test_kept_answers_are_a_fresh_tables(path) -> None:  # type: ignore[no-untyped-def]
    programme = load_programme(path)
    table = score(programme, RULES)
    first = _answers(table)
    assert _answers(table) == first  # asked again: from what was kept
    assert _answers(score(programme, RULES)) == first  # the same as a fresh table's


def test_a_caller_cannot_spoil_the_kept_public_options(gloucester) -> None:  # type: ignore[no-untyped-def]
    table = score(gloucester, RULES)
    shown = table.public_options()
    shown["score"] = -1.0
    shown.loc[:, "service"] = "spoilt"
    again = table.public_options()
    assert "spoilt" not in set(again["service"])
    pd.testing.assert_series_equal(again["score"], score(gloucester, RULES).public_options()["score"])


def test_other_weights_other_answers(gloucester) -> None:  # type: ignore[no-untyped-def]
    """Each table keeps its own: moving a weight (a new table) changes what the ranking shows."""
    criteria = [c.id for c in RULES.criteria]
    one = score(gloucester, RULES)
    other = score(gloucester, RULES, weights={criteria[0]: 100.0, **{c: 1.0 for c in criteria[1:]}})
    assert one.public_services()["score"].tolist() != other.public_services()["score"].tolist()
    assert one.once("k", lambda: 1) == 1 and other.once("k", lambda: 2) == 2 and one.once("k", lambda: 3) == 1
