"""Weights elicited from people: AHP against a published example and pymcdm, swing weights and
group aggregation by hand, weight-set files validated and located."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.errors import InputError
from engine.rules.pairwise import RANDOM_INDEX
from engine.rules.ruleset import load_ruleset, parse_ruleset
from engine.scoring.elicit import (
    aggregate_judgements,
    aggregate_weights,
    ahp,
    judgement_matrix,
    pairs,
    parse_saaty,
    saaty_text,
    spread,
    swing_weights,
)
from engine.scoring.weightsets import (
    Stakeholder,
    Swing,
    ahp_set,
    combine_sets,
    find_weight_set,
    list_weight_sets,
    load_weight_set,
    save_weight_set,
    swing_set,
)
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
JANE = Stakeholder(name="Jane Smith", role="Head of Finance", council="Gloucester City Council")
BOB = Stakeholder(name="Bob Jones", role="Director", council="Gloucestershire County Council")
DAY = date(2026, 12, 1)
CRITERIA = [c.id for c in RULES.criteria]  # impact, outcomes, quick_wins, cost, time


def test_ahp_reproduces_saatys_three_criterion_example():
    """The 3×3 matrix [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] reproduced in most AHP primers (e.g.
    Saaty, "Decision making with the analytic hierarchy process", Int. J. Services Sciences 1(1), 2008,
    and Saaty 1980, ch. 1): priorities 0.637, 0.258, 0.105, λmax 3.039, CI 0.019, with Saaty's random
    index 0.58 a consistency ratio of 0.033 — acceptable (≤ 0.1)."""
    result = ahp(["a", "b", "c"], {("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 3})
    assert [round(result.weights[c], 3) for c in "abc"] == [0.637, 0.258, 0.105]
    assert result.lambda_max == pytest.approx(3.039, abs=5e-4)
    assert (result.lambda_max - 3) / 2 == pytest.approx(0.019, abs=5e-4)
    assert result.consistency_ratio == pytest.approx(0.033, abs=5e-4)
    assert result.acceptable


def test_a_contradictory_judgement_is_named_first():
    """Weights 8 : 4 : 2 : 1 judged consistently except c : d, judged 1/7 where the rest imply 2:
    that one answer breaks the consistency (CR > 0.1), and it is the pair named first."""
    judgements = {
        ("a", "b"): 2,
        ("a", "c"): 4,
        ("a", "d"): 8,
        ("b", "c"): 2,
        ("b", "d"): 4,
        ("c", "d"): 1 / 7,
    }
    result = ahp(list("abcd"), judgements)
    assert not result.acceptable and result.consistency_ratio > 0.1
    assert result.inconsistent[0][0] == ("c", "d")
    (_, judged, implied, deviation) = result.inconsistent[0]
    assert deviation == pytest.approx(max(judged / implied, implied / judged))
    assert all(d[3] >= 1 for d in result.inconsistent)
    judgements[("c", "d")] = 2
    assert ahp(list("abcd"), judgements).consistency_ratio == pytest.approx(0, abs=1e-9)


def _reciprocal_judgements(n: int, upper: list[float]) -> tuple[list[str], dict[tuple[str, str], float]]:
    criteria = [f"c{i}" for i in range(n)]
    return criteria, dict(zip(pairs(criteria), upper, strict=True))


SCALE = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]
JUDGEMENTS = st.integers(3, 7).flatmap(
    lambda n: st.lists(st.sampled_from(SCALE), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2).map(
        lambda upper: _reciprocal_judgements(n, upper)
    )
)


@settings(max_examples=60, deadline=None)
@given(problem=JUDGEMENTS)
def test_elicited_ahp_agrees_with_pymcdm(problem):
    """The weights and (up to the random-index table) the consistency ratio are pymcdm's AHP's."""
    pymcdm = pytest.importorskip("pymcdm.weights.subjective")
    criteria, judgements = problem
    result = ahp(criteria, judgements)
    oracle = pymcdm.AHP(matrix=judgement_matrix(criteria, judgements))
    np.testing.assert_allclose([result.weights[c] for c in criteria], oracle(), rtol=1e-7, atol=1e-9)
    n = len(criteria)
    expected = oracle.get_cr() * pymcdm.AHP.RI_M[n - 1] / RANDOM_INDEX[n - 1]
    assert result.consistency_ratio == pytest.approx(max(0.0, expected), rel=1e-6, abs=1e-9)


def test_saaty_answers_are_read_on_the_scale_only():
    assert parse_saaty("3") == 3 and parse_saaty(" 1/5 ") == pytest.approx(0.2)
    for bad in ("10", "0", "1/10", "2/3", "x", "", "-3"):
        with pytest.raises(ValueError, match="1 to 9"):
            parse_saaty(bad)
    assert saaty_text(0.2) == "1/5" and saaty_text(7.0) == "7"


def test_swing_weights_by_hand():
    """Ranked impact, outcomes, cost, quick wins, time, rated 100, 60, 50, 40, 20 (total 270):
    weights 100/270 = 0.370, 60/270 = 0.222, 50/270 = 0.185, 40/270 = 0.148, 20/270 = 0.074."""
    ranking = ["impact", "outcomes", "cost", "quick_wins", "time"]
    weights = swing_weights(ranking, dict(zip(ranking, [100, 60, 50, 40, 20], strict=True)))
    assert [round(weights[c], 3) for c in ranking] == [0.370, 0.222, 0.185, 0.148, 0.074]
    with pytest.raises(ValueError, match="worth 100"):
        swing_weights(ranking, dict(zip(ranking, [90, 60, 50, 40, 20], strict=True)))
    with pytest.raises(ValueError, match="no more than the swing ranked above"):
        swing_weights(ranking, dict(zip(ranking, [100, 60, 70, 40, 20], strict=True)))


def test_geometric_mean_of_judgements_by_hand_keeps_reciprocity():
    """Two people judge a:b as 9 and 1 → the group's is √9 = 3; b:c as 1/3 and 3 → 1; a:c 4 and 1 → 2.
    The group's matrix is reciprocal, and its CR is that of [[1,3,2],[1/3,1,1],[1/2,1,1]]."""
    one = {("a", "b"): 9.0, ("a", "c"): 4.0, ("b", "c"): 1 / 3}
    two = {("a", "b"): 1.0, ("a", "c"): 1.0, ("b", "c"): 3.0}
    group = aggregate_judgements(["a", "b", "c"], [one, two])
    assert group == pytest.approx({("a", "b"): 3.0, ("a", "c"): 2.0, ("b", "c"): 1.0})
    matrix = judgement_matrix(["a", "b", "c"], group)
    np.testing.assert_allclose(matrix * matrix.T, np.ones((3, 3)))
    combined = ahp(["a", "b", "c"], group)
    lam = float(np.max(np.linalg.eigvals(np.array([[1, 3, 2], [1 / 3, 1, 1], [1 / 2, 1, 1]])).real))
    assert combined.consistency_ratio == pytest.approx((lam - 3) / 2 / 0.58)


