"""``ssplan weights``: the elicitation dialogue answered through typer's test runner, the sets it saves,
``score --weights NAME``, scenarios that name a set, and the provenance the outputs cite."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError, SsplanError
from engine.cli import app, main
from engine.io.load import load_programme
from engine.report.build import build_report
from engine.report.text import render_markdown
from engine.rules.ruleset import load_ruleset
from engine.scoring.elicit import ahp, pairs
from engine.scoring.scores import score
from engine.scoring.weightsets import load_weight_set
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
CRITERIA = [c.id for c in RULES.criteria]
JANE = ["3", "5", "3", "3", "3", "3", "3", "1", "1", "1"]  # consistent enough: CR 0.030
CLASHING = ["3", "5", "3", "3", "3", "1/3", "3", "1", "1", "1"]  # outcomes : cost = 1/3 clashes: CR 0.127
BY = "Jane Smith, Head of Finance, Gloucester City Council"


@pytest.fixture
def gloucester(tmp_path) -> Path:
    target = tmp_path / "gloucester-2015.yaml"
    shutil.copy(ROOT / "scenarios" / "gloucester-2015.yaml", target)
    return target


def folder(programme: Path) -> Path:
    return programme.parent / "weights" / "gloucester-2015"


def elicit(programme: Path, name: str, answers: list[str], *extra: str, by: str = BY):
    runner = CliRunner()
    args = ["weights", "elicit", str(programme), "--name", name, "--by", by, *extra]
    return runner.invoke(app, args, input="\n".join(answers) + "\n")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_the_ahp_dialogue_asks_every_pair_and_saves_whose_answers(gloucester):
    result = elicit(gloucester, "jane", JANE)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(" : ") >= 10 and "10/10. Cost : Time resources" in result.stdout
    saved = load_weight_set(folder(gloucester) / "jane.yaml")
    expected = ahp(
        CRITERIA, dict(zip(pairs(CRITERIA), map(float, [3, 5, 3, 3, 3, 3, 3, 1, 1, 1]), strict=True))
    )
    assert saved.weights == pytest.approx(expected.weights)
    assert (
        saved.consistency_ratio == pytest.approx(expected.consistency_ratio) and saved.consistency_ratio < 0.1
    )
    assert (saved.by.name, saved.by.role, saved.by.council) == (
        "Jane Smith",
        "Head of Finance",
        "Gloucester City Council",
    )
    assert saved.given_on == date.today() and saved.method == "ahp" and saved.rules == "default"
    assert "consistency ratio 0.030" in result.stdout


def test_an_answer_off_the_scale_is_asked_again(gloucester):
    result = elicit(gloucester, "jane", ["10", "0", *JANE])
    assert result.exit_code == 0
    assert result.stderr.count("expected a number from 1 to 9") == 2
    assert load_weight_set(folder(gloucester) / "jane.yaml").judgements[0].value == 3


def test_inconsistent_answers_name_the_worst_pair_and_are_refused_unless_revised(gloucester):
    refused = elicit(gloucester, "jane", [*CLASHING, ""])
    assert isinstance(refused.exception, SsplanError)
    assert "Consistency ratio 0.127 is above 0.1" in refused.stdout
    assert "Outcomes : Cost = 1/3; implied 0.93" in refused.stdout  # the worst judgement, first
    assert "nothing saved" in str(refused.exception) and "Outcomes : Cost" in str(refused.exception)
    assert not (folder(gloucester) / "jane.yaml").exists()
    revised = elicit(gloucester, "jane", [*CLASHING, "3"])
    assert revised.exit_code == 0
    saved = load_weight_set(folder(gloucester) / "jane.yaml")
    assert {(j.a, j.b): j.value for j in saved.judgements}[("outcomes", "cost")] == 3
    kept = elicit(gloucester, "kept", [*CLASHING, ""], "--accept-inconsistent")
    assert kept.exit_code == 0
    assert load_weight_set(folder(gloucester) / "kept.yaml").consistency_ratio == pytest.approx(
        0.127, abs=5e-4
    )
    assert "above 0.1: inconsistent" in kept.stdout


def test_the_swing_dialogue_shows_the_programmes_own_range_and_weights_the_ratings(gloucester):
    result = elicit(gloucester, "bob", ["1,2,4,3,5", "60", "50", "40", "20"], "--method", "swing")
    assert result.exit_code == 0, result.output
    table = score(load_programme(gloucester), RULES).options
    eligible = table[table["eligible"].astype(bool)]
    assert f"Impact: from 0 to {eligible['impact.raw'].max():,.0f}" in result.stdout
    assert f"Cost: from {eligible['cost.raw'].max():,.0f} to 0" in result.stdout  # cost: worst is highest
    saved = load_weight_set(folder(gloucester) / "bob.yaml")
    total = 100 + 60 + 50 + 40 + 20  # impact, outcomes, cost (3rd), quick wins (4th), time
    assert saved.weights == pytest.approx(
        {
            "impact": 100 / total,
            "outcomes": 60 / total,
            "quick_wins": 40 / total,
            "cost": 50 / total,
            "time": 20 / total,
        }
    )
    # a rating above the one ranked before it is asked again
    again = elicit(gloucester, "ann", ["1,2,4,3,5", "60", "70", "50", "40", "20"], "--method", "swing")
    assert again.exit_code == 0 and "no more than the swing ranked above" in again.stderr


def test_list_show_and_combine(gloucester, capsys):
    elicit(gloucester, "jane", JANE)
    elicit(
        gloucester,
        "bob",
        ["1,2,4,3,5", "60", "50", "40", "20"],
        "--method",
        "swing",
        by="Bob Jones, Director",
    )
    code, out, _ = run(capsys, "weights", "combine", str(gloucester), "jane", "bob", "--as", "board")
    assert code == 0
    assert "given by the group of jane, bob" in out and "the geometric mean of their weights" in out
    jane, bob = (load_weight_set(folder(gloucester) / f"{n}.yaml") for n in ("jane", "bob"))
    spread_row = next(line for line in out.splitlines() if line.strip().startswith("Impact"))
    low, high = sorted((jane.weights["impact"], bob.weights["impact"]))
    assert f"{low:.1%}–{high:.1%}" in spread_row and "Jane Smith" in out and "Bob Jones" in out
    code, out, _ = run(capsys, "weights", "list", str(gloucester), "--format", "json")
    assert [s["name"] for s in json.loads(out)] == ["board", "bob", "jane"]
    code, out, _ = run(capsys, "weights", "show", str(gloucester), "jane")
    assert "Impact : Quick wins = 5" in out and "Jane Smith (Head of Finance" in out
    code, out, _ = run(capsys, "weights", "show", str(gloucester), "jane", "--format", "json")
    assert json.loads(out)["by"]["name"] == "Jane Smith"


def test_score_with_a_named_set_equals_scoring_with_its_weights(gloucester, capsys):
    elicit(gloucester, "jane", JANE)
    saved = load_weight_set(folder(gloucester) / "jane.yaml")
    code, out, _ = run(capsys, "score", str(gloucester), "--weights", "jane", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    direct = score(load_programme(gloucester), RULES, weights=saved.weights).to_json()
    assert [o["score"] for o in payload["options"]] == pytest.approx([o["score"] for o in direct["options"]])
    assert payload["provenance"]["weights"].startswith("Weights `jane`: given by Jane Smith")
    assert payload["provenance"]["rules"] == "Rule set `default`: not yet approved"
    code, out, _ = run(capsys, "score", str(gloucester), "--weights", "jane")
    assert out.splitlines()[:2] == [
        "Rule set `default`: not yet approved",
        f"Weights `jane`: given by Jane Smith (Head of Finance, Gloucester City Council) on "
        f"{date.today().day} {date.today():%B %Y}, by AHP pairwise comparison (consistency ratio 0.030)",
    ]


def test_plan_and_switching_weigh_the_criteria_with_a_named_set(gloucester, capsys):
    """`ssplan plan --weights` and `ssplan switching --weights` use the set's weights, as `score` does:
    the plan's value objective is the one the set's scores give, not the rule set's own weights."""
    from engine.appraisal.public import public_plan
    from engine.optimise.solve import solve
    from engine.plan.disclosure import Disclosure, public_switching
    from engine.plan.settings import PlanSettings
    from engine.present.frames import name_ids
    from engine.present.words import option_labels
    from engine.scoring.switching import switching_values

    elicit(gloucester, "jane", JANE)
    saved = load_weight_set(folder(gloucester) / "jane.yaml")
    programme = load_programme(gloucester)
    code, out, _ = run(capsys, "plan", str(gloucester), "--weights", "jane", "--format", "json")
    assert code == 0
    weighed = solve(programme, PlanSettings(), score(programme, RULES, weights=saved.weights))
    plain = solve(programme, PlanSettings(), score(programme, RULES))
    expected = public_plan(weighed, False, score(programme, RULES, weights=saved.weights)).objective_value
    assert json.loads(out)["objective_value"] == pytest.approx(expected)
    assert weighed.objective_value != pytest.approx(plain.objective_value)  # the check can fail
    code, out, _ = run(capsys, "switching", str(gloucester), "--weights", "jane", "--include-exempt")
    assert code == 0  # Gloucester's exceptions all rest on exempt prices
    values = switching_values(programme, RULES, weights=saved.weights)
    shown, _ = public_switching(values, Disclosure.of(programme, include_exempt=True))
    lookup = option_labels(programme)
    assert shown and all(f"- {name_ids(value.text(), lookup)}" in out for value in shown)
    assert "hr-bureau" not in out and "outsourced with Private HR and payroll bureau" in out
    plain = {v.text() for v in switching_values(programme, RULES)}
    assert plain != {v.text() for v in values}  # the check can fail: the set's weights move them
    code, _, err = run(capsys, "plan", str(gloucester), "--weights", "nobody")
    assert code == 2 and "--weights: unknown weight set `nobody`" in err


