"""Safe expressions: refused constructs, attack strings, and the two evaluators agreeing."""

from __future__ import annotations

import contextlib
import signal
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.programme.synth import random_programme
from engine.rules.context import option_table, schema_for
from engine.rules.expr import EvaluationError, ExprError, compile_expression

SCHEMA = schema_for({"outcome": "number", "label": "text"})


@contextmanager
def within(seconds: int):
    """Fail instead of hanging: the evaluation must be bounded."""

    def stop(*_):
        raise AssertionError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ATTACKS = [
    "__import__('os').system('touch /tmp/ssplan-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "service.__class__",
    "service.name.__class__.__mro__",
    "open('/etc/passwd')",
    "exec('import os')",
    "eval('1 + 1')",
    "import os",
    "lambda: 1",
    "$parse_datetime('2016-01-01')",
    "$split('a,b')",
    "$random()",
    "'a' * 1000000000",
    "9 ** 9 ** 9",
    "2 ** option.duration",
    "(" * 500 + "1" + ")" * 500,
    "[" * 200 + "]" * 200,
    "[x for x in [1, 2, 3]]",
    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' =~ '(a+)+$'",
    "service.name =~ '.*'",
    "service.name[0]",
    "service.name[0:2]",
    "d'2016-01-01' > d'2015-01-01'",
    "1 << 62",
    "{'a': 1}",
    "service.annual_cost" + " + 1" * 400,
    "f'{service}'",
    "service.owner.length",
    "option.attributes.missing",
    "option.one_off_cost % service.fte",
    "option.one_off_cost // 12",
    "",
    "   ",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attack_strings_only_give_rule_errors(text, tmp_path):
    with within(5), pytest.raises(ExprError):
        compile_expression(text, SCHEMA)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "service.anual_cost > 3",
            "unknown name `service.anual_cost` (did you mean `service.annual_cost`?)",
            0,
        ),
        ("option.risk > 3", "`>` compares two numbers or two texts; got text and number", 12),
        ("option.duration + 'x'", "`+` needs a number value; got text", None),
        ("service.statutory and 1", "`and` needs a true/false value; got number", None),
        ("option.duration <= ", "syntax error: the expression ends too soon", 19),
        ("option.duration >= >= 2", "syntax error at `>=`", 19),
        ("option.attributes.outcome > 3 ? 1 : 'x'", "both branches of `? :` must give the same kind", None),
        ("option.model in [service.name]", "`in` needs a list of plain values", None),
        (
            "option.attributes.outcome and true",
            "`and` needs a true/false value; got number (may be missing)",
            None,
        ),
    ],
)
def test_errors_say_what_and_where(text, message, position):
    with pytest.raises(ExprError) as caught:
        compile_expression(text, SCHEMA)
    assert message in caught.value.message
    if position is not None:
        assert caught.value.position == position


def test_nothing_was_executed():
    import os

    assert not os.path.exists("/tmp/ssplan-pwned")


# --------------------------------------------------------------- the two evaluators agree
NUMBER_FIELDS = [
    "service.annual_cost",
    "service.fte",
    "option.one_off_cost",
    "option.annual_cost",
    "option.duration",
    "option.total_demand",
    "horizon.periods",
]
MAYBE_FIELDS = ["option.attributes.outcome", "option.earliest_start_period", "service.contract_end_period"]
BOOL_FIELDS = [
    "service.statutory",
    "service.in_scope",
    "option.is_status_quo",
    "option.is_exception",
    "provider.is_default_provider",
    "service.contract_ends_in_horizon",
]
TEXT_FIELDS = [
    ("option.risk", ["low", "medium", "high"]),
    ("provider.kind", ["private", "county", "city"]),
    ("option.model", ["outsourced", "shared_service"]),
]


