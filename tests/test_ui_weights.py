"""The Weights page through AppTest: the same elicitation as ``ssplan weights elicit``, the same sets."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from engine.rules.ruleset import load_ruleset
from engine.scoring.elicit import ahp, pairs
from engine.scoring.weightsets import Stakeholder, Swing, ahp_set, load_weight_set, save_weight_set, swing_set
from tests.conftest import ROOT

APP = str(ROOT / "ui" / "app.py")
RULES = load_ruleset(ROOT / "rules" / "default.yaml")
CRITERIA = [c.id for c in RULES.criteria]


@pytest.fixture
def page(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("SSPLAN_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/weights.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _table(at: AppTest, *columns: str):
    """The first table on the page that has these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _pair(at: AppTest, a: str, b: str):
    return at.select_slider(key=f"weights.pair.default.{a}.{b}")


def test_pairwise_sliders_give_the_engines_weights_and_save_the_set(page, tmp_path):
    at = page
    assert "Rule set `default`: not yet approved" in at.caption[0].value
    at.text_input(key="weights.name").set_value("jane")
    at.text_input(key="weights.by").set_value("Jane Smith, Head of Finance, City Council")
    _pair(at, "impact", "outcomes").set_value(3.0)
    _pair(at, "impact", "cost").set_value(3.0)
    at.run()
    judgements = {p: 1.0 for p in pairs(CRITERIA)} | {("impact", "outcomes"): 3.0, ("impact", "cost"): 3.0}
    expected = ahp(CRITERIA, judgements)
    assert at.metric[0].value == f"{expected.consistency_ratio:.3f}"
    shown = _table(at, "criterion", "weight")
    assert list(shown["weight"]) == [f"{expected.weights[c]:.1%}" for c in CRITERIA]
    at.button(key="weights.save").click().run()
    assert not at.exception
    saved = load_weight_set(tmp_path / "weights" / "gloucester-2015" / "jane.yaml")
    assert saved.weights == pytest.approx(expected.weights) and saved.by.name == "Jane Smith"
    assert any("Weights `jane`: given by Jane Smith" in m.value for m in at.markdown)


def test_inconsistent_pairs_are_shown_and_cannot_be_saved(page):
    at = page
    at.text_input(key="weights.name").set_value("clash")
    at.text_input(key="weights.by").set_value("Ann Lee")
    _pair(at, "impact", "outcomes").set_value(9.0)
    _pair(at, "outcomes", "cost").set_value(9.0)
    _pair(at, "impact", "cost").set_value(1 / 9)
    at.run()
    judgements = dict.fromkeys(pairs(CRITERIA), 1.0) | {
        ("impact", "outcomes"): 9.0,
        ("outcomes", "cost"): 9.0,
        ("impact", "cost"): 1 / 9,
    }
    expected = ahp(CRITERIA, judgements)
    assert expected.consistency_ratio > 0.1
    assert float(at.metric[0].value) == pytest.approx(expected.consistency_ratio, abs=5e-4)
    worst = _table(at, "pair", "judged")
    names = {c.id: c.name for c in RULES.criteria}
    assert list(worst["pair"]) == [f"{names[a]} : {names[b]}" for (a, b), *_ in expected.inconsistent[:3]]
    assert at.button(key="weights.save").disabled


def test_swing_ranking_and_ratings_save_the_hand_computed_weights(page, tmp_path):
    at = page
    at.text_input(key="weights.name").set_value("bob")
    at.text_input(key="weights.by").set_value("Bob Jones, Director, County Council")
    at.radio(key="weights.method").set_value("swing").run()
    at.multiselect(key="weights.rank").set_value(["impact", "outcomes", "cost", "quick_wins", "time"]).run()
    for criterion, rating in (("outcomes", 60.0), ("cost", 50.0), ("quick_wins", 40.0), ("time", 20.0)):
        at.slider(key=f"weights.rating.{criterion}").set_value(rating).run()
    at.button(key="weights.save").click().run()
    assert not at.exception
    saved = load_weight_set(tmp_path / "weights" / "gloucester-2015" / "bob.yaml")
    total = 270
    assert saved.weights == pytest.approx(
        {
            "impact": 100 / total,
            "outcomes": 60 / total,
            "quick_wins": 40 / total,
            "cost": 50 / total,
            "time": 20 / total,
        }
    )


def test_sets_are_listed_and_combined_with_their_spread(page, tmp_path):
    folder = tmp_path / "weights" / "gloucester-2015"
    jane = ahp_set(
        "jane",
        "gloucester-2015",
        RULES,
        Stakeholder(name="Jane"),
        date(2026, 12, 1),
        dict.fromkeys(pairs(CRITERIA), 3.0),
    )
    order = [("impact", 100), ("outcomes", 60), ("cost", 50), ("quick_wins", 40), ("time", 20)]
    swings = [Swing(criterion=c, rank=r, rating=v) for r, (c, v) in enumerate(order, 1)]
    bob = swing_set("bob", "gloucester-2015", RULES, Stakeholder(name="Bob"), date(2026, 12, 1), swings)
    save_weight_set(folder, jane)
    save_weight_set(folder, bob)
    at = page
    at.run()
    assert sum("given by Jane" in m.value or "given by Bob" in m.value for m in at.markdown) == 2
    at.multiselect(key="weights.combine").set_value(["jane", "bob"]).run()
    at.text_input(key="weights.group").set_value("board").run()
    spread = _table(at, "criterion", "spread")
    impact = spread[spread["criterion"] == "Impact"].iloc[0]
    low, high = sorted((jane.weights["impact"], bob.weights["impact"]))
    assert impact["spread"] == f"{low:.1%}–{high:.1%}"
    at.button(key="weights.combine_button").click().run()
    group = load_weight_set(folder / "board.yaml")
    assert group.method == "geometric-mean" and group.combined_from == ("jane", "bob")


def test_the_priorities_page_says_the_rule_set_is_not_yet_approved(page):
    at = page
    at.switch_page("app_pages/priorities.py")
    at.run()
    assert any("Rule set `default`: not yet approved" in c.value for c in at.caption)


def test_a_set_put_to_use_scores_the_what_if_and_priorities_names_whose_weights(page, tmp_path):
    from engine.io.load import load_programme
    from engine.scoring.scores import score

    jane = ahp_set(
        "jane", "gloucester-2015", RULES, Stakeholder(name="Jane Smith"), date(2026, 12, 1), _jane()
    )
    save_weight_set(tmp_path / "weights" / "gloucester-2015", jane)
    at = page
    at.run()
    at.button(key="weights.use.jane").click().run()
    at.switch_page("app_pages/priorities.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Weights `jane`: given by Jane Smith" in c.value for c in at.caption)
    expected = score(load_programme(ROOT / "scenarios" / "gloucester-2015.yaml"), RULES, weights=jane.weights)
    shown = at.dataframe[0].value
    assert list(shown["Service"]) == list(expected.services["name"])
    scores = list(expected.services["score"])
    assert list(shown["Score"]) == pytest.approx(scores, abs=5e-4)  # shown to three places
    at.slider(key="priorities.weight.default.impact").set_value(0.0).run()  # no longer jane's
    assert not any("Weights `jane`" in c.value for c in at.caption)


def _jane() -> dict[tuple[str, str], float]:
    values = [3.0, 5.0, 3.0, 3.0, 3.0, 3.0, 3.0, 1.0, 1.0, 1.0]
    return dict(zip(pairs(CRITERIA), values, strict=True))