def test_geometric_mean_of_weights_by_hand():
    """(0.5, 0.5) and (0.2, 0.8): geometric means √0.1 = 0.3162 and √0.4 = 0.6325, normalised
    0.3333 and 0.6667."""
    group = aggregate_weights(["a", "b"], [{"a": 0.5, "b": 0.5}, {"a": 0.2, "b": 0.8}])
    assert group == pytest.approx({"a": 1 / 3, "b": 2 / 3})
    rows = spread(["a", "b"], {"x": {"a": 0.5, "b": 0.5}, "y": {"a": 0.2, "b": 0.8}})
    assert (rows[0].low, rows[0].high, rows[1].by) == (0.2, 0.5, {"x": 0.5, "y": 0.8})


def _jane() -> dict[tuple[str, str], float]:
    values = [3, 5, 3, 3, 3, 3, 3, 1, 1, 1]
    return dict(zip(pairs(CRITERIA), map(float, values), strict=True))


def _bob_swings() -> list[Swing]:
    order = [("impact", 100), ("outcomes", 60), ("cost", 50), ("quick_wins", 40), ("time", 20)]
    return [Swing(criterion=c, rank=r, rating=v) for r, (c, v) in enumerate(order, 1)]


def test_sets_round_trip_through_their_files(tmp_path):
    jane = ahp_set("jane", "gloucester-2015", RULES, JANE, DAY, _jane())
    bob = swing_set("bob", "gloucester-2015", RULES, BOB, DAY, _bob_swings())
    for made in (jane, bob):
        save_weight_set(tmp_path, made)
        assert load_weight_set(tmp_path / f"{made.name}.yaml") == made
    assert [s.name for s in list_weight_sets(tmp_path)] == ["bob", "jane"]
    with pytest.raises(InputError, match="already exists"):
        save_weight_set(tmp_path, jane)
    with pytest.raises(InputError, match="unknown weight set `ann`; expected one of bob, jane"):
        find_weight_set(tmp_path, "ann")


