"""What a rule may read: one list of fields (``engine.rules.context.FIELDS``), which the README follows."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest

from engine.programme.synth import random_programme
from engine.rules.context import ALWAYS, BASE_SCHEMA, FIELDS, option_table
from engine.rules.expr import Kind
from engine.rules.ruleset import load_ruleset
from engine.scoring import scores
from engine.scoring.scores import score
from tests.conftest import ROOT

NUMBERS = {path for path, (kind, _) in FIELDS.items() if kind.kind == Kind.NUMBER}


def _readme_fields() -> list[str]:
    """The fields the README's rule-set section lists: ``service.*`` (id, name, …) and so on."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    start = text.index("what a rule may read")
    end = text.index("and the derived names", start)
    fields = []
    for group, names in re.findall(r"`(\w+)\.\*` \(([^)]*)\)", text[start:end]):
        fields += [f"{group}.{name.strip()}" for name in names.split(",") if name.strip() != "attributes.*"]
    return fields


def test_the_readme_lists_exactly_the_fields_a_rule_may_read_in_their_order():
    assert _readme_fields() == list(FIELDS)


def test_the_schema_and_the_option_table_follow_the_one_field_list():
    assert list(BASE_SCHEMA) == list(FIELDS)
    table = option_table(random_programme(3), {"outcome": "number"})
    assert list(table.columns) == [*FIELDS, "option.attributes.outcome"]


def test_a_table_of_the_fields_a_rule_set_reads_builds_only_those_and_the_rest_when_asked():
    """Scoring builds the columns its rules read (and the frame's exception flag and NPV); any
    other field is read from the rows when first asked for, with the same values as a full table."""
    programme = random_programme(5, services=15, staged=True)
    full = option_table(programme, {"outcome": "number"})
    some = option_table(programme, {"outcome": "number"}, {"service.annual_cost", "option.duration"})
    assert set(some.columns) == {
        "service.annual_cost",
        "option.duration",
        *ALWAYS,
        "option.attributes.outcome",
    }
    for path in FIELDS:
        assert np.array_equal(some.columns[path], full.columns[path], equal_nan=path in NUMBERS)
    assert set(some.columns) == set(full.columns)
    with pytest.raises(KeyError):
        some.columns["option.no_such_field"]


def test_scoring_reads_the_same_whichever_columns_it_built(monkeypatch):
    """Scoring on the restricted table gives exactly what it gave on the full one."""
    rules = load_ruleset(ROOT / "bench" / "rules-20.yaml")
    programme = random_programme(9, services=40)
    restricted = score(programme, rules)
    assert len(restricted.table.columns) < len(FIELDS)

    def every_field(programme, attributes, fields=None):
        return option_table(programme, attributes)

    monkeypatch.setattr(scores, "option_table", every_field)
    full = score(programme, rules)
    assert len(full.table.columns) > len(FIELDS)
    pd.testing.assert_frame_equal(restricted.options, full.options)
    pd.testing.assert_frame_equal(restricted.services, full.services)


def test_a_table_with_columns_still_to_build_pickles_for_the_apps_cache():
    programme = random_programme(4, services=6)
    table = option_table(programme, {}, {"option.duration"})
    copy = pickle.loads(pickle.dumps(table))
    assert set(copy.columns) == set(table.columns)
    assert np.array_equal(copy.columns["option.annual_cost"], table.columns["option.annual_cost"])
