"""Helpers on rule-engine expression trees: names, operator symbols and readable rendering."""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

import numpy as np

from engine.rules.parser import ast


def dotted(node: Any) -> str | None:
    """``service.annual_cost`` for a chain of attribute reads on a name, else None."""
    if isinstance(node, ast.SymbolExpression) and node.scope is None:
        return str(node.name)
    if isinstance(node, ast.GetAttributeExpression) and not node.safe:
        base = dotted(node.object)
        return f"{base}.{node.name}" if base else None
    return None


# The kinds of node a rule may hold, in the order a walker must test them: rule-engine's node
# classes inherit from one another (an ArithmeticComparisonExpression is a ComparisonExpression,
# and so is the regular-expression match), so the first match decides.  The checker and the
# column evaluator each have one method per kind, named as here.
NODE_KINDS: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("literal", (ast.FloatExpression, ast.StringExpression, ast.BooleanExpression, ast.NullExpression)),
    ("symbol", (ast.SymbolExpression, ast.GetAttributeExpression)),
    ("unary", ast.UnaryExpression),
    ("arithmetic", (ast.AddExpression, ast.SubtractExpression, ast.ArithmeticExpression)),
    ("ordering", ast.ArithmeticComparisonExpression),
    ("equality", ast.ComparisonExpression),
    ("logic", ast.LogicExpression),
    ("ternary", ast.TernaryExpression),
    ("coalesce", ast.CoalesceExpression),
    ("contains", ast.ContainsExpression),
    ("function", ast.FunctionCallExpression),
)


def node_kind(node: Any) -> str | None:
    """The kind of ``node`` (see ``NODE_KINDS``), or None for a node no rule may hold."""
    return next((kind for kind, classes in NODE_KINDS if isinstance(node, classes)), None)


ARITHMETIC = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**"}
COMPARISON = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}
_NAMES = {
    "FuzzyComparisonExpression": "regular-expression matching (`=~`)",
    "ComprehensionExpression": "a list comprehension",
    "GetItemExpression": "indexing (`[...]`)",
    "GetSliceExpression": "slicing",
    "DatetimeExpression": "a date literal",
    "TimedeltaExpression": "a time-span literal",
    "BitwiseExpression": "a bit operation",
    "BitwiseShiftExpression": "a bit shift",
    "MappingExpression": "a mapping literal",
    "SetExpression": "a set literal",
    "ArrayExpression": "a list outside `in`, $min or $max",
    "BytesExpression": "a bytes literal",
}


def describe_node(node: Any) -> str:
    name = type(node).__name__
    return _NAMES.get(name, name.replace("Expression", " expression").lower())


class Unknown:
    """Stands in an explanation for a value the file marks unknown (``null``/``unknown``), so it
    reads "unknown" where a value merely left out reads "missing"."""

    def __repr__(self) -> str:
        return "unknown"


UNKNOWN = Unknown()


def fmt(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unknown"
    if value is None or (isinstance(value, float) and value != value):
        return "missing"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, (int, float, decimal.Decimal, np.floating, np.integer)):
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.4g}"
    return repr(str(value))


def render(node: Any, values: Mapping[str, Any]) -> str:
    def sub(child: Any) -> str:
        text = render(child, values)
        atomic = isinstance(
            child,
            (
                ast.SymbolExpression,
                ast.GetAttributeExpression,
                ast.LiteralExpressionBase,
                ast.FunctionCallExpression,
                ast.UnaryExpression,
            ),
        ) or (
            isinstance(child, ast.LogicExpression)
            and isinstance(node, ast.LogicExpression)
            and child.type == node.type
        )
        return text if atomic else f"({text})"

    if isinstance(node, (ast.SymbolExpression, ast.GetAttributeExpression)):
        path = dotted(node) or "?"
        return f"{path} ({fmt(values[path])})" if path in values else path
    if isinstance(node, ast.FloatExpression):
        return fmt(node.value)
    if isinstance(node, ast.StringExpression):
        return repr(node.value)
    if isinstance(node, ast.BooleanExpression):
        return "true" if node.value else "false"
    if isinstance(node, ast.NullExpression):
        return "null"
    if isinstance(node, ast.UnaryExpression):
        return ("not " if node.type == "not" else "-") + sub(node.right)
    if isinstance(node, (ast.AddExpression, ast.SubtractExpression, ast.ArithmeticExpression)):
        return f"{sub(node.left)} {ARITHMETIC[node.type]} {sub(node.right)}"
    if isinstance(node, (ast.ArithmeticComparisonExpression, ast.ComparisonExpression)):
        return f"{sub(node.left)} {COMPARISON[node.type]} {sub(node.right)}"
    if isinstance(node, ast.LogicExpression):
        return f"{sub(node.left)} {node.type} {sub(node.right)}"
    if isinstance(node, ast.TernaryExpression):
        return f"{sub(node.condition)} ? {sub(node.case_true)} : {sub(node.case_false)}"
    if isinstance(node, ast.CoalesceExpression):
        return f"{sub(node.left)} ?? {sub(node.right)}"
    if isinstance(node, ast.ContainsExpression):
        return f"{sub(node.member)} in [{', '.join(render(v, values) for v in node.container.value)}]"
    if isinstance(node, ast.FunctionCallExpression):
        args = node.arguments[0]
        inner = (
            "[" + ", ".join(render(v, values) for v in args.value) + "]"
            if isinstance(args, ast.ArrayExpression)
            else render(args, values)
        )
        return f"${node.function.name}({inner})"
    return describe_node(node)