def test_a_group_of_ahp_sets_combines_the_judgements_and_others_the_weights():
    jane = ahp_set("jane", "gloucester-2015", RULES, JANE, DAY, _jane())
    other = {p: 1 / v for p, v in _jane().items()}  # the opposite view: every judgement reversed
    ann = ahp_set("ann", "gloucester-2015", RULES, JANE.model_copy(update={"name": "Ann"}), DAY, other)
    group = combine_sets([jane, ann], "board", DAY)
    assert group.method == "ahp" and group.combined_from == ("jane", "ann")
    assert all(j.value == pytest.approx(1) for j in group.judgements)  # √(v · 1/v) = 1
    assert group.weights == pytest.approx({c: 0.2 for c in CRITERIA})
    bob = swing_set("bob", "gloucester-2015", RULES, BOB, DAY, _bob_swings())
    mixed = combine_sets([jane, bob], "mixed", DAY)
    assert mixed.method == "geometric-mean"
    assert mixed.weights == pytest.approx(aggregate_weights(CRITERIA, [jane.weights, bob.weights]))


BAD = """\
name: jane
programme: gloucester-2015
rules: default
method: ahp
given_on: 2026-12-01
weights: {impact: 0.6, outcomes: 0.2, quick_wins: 0.1, cost: 0.05, time: 0.05}
judgements:
  - {a: impact, b: outcomes, value: 12}
consistency_ratio: 0
"""


def test_a_bad_weight_set_is_refused_with_every_problem_located(tmp_path):
    path = tmp_path / "jane.yaml"
    path.write_text(BAD)
    with pytest.raises(InputError) as caught:
        load_weight_set(path)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert f"{path}:8:" in text and "judgements[1].value" in text and "≤ 9" in text
    assert f"{path}:1" in text and "by" in text and "who gave the weights" in text


def test_weights_that_do_not_follow_from_the_answers_are_refused(tmp_path):
    made = ahp_set("jane", "gloucester-2015", RULES, JANE, DAY, _jane())
    data = made.model_dump(mode="json")
    data["weights"] = {c: 0.2 for c in CRITERIA}  # hand-edited
    import yaml

    (tmp_path / "jane.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match="do not follow from the judgements"):
        load_weight_set(tmp_path / "jane.yaml")
    (tmp_path / "ann.yaml").write_text(yaml.safe_dump(made.model_dump(mode="json"), sort_keys=False))
    with pytest.raises(InputError, match=r"named `jane` but its file is `ann\.yaml`"):
        load_weight_set(tmp_path / "ann.yaml")


def test_a_rule_set_records_who_approved_it_and_when():
    text = (ROOT / "rules" / "default.yaml").read_text()
    approved = parse_ruleset(text + "approved_by: Gloucester City Council Cabinet\napproved_on: 2015-06-17\n")
    assert (approved.approved_by, approved.approved_on) == (
        "Gloucester City Council Cabinet",
        date(2015, 6, 17),
    )
    assert RULES.approved_by is None and RULES.approved_on is None  # the shipped sets: nobody yet
    with pytest.raises(Exception, match="both who approved the rule set and when"):
        parse_ruleset(text + "approved_by: Cabinet\n")


def test_the_readme_tables_name_every_field_of_a_weight_set_and_the_approval():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| weight set \| `(\w+)` \| (.*) \|$", readme, flags=re.M)
    from engine.scoring.weightsets import WeightSet

    assert [field for field, _ in rows] == list(WeightSet.model_fields)
    assert "| `approved_by`, `approved_on` |" in readme
    assert {"approved_by", "approved_on"} <= set(type(RULES).model_fields)
    for command in ("elicit", "list", "show", "combine"):
        assert f"| `ssplan weights {command} PROGRAMME" in readme
    assert "[--weights NAME [--weights-dir DIR]]" in readme


@settings(max_examples=40, deadline=None)
@given(
    problem=JUDGEMENTS,
    others=st.lists(st.lists(st.sampled_from(SCALE), min_size=21, max_size=21), max_size=3),
)
def test_aij_is_unanimous_when_everyone_agrees_and_reads_either_orientation(problem, others):
    """A group of one view gives that view back; a judgement written b : a counts as 1 / (a : b)."""
    criteria, judgements = problem
    everyone = aggregate_judgements(criteria, [judgements, judgements])
    assert everyone == pytest.approx(judgements)
    people = [judgements] + [dict(zip(pairs(criteria), row, strict=False)) for row in others]
    flipped = [{(b, a): 1 / v for (a, b), v in p.items()} for p in people]
    assert aggregate_judgements(criteria, flipped) == pytest.approx(aggregate_judgements(criteria, people))
    matrix = judgement_matrix(criteria, aggregate_judgements(criteria, people))
    np.testing.assert_allclose(matrix * matrix.T, np.ones_like(matrix))
