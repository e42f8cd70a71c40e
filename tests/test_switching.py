"""Switching values: the verdict flips just past the switching point and not before."""

from __future__ import annotations

import pytest

from engine.rules.ruleset import load_ruleset
from engine.scoring.switching import _with_cost, exception_recommended, switching_values
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")


@pytest.fixture(scope="module")
def values(gloucester):
    return switching_values(gloucester, RULES)


def test_every_judged_exception_gets_both_switching_values(values):
    assert {(v.exception, v.role) for v in values} == {
        (e, r) for e in ("hr-bureau", "payroll-bureau", "finance-civica") for r in ("exception", "benchmark")
    }


def test_the_verdict_flips_just_past_the_switching_value_and_not_before(gloucester, values):
    checked = 0
    for value in values:
        if value.switching is None:
            continue
        towards_now = 2.0 if value.switching < value.current else -2.0
        at = _with_cost(gloucester, value.subject, value.switching)
        before = _with_cost(gloucester, value.subject, value.switching + towards_now)
        assert exception_recommended(at, RULES, value.exception) != value.recommended_now, value.text()
        assert exception_recommended(before, RULES, value.exception) == value.recommended_now, value.text()
        checked += 1
    assert checked >= 2


def test_switching_text_reads_for_cabinet(values):
    civica = next(v for v in values if v.exception == "finance-civica" and v.role == "exception")
    assert civica.text().startswith(
        "finance-civica would be recommended if its annual cost moved from £228,000 to £"
    )
    assert "−£" in civica.text() and civica.change < 0


def test_an_exception_recommended_now_switches_when_it_becomes_dearer(gloucester):
    cheap = _with_cost(gloucester, "finance-civica", 150000)
    assert exception_recommended(cheap, RULES, "finance-civica")
    value = next(
        v for v in switching_values(cheap, RULES) if v.exception == "finance-civica" and v.role == "exception"
    )
    assert value.recommended_now and value.switching is not None and value.switching > 150000
    assert "would stop being recommended" in value.text()
