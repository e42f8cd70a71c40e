"""Safe rule expressions: parsed by rule-engine's own grammar, checked, then run column-wise.

Nothing here hands text to Python.  ``compile_expression`` parses with rule-engine (so a
syntax error carries its position), then walks the tree with an allow-list: numbers, text,
true/false/null, fields of the programme (``service.annual_cost``), derived names, arithmetic,
comparisons, ``and``/``or``/``not``, ``?:``, ``??``, ``in [...]`` and ``$abs``/``$min``/``$max``.
Everything else (regular expressions, comprehensions, indexing, dates, bit operations, other
functions) is refused with a message, so evaluation is bounded by the size of the tree.

Two evaluators give the same answers: ``evaluate_rows`` asks rule-engine for each row (the
reference), ``evaluate_frame`` translates the tree once into numpy operations over whole columns
(fast).  Both follow rule-engine's semantics: ``and``/``or``/``?:``/``??`` short-circuit, and
arithmetic or ordering on a missing value, or division by zero, is an error for the row that
reaches it.
"""

from __future__ import annotations

import decimal
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from engine.base.limits import MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH, MAX_LITERAL, MAX_LITERAL_CHARS
from engine.rules.expr_columns import ColumnEvaluator, EvaluationError, broadcast
from engine.rules.expr_tree import ARITHMETIC, COMPARISON, describe_node, dotted, node_kind, render
from engine.rules.parser import ast, rule_engine

MAX_LENGTH = MAX_EXPRESSION_CHARS
MAX_DEPTH = MAX_EXPRESSION_DEPTH
MAX_POWER = 10
FUNCTIONS = {"abs": 1, "min": None, "max": None}


class Kind(Enum):
    NUMBER = "number"
    TEXT = "text"
    BOOLEAN = "true/false"
    NULL = "null"
    LIST = "list"


@dataclass(frozen=True)
class Type:
    kind: Kind
    nullable: bool = False

    def __str__(self) -> str:
        return self.kind.value + (" (may be missing)" if self.nullable else "")


NUMBER, TEXT, BOOLEAN = Type(Kind.NUMBER), Type(Kind.TEXT), Type(Kind.BOOLEAN)
Schema = Mapping[str, Type]


class ExprError(ValueError):
    """An expression that cannot be accepted; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message, self.position = message, position


@dataclass
class Expression:
    """A checked expression, parsed once, ready to run on rows or on whole columns."""

    text: str
    type: Type
    symbols: tuple[str, ...]
    _rule: rule_engine.Rule = field(repr=False)

    # ------------------------------------------------------------------ column-wise (fast)
    def evaluate_frame(self, columns: Mapping[str, np.ndarray], rows: int) -> np.ndarray:
        live = np.ones(rows, dtype=bool)
        vector = ColumnEvaluator(columns, rows)
        with np.errstate(all="ignore"):
            value = vector.run(self._rule.statement.expression, live)
        if vector.errored.any():  # report the first row, as a row-by-row run would
            row = int(np.argmax(vector.errored))
            raise EvaluationError(vector.messages[row], row)
        return broadcast(value, rows)

    # ------------------------------------------------------------------ row by row (reference)
    def evaluate_rows(self, contexts: Sequence[Mapping[str, Any]]) -> list[Any]:
        out = []
        for row, context in enumerate(contexts):
            try:
                value = self._rule.evaluate(context)
            except ZeroDivisionError:
                raise EvaluationError("division by zero", row) from None
            except rule_engine.errors.EngineError as exc:
                raise EvaluationError(_engine_message(exc), row) from None
            out.append(float(value) if isinstance(value, decimal.Decimal) else value)
        return out

    def describe(self, values: Mapping[str, Any]) -> str:
        """The expression with each field's value shown: ``option.duration (6) <= 2``."""
        return render(self._rule.statement.expression, values)