def test_a_missing_or_mismatched_weight_set_exits_2(gloucester, capsys):
    code, _, err = run(capsys, "score", str(gloucester), "--weights", "nobody")
    assert code == 2 and "command line: --weights: unknown weight set `nobody`" in err
    code, _, err = run(capsys, "score", str(gloucester), "--weights", "../../gloucester-2015")
    assert code == 2 and "expected a weight set's name" in err  # a name, never a path
    elicit(gloucester, "jane", JANE)
    savings = str(ROOT / "rules" / "savings-first.yaml")
    code, _, err = run(capsys, "score", str(gloucester), "--weights", "jane", "--rules", savings)
    assert code == 2 and "weight set `jane` weighs impact, outcomes" in err
    (folder(gloucester) / "broken.yaml").write_text("name: broken\nmethod: vote\n")
    code, _, err = run(capsys, "weights", "list", str(gloucester))
    assert code == 2 and "broken.yaml:2:9: method" in err and "Traceback" not in err
    code, _, err = run(capsys, "weights", "elicit", str(gloucester), "--name", "has space", "--by", BY)
    assert code == 2 and "--name" in err


def test_a_scenario_may_name_a_weight_set_and_the_report_cites_it(gloucester):
    elicit(gloucester, "jane", JANE)
    scenario = gloucester.parent / "jane-view.yaml"
    scenario.write_text("name: Jane's view\nbase: gloucester-2015.yaml\nweights: jane\ntime_limit: 20\n")
    loaded = load_scenario(scenario)
    assert loaded.weight_set is not None and loaded.weight_set.name == "jane"
    assert loaded.scenario.weights == pytest.approx(loaded.weight_set.weights)
    markdown = render_markdown(build_report(run_scenario(loaded), draws=20))
    assert "The rule set 'default': not yet approved." in markdown
    assert "given by Jane Smith (Head of Finance, Gloucester City Council)" in markdown
    scenario.write_text("name: nobody\nbase: gloucester-2015.yaml\n\nweights: nobody\n")
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    assert str(caught.value.problems[0]).startswith(f"{scenario}:4:")
    assert "unknown weight set `nobody`; expected one of jane" in str(caught.value)


