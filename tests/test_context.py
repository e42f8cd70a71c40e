"""What a rule may read: one list of fields (``engine.rules.context.FIELDS``), which the README follows."""

from __future__ import annotations

import re

from engine.programme.synth import random_programme
from engine.rules.context import BASE_SCHEMA, FIELDS, option_table
from tests.conftest import ROOT


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