def compile_expression(text: str, schema: Schema) -> Expression:
    if not isinstance(text, str) or not text.strip():
        raise ExprError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    depth, deepest = 0, 0
    for char in text:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise ExprError(f"brackets are nested more than {MAX_DEPTH} deep")
    _prescreen(text)
    rule = _parse(text, rule_engine.Context(default_value=None))  # untyped: the tree for our checks
    checker = _Checker(text, schema)
    kind = checker.check(rule.statement.expression)
    typed = _parse(text, _typed_context(schema))  # what runs: objects with declared fields only
    return Expression(text, kind, tuple(dict.fromkeys(checker.symbols)), typed)


def _parse(text: str, context: rule_engine.Context) -> rule_engine.Rule:
    try:
        return rule_engine.Rule(text, context=context)
    except rule_engine.errors.RuleSyntaxError as exc:
        token = getattr(exc, "token", None)
        if token is None:
            raise ExprError("syntax error: the expression ends too soon", len(text)) from None
        message = re.sub(r" at: .*$", "", str(exc.message))
        raise ExprError(f"{message} at `{token.value}`", getattr(token, "lexpos", None)) from None
    except (rule_engine.errors.EngineError, ArithmeticError, decimal.DecimalException, RecursionError) as exc:
        raise ExprError(f"cannot be read: {_engine_message(exc)}") from None


_CONTEXTS: dict[frozenset[tuple[str, Type]], rule_engine.Context] = {}


def _typed_context(schema: Schema) -> rule_engine.Context:
    """A rule-engine context whose roots are OBJECT types with exactly the schema's fields.

    Values are fetched with ``mapping[key]`` through each type's accessor, so no attribute of a
    Python object is ever looked up and no deprecated mapping fallback is used.
    """
    key = frozenset(schema.items())
    if key not in _CONTEXTS:
        tree: dict[str, Any] = {}
        for path in schema:
            node = tree
            for part in path.split("."):
                node = node.setdefault(part, {})

        def build(name: str, fields: dict[str, Any]) -> Any:
            if not fields:
                return rule_engine.DataType.UNDEFINED
            attributes = {k: build(f"{name}.{k}", v) for k, v in fields.items()}
            return rule_engine.DataType.OBJECT(name, attributes=attributes, accessor=_item)

        types = {root: build(root, fields) for root, fields in tree.items()}
        _CONTEXTS[key] = rule_engine.Context(
            type_resolver=rule_engine.type_resolver_from_dict(types), default_value=None
        )
    return _CONTEXTS[key]


def _item(value: Any, name: str) -> Any:
    return value[name]


# tokens after which `[` reads an item of a value (indexing or slicing), not a list literal
_OPERAND_ENDS = {
    "FLOAT", "FLOAT_INF", "FLOAT_NAN", "STRING", "SYMBOL", "TRUE", "FALSE", "NULL",
    "RPAREN", "RBRACKET", "RBRACE", "BYTES", "DATETIME", "TIMEDELTA",
}  # fmt: skip
_TYPED_LITERALS = {"BYTES", "DATETIME", "TIMEDELTA"}
_REGEX_OPERATORS = {"EQ_FZM", "EQ_FZS", "NE_FZM", "NE_FZS"}
_BIT_OPERATORS = {"BWAND", "BWOR", "BWXOR", "BWLSH", "BWRSH"}
_CALLABLE = {f"${name}" for name in FUNCTIONS}


def _tokens(text: str) -> Iterator[Any]:
    """rule-engine's own tokens for ``text``: lexing folds nothing and runs nothing."""
    lexer = rule_engine.Rule.parser._lexer.clone()  # the lexer of the parser Rule uses
    lexer.input(text)
    while True:
        try:
            token = lexer.token()
        except rule_engine.errors.RuleSyntaxError as exc:
            token = getattr(exc, "token", None)
            position = getattr(token, "lexpos", None)
            raise ExprError(re.sub(r" at: .*$", "", _engine_message(exc)), position) from None
        if token is None:
            return
        if token.type != "COMMENT":
            yield token