def numbers(depth: int):
    leaf = st.one_of(
        st.sampled_from(NUMBER_FIELDS),
        st.integers(-5, 200).map(str),
        st.sampled_from(MAYBE_FIELDS).map(lambda f: f"({f} ?? 2)"),
    )
    if depth == 0:
        return leaf
    sub = numbers(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(booleans(depth - 1), sub, sub).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        sub.map(lambda t: f"$abs({t})"),
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: f"$max([{', '.join(xs)}])"),
        st.sampled_from(MAYBE_FIELDS).map(lambda f: f),  # a bare missing value: an error where reached
    )


def booleans(depth: int):
    leaf = st.one_of(
        st.sampled_from(BOOL_FIELDS),
        st.sampled_from(["true", "false"]),
        st.sampled_from(TEXT_FIELDS).flatmap(
            lambda f: st.sampled_from(f[1]).map(lambda v: f"{f[0]} == '{v}'")
        ),
        st.sampled_from(MAYBE_FIELDS).map(lambda f: f"{f} == null"),
    )
    if depth == 0:
        return leaf
    return st.one_of(
        leaf,
        st.tuples(
            numbers(depth - 1), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), numbers(depth - 1)
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(booleans(depth - 1), st.sampled_from(["and", "or"]), booleans(depth - 1)).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        booleans(depth - 1).map(lambda t: f"not {t}"),
    )


TABLE = option_table(random_programme(11, services=12), {"outcome": "number", "label": "text"})
CONTEXTS = [TABLE.row_context(i) for i in range(len(TABLE))]


def _outcome(run):
    try:
        return "ok", run()
    except EvaluationError as exc:
        return "error", exc.row


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(numbers(3), booleans(3)))
def test_column_and_row_evaluation_agree(text: str):
    try:
        expression = compile_expression(text, SCHEMA)
    except ExprError:  # e.g. `1 / 0` among literals is refused when the text is read
        return
    fast = _outcome(lambda: expression.evaluate_frame(TABLE.columns, len(TABLE)))
    slow = _outcome(lambda: expression.evaluate_rows(CONTEXTS))
    assert fast[0] == slow[0], (text, fast, slow)
    if fast[0] == "error":
        assert fast[1] == slow[1]
        return
    for a, b in zip(fast[1], slow[1], strict=True):
        if isinstance(b, bool):
            assert bool(a) == b, text
        elif b is None:
            assert a is None or a != a
        else:
            assert float(a) == pytest.approx(float(b), rel=1e-9, abs=1e-9), text


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("serviceoptn._ ()[]+-*/%<>=!?:$'\"&|~^0123456789aeu,")), max_size=80
    )
)
def test_random_text_never_crashes_the_compiler(text: str):
    with within(5):
        try:
            expression = compile_expression(text, SCHEMA)
        except ExprError:
            return
        with contextlib.suppress(EvaluationError):
            expression.evaluate_frame(TABLE.columns, len(TABLE))


def test_describe_shows_values():
    expression = compile_expression("not option.is_status_quo and option.duration <= 3", SCHEMA)
    text = expression.describe({"option.is_status_quo": False, "option.duration": 6.0})
    assert text == "not option.is_status_quo (no) and (option.duration (6) <= 3)"


def test_division_by_zero_and_missing_values_name_the_row():
    expression = compile_expression("service.annual_cost / (option.duration - option.duration)", SCHEMA)
    with pytest.raises(EvaluationError, match="division by zero"):
        expression.evaluate_frame(TABLE.columns, len(TABLE))
    guarded = compile_expression("option.duration > 0 ? service.annual_cost / option.duration : 0", SCHEMA)
    values = guarded.evaluate_frame(TABLE.columns, len(TABLE))
    assert np.all(np.isfinite(values))


def test_the_shipped_parser_tables_are_the_installed_grammars():
    """rule-engine's parser is built from engine/rules/_rule_tables.py rather than computed on every start;
    if rule-engine's grammar changes, regenerate them (see engine/rules/parser.py)."""
    import sys

    from engine.rules.parser import tables_match

    assert tables_match()
    assert sys.modules["rule_engine.parser.parsetab"].__name__ == "engine.rules._rule_tables"