def test_a_shipped_scenario_still_says_its_weights_are_the_rule_sets(capsys):
    loaded = load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
    assert loaded.weight_set is None
    assert yaml.safe_load((ROOT / "rules" / "default.yaml").read_text()).get("approved_by") is None


def test_rules_check_says_whether_the_rule_set_is_approved(capsys, tmp_path):
    code, out, _ = run(capsys, "rules", "check", str(ROOT / "rules" / "default.yaml"))
    assert code == 0 and "adjustment rules; not yet approved)" in out
    approved = tmp_path / "approved.yaml"
    approved.write_text(
        (ROOT / "rules" / "default.yaml").read_text() + "approved_by: Cabinet\napproved_on: 2015-06-17\n"
    )
    code, out, _ = run(capsys, "rules", "check", str(approved))
    assert code == 0 and "approved by Cabinet on 17 June 2015)" in out
    code, out, _ = run(
        capsys, "score", str(ROOT / "scenarios" / "gloucester-2015.yaml"), "--rules", str(approved)
    )
    assert out.splitlines()[0] == "Rule set `default`: approved by Cabinet on 17 June 2015"


def test_answers_that_end_early_are_a_user_error_and_save_nothing(gloucester, capsys, monkeypatch):
    """Input ending half-way (a closed pipe, Ctrl-D) is the person's doing, not a bug: exit 2."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO("3\n5\n"))
    code, _, err = run(capsys, "weights", "elicit", str(gloucester), "--name", "jane", "--by", BY)
    assert code == 2, err
    assert "the answers ended before every question was answered; nothing was saved" in err
    assert not (folder(gloucester) / "jane.yaml").exists()