def _prescreen(text: str) -> None:
    """Refuse, before parsing, what rule-engine would run while parsing.

    rule-engine folds constant sub-expressions as it parses: ``'aaaa!' =~ '(a+)+$'`` would
    backtrack inside the parser, ``(1e999999).ceiling`` would build a million-digit integer and
    ``[1, 2, 3][1]`` would be read as ``2`` (so indexing would pass the later checks unseen).  So
    the tokens are checked first: numbers at most MAX_LITERAL, powers plain numbers up to
    MAX_POWER; no indexing or slicing, no attributes of anything but a field, no bit operations,
    regular expressions, dates or bytes, and no calls but $abs, $min and $max.
    """
    previous: Any = None
    for token in _tokens(text):
        kind, value, position = token.type, str(token.value), token.lexpos
        _screen_token(kind, value, position)
        negative_power = kind == "SUB" and previous is not None and previous.type == "POW"
        _screen_after(previous, kind, value, position, negative_power)
        if not negative_power:  # `2 ** -3`: the number after the minus is checked as the power
            previous = token


def _screen_token(kind: str, value: str, position: int) -> None:
    """Refuse a token that is never allowed, wherever it stands: typed literals, regular
    expressions, bit operations, calls of anything but $abs/$min/$max, oversized numbers."""
    if kind in _TYPED_LITERALS:
        raise ExprError("date, time-span and bytes literals are not allowed in rules", position)
    if kind in _REGEX_OPERATORS:
        raise ExprError("regular-expression matching (`=~`) is not allowed in rules", position)
    if kind in _BIT_OPERATORS:
        raise ExprError(f"bit operations (`{value}`) are not allowed in rules", position)
    if kind == "SYMBOL" and value.startswith("$") and value[1:] not in FUNCTIONS:
        raise ExprError(f"calling `{value}` is not allowed; only $abs, $min and $max", position)
    if kind == "FLOAT":
        _literal(value, position)


def _screen_after(previous: Any, kind: str, value: str, position: int, negative_power: bool) -> None:
    """Refuse a token by what comes before it: ``[`` or ``(`` after an operand would index or call
    it, ``.`` after anything but a name reads an attribute of a value, and the power of ``**``
    must be a plain small number (``negative_power``: this token is the minus sign of one)."""
    called = previous is not None and previous.type in _OPERAND_ENDS
    if kind == "LBRACKET" and (value != "[" or called):
        raise ExprError(
            "indexing and slicing (`x[...]`) are not allowed in rules; a list may follow only "
            "`in`, $min or $max",
            position,
        )
    if kind == "LPAREN" and called and str(previous.value) not in _CALLABLE:
        raise ExprError("calling functions is not allowed; only $abs, $min and $max", position)
    if kind in ("ATTR", "ATTR_SAFE") and (previous is None or previous.type != "SYMBOL"):
        raise ExprError(
            "only fields of service, option, provider and horizon can be read "
            "(no attributes of numbers, texts or lists)",
            position,
        )
    if (
        previous is not None
        and previous.type == "POW"
        and not negative_power
        and not _plain_power(kind, value)
    ):
        raise ExprError(
            f"`**` needs a plain number from -{MAX_POWER} to {MAX_POWER} as its power",
            previous.lexpos,
        )


def _plain_power(kind: str, value: str) -> bool:
    try:
        return kind == "FLOAT" and abs(decimal.Decimal(value)) <= MAX_POWER
    except decimal.InvalidOperation:  # 0x.., 0o.., 0b..
        return False


def _literal(value: str, position: int) -> None:
    """A number as written: short, and at most MAX_LITERAL (checked without computing it)."""
    if len(value) > MAX_LITERAL_CHARS:
        raise ExprError(f"a number written with more than {MAX_LITERAL_CHARS} characters", position)
    try:
        number = decimal.Decimal(int(value, 0)) if value[:2].lower() in ("0x", "0o", "0b") else None
        number = number if number is not None else decimal.Decimal(value)
    except (ValueError, decimal.InvalidOperation):
        raise ExprError(f"`{value}` is not a number", position) from None
    if abs(number) > decimal.Decimal(MAX_LITERAL):
        raise ExprError(
            f"the number `{value}` is too large; numbers in rules are at most {MAX_LITERAL:,.0f}",
            position,
        )


