"""Rule files: shipped sets load, and every kind of mistake is reported at its place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.base.errors import RuleError
from engine.rules.ruleset import load_ruleset, parse_ruleset
from tests.conftest import DATA, ROOT

SHIPPED_RULES = sorted((ROOT / "rules").glob("*.yaml"))
BAD = sorted((DATA / "bad-rules").glob("*.yaml"))


def test_at_least_two_rule_sets_ship():
    assert {p.stem for p in SHIPPED_RULES} >= {"default", "savings-first"}


@pytest.mark.parametrize("path", SHIPPED_RULES, ids=lambda p: p.stem)
def test_shipped_rule_set_loads(path: Path):
    rules = load_ruleset(path)
    assert sum(rules.weights().values()) == pytest.approx(1)
    assert all(rule.text for rule in (*rules.eligibility, *rules.adjustments))


def test_default_rules_use_the_cabinet_criteria():
    rules = load_ruleset(ROOT / "rules" / "default.yaml")
    assert [c.id for c in rules.criteria] == ["impact", "outcomes", "quick_wins", "cost", "time"]


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_rule_file_gives_located_error(path: Path):
    text = path.read_text()
    expects = re.findall(r"^# expect: (.*)$", text, flags=re.M)
    line = re.search(r"^# line: (\d+)$", text, flags=re.M)
    with pytest.raises(RuleError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    for expected in expects:
        assert expected in message
    if line:
        assert int(line.group(1)) in [p.line for p in caught.value.problems], message
    assert len(caught.value.problems) == 1, "one mistake, one message (no cascades)"


def test_ahp_weights_replace_listed_weights():
    base = (DATA / "rules-base.yaml").read_text()
    text = (
        base
        + "ahp:\n  criteria: [impact, cost, risk]\n  matrix: [[1, 3, 5], [0.333333, 1, 2], [0.2, 0.5, 1]]\n"
    )
    rules = parse_ruleset(text, "ahp.yaml")
    weights = rules.weights()
    assert weights["impact"] > weights["cost"] > weights["risk"]
    assert rules.consistency() == pytest.approx(0.0032, abs=1e-3)


def test_missing_rule_file():
    with pytest.raises(RuleError, match="no such rule file"):
        load_ruleset(DATA / "absent.yaml")