def _engine_message(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc)


# ------------------------------------------------------------------------------ static check
class _Checker:
    def __init__(self, text: str, schema: Schema):
        self.text, self.schema = text, schema
        self.symbols: list[str] = []

    def fail(self, message: str, needle: str | None = None) -> ExprError:
        position = self.text.find(needle) if needle else -1
        return ExprError(message, position if position >= 0 else None)

    def check(self, node: Any) -> Type:
        """The type ``node`` gives, or an ExprError saying why it is refused.

        One method per kind of node (``expr_tree.NODE_KINDS``, in the order that decides between
        rule-engine's related node classes); anything of no kind is refused.
        """
        kind = node_kind(node)
        if kind is None:
            raise self.fail(f"{describe_node(node)} is not allowed in rules")
        found: Type = getattr(self, kind)(node)
        return found

    def literal(self, node: Any) -> Type:
        """A number (finite and at most MAX_LITERAL, as folded by the parser), text, true/false or null."""
        if isinstance(node, ast.FloatExpression):
            if not decimal.Decimal(node.value).is_finite() or abs(node.value) > decimal.Decimal(MAX_LITERAL):
                raise self.fail("a number in the expression is too large")
            return NUMBER
        if isinstance(node, ast.StringExpression):
            return TEXT
        if isinstance(node, ast.BooleanExpression):
            return BOOLEAN
        return Type(Kind.NULL, True)

    def unary(self, node: Any) -> Type:
        """``not`` needs true/false; unary minus keeps a number's chance of being missing."""
        inner = self.check(node.right)
        if node.type == "not":
            self.need(inner, Kind.BOOLEAN, "`not`")
            return BOOLEAN
        self.need(inner, Kind.NUMBER, "`-`")
        return Type(Kind.NUMBER, inner.nullable)

    def arithmetic(self, node: Any) -> Type:
        """Numbers on both sides; ``//`` and ``%`` refused; a power only a plain small number."""
        symbol = ARITHMETIC[node.type]
        if node.type in ("fdiv", "mod"):
            # rule-engine computes in decimal, numpy in binary floating point: 123000 % 12.4 is 0
            # for one and 12.4 for the other, so these operators are left out of the language
            raise self.fail(f"`{symbol}` is not allowed in rules; use `/`", symbol)
        left, right = self.check(node.left), self.check(node.right)
        self.need(left, Kind.NUMBER, f"`{symbol}`")
        self.need(right, Kind.NUMBER, f"`{symbol}`")
        if node.type == "pow" and not (
            isinstance(node.right, ast.FloatExpression) and abs(node.right.value) <= MAX_POWER
        ):
            raise self.fail(f"`**` needs a plain number from -{MAX_POWER} to {MAX_POWER} as its power", "**")
        return NUMBER

    def ordering(self, node: Any) -> Type:
        """``<`` ``<=`` ``>`` ``>=``: two numbers or two texts (both evaluators order only those)."""
        left, right = self.check(node.left), self.check(node.right)
        symbol = COMPARISON[node.type]
        if left.kind != right.kind or left.kind not in (Kind.NUMBER, Kind.TEXT):
            raise self.fail(f"`{symbol}` compares two numbers or two texts; got {left} and {right}", symbol)
        return BOOLEAN

    def equality(self, node: Any) -> Type:
        """``==`` ``!=``: values of one kind, or anything against null."""
        left, right = self.check(node.left), self.check(node.right)
        if Kind.NULL not in (left.kind, right.kind) and left.kind != right.kind:
            symbol = COMPARISON[node.type]
            raise self.fail(f"`{symbol}` compares values of one kind; got {left} and {right}", symbol)
        return BOOLEAN

    def logic(self, node: Any) -> Type:
        """``and`` ``or``: true/false on both sides, neither ever missing (or `?? false` is asked for)."""
        self.need(self.check(node.left), Kind.BOOLEAN, f"`{node.type}`", allow_null=False)
        self.need(self.check(node.right), Kind.BOOLEAN, f"`{node.type}`", allow_null=False)
        return BOOLEAN

    def ternary(self, node: Any) -> Type:
        """``c ? a : b``: a condition never missing, and branches of one kind (or null)."""
        self.need(self.check(node.condition), Kind.BOOLEAN, "`?`", allow_null=False)
        yes, no = self.check(node.case_true), self.check(node.case_false)
        kinds = {yes.kind, no.kind} - {Kind.NULL}
        if len(kinds) > 1:
            raise self.fail(f"both branches of `? :` must give the same kind; got {yes} and {no}", ":")
        return Type(kinds.pop() if kinds else Kind.NULL, yes.nullable or no.nullable)

    def coalesce(self, node: Any) -> Type:
        """``a ?? b``: a default of a's kind; missing only where the default may be."""
        left, right = self.check(node.left), self.check(node.right)
        if right.kind not in (left.kind, Kind.NULL) and left.kind != Kind.NULL:
            raise self.fail(f"`??` needs a default of the same kind; got {left} and {right}", "??")
        return Type(left.kind if left.kind != Kind.NULL else right.kind, right.nullable)

    def contains(self, node: Any) -> Type:
        """``x in [...]``: a literal list of plain values of x's kind (the column evaluator's isin)."""
        member = self.check(node.member)
        if not isinstance(node.container, ast.ArrayExpression) or not all(
            isinstance(v, (ast.FloatExpression, ast.StringExpression)) for v in node.container.value
        ):
            raise self.fail("`in` needs a list of plain values, e.g. option.model in ['outsourced']", " in ")
        for item in node.container.value:
            if self.check(item).kind != member.kind:
                raise self.fail(f"`in` compares a {member.kind.value} with a list of another kind", " in ")
        return BOOLEAN

    def need(self, got: Type, kind: Kind, where: str, allow_null: bool = True) -> None:
        if got.kind != kind:
            raise self.fail(f"{where} needs a {kind.value} value; got {got}", where.strip("`"))
        if got.nullable and not allow_null:
            raise self.fail(f"{where} needs a value that is never missing; add `?? false`", where.strip("`"))

    def symbol(self, node: Any) -> Type:
        path = dotted(node)
        if path is None:
            raise self.fail("only fields of service, option, provider and horizon can be read")
        found = self.schema.get(path)
        if found is None:
            close = difflib.get_close_matches(path, list(self.schema), n=1, cutoff=0.6)
            prefix = path.rsplit(".", 1)[0] + "." if "." in path else ""
            nearby = [k for k in self.schema if k.startswith(prefix) and k.count(".") == path.count(".")]
            hint = (
                f" (did you mean `{close[0]}`?)"
                if close
                else (f"; known: {', '.join(sorted(nearby)[:12])}" if nearby else "")
            )
            raise self.fail(f"unknown name `{path}`{hint}", path)
        self.symbols.append(path)
        return found

    def function(self, node: Any) -> Type:
        fn = node.function
        name = fn.name if isinstance(fn, ast.SymbolExpression) and fn.scope == "built-in" else None
        if name not in FUNCTIONS:
            called = f"${name}" if name else dotted(fn)
            what = f"calling `{called}`" if called else "calling functions"
            raise self.fail(f"{what} is not allowed; only $abs, $min and $max", "(")
        args = list(node.arguments)
        if name == "abs":
            if len(args) != 1:
                raise self.fail("$abs takes one number", "$abs")
            self.need(self.check(args[0]), Kind.NUMBER, "$abs")
            return NUMBER
        if len(args) != 1 or not isinstance(args[0], ast.ArrayExpression) or not args[0].value:
            raise self.fail(f"${name} takes one list of numbers, e.g. ${name}([a, b])", f"${name}")
        for item in args[0].value:
            self.need(self.check(item), Kind.NUMBER, f"${name}")
        return NUMBER
