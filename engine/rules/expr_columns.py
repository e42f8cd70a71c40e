"""Column-wise evaluation of a checked expression tree: one numpy operation per node over all rows.

It follows rule-engine's semantics exactly, so the two evaluators agree (the tests check it):
``and``/``or``/``?:``/``??`` short-circuit per row, and arithmetic or ordering on a missing value,
or division by zero, fails for the first row that reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from engine.rules.expr_tree import describe_node, dotted, node_kind, render
from engine.rules.parser import ast


class EvaluationError(ValueError):
    """An expression that fails for one row (missing value, division by zero, not finite)."""

    def __init__(self, message: str, row: int):
        super().__init__(message)
        self.message, self.row = message, row


# `//` and `%` are refused by the checker (decimal and binary results differ), so not here
ARITHMETIC_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "tdiv": np.divide,
    "pow": np.power,
}


def broadcast(value: Any, rows: int) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    dtype = object if isinstance(value, str) or value is None else None
    return np.full(rows, value, dtype=dtype)


def _missing(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return np.array([v is None or (isinstance(v, float) and v != v) for v in value], dtype=bool)
        if value.dtype.kind == "f":
            return np.isnan(value)
        return np.zeros(value.shape, dtype=bool)
    return value is None or (isinstance(value, float) and value != value)


class ColumnEvaluator:
    """Evaluates a tree over whole columns; rows that fail are recorded, not raised at once.

    Each row keeps the message of the first failure in evaluation order (depth first, left to
    right, only where the row is live), which is the failure a row-by-row run meets first.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], rows: int):
        self.columns, self.rows = columns, rows
        self.errored = np.zeros(rows, dtype=bool)
        self.messages: dict[int, str] = {}

    def fail_where(self, bad: np.ndarray, message: str) -> None:
        new = bad & ~self.errored
        if np.any(new):
            self.errored |= new
            for row in np.flatnonzero(new):
                self.messages[int(row)] = message

    def number(self, node: Any, live: np.ndarray) -> np.ndarray:
        value = broadcast(self.run(node, live), self.rows).astype(float)
        self.fail_where(live & np.isnan(value), f"a missing value is used in `{render(node, {})}`")
        return value

    def run(self, node: Any, live: np.ndarray) -> Any:
        """``node``'s value over all rows (a column, or one value for every row); ``live`` marks
        the rows that reach it, so only they can fail here.

        One method per kind of node, as the checker has (``expr_tree.NODE_KINDS``).
        """
        kind = node_kind(node)
        if kind is None:
            raise EvaluationError(f"{describe_node(node)} cannot be evaluated", 0)
        return getattr(self, kind)(node, live)

    def literal(self, node: Any, live: np.ndarray) -> Any:
        """A number (as a float, as numpy computes), a text, true/false or null (None)."""
        if isinstance(node, ast.FloatExpression):
            return float(node.value)
        if isinstance(node, (ast.StringExpression, ast.BooleanExpression)):
            return node.value
        return None

    def symbol(self, node: Any, live: np.ndarray) -> Any:
        return self.columns[dotted(node)]  # type: ignore[index]

    def unary(self, node: Any, live: np.ndarray) -> Any:
        if node.type == "not":
            return ~broadcast(self.run(node.right, live), self.rows).astype(bool)
        return -self.number(node.right, live)

    def arithmetic(self, node: Any, live: np.ndarray) -> Any:
        """Both sides first (each may fail where missing), then division by zero where live."""
        left, right = self.number(node.left, live), self.number(node.right, live)
        kind = node.type
        if kind == "tdiv":
            self.fail_where(live & (right == 0), "division by zero")
        return ARITHMETIC_OPS[kind](left, right)

    def ordering(self, node: Any, live: np.ndarray) -> Any:
        """``<`` ``<=`` ``>`` ``>=`` as rule-engine orders: texts as texts, numbers as numbers."""
        left, right = self.run(node.left, live), self.run(node.right, live)
        lm, rm = broadcast(_missing(left), self.rows), broadcast(_missing(right), self.rows)
        # rule-engine: one side missing is an error; both missing compare as equal
        self.fail_where(live & (lm ^ rm), f"a missing value is compared in `{render(node, {})}`")
        left, right = broadcast(left, self.rows), broadcast(right, self.rows)
        op = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}[node.type]
        out = np.zeros(self.rows, dtype=bool)
        ok = ~(lm | rm)
        if left.dtype == object or right.dtype == object:
            out[ok] = op(left[ok].astype(str), right[ok].astype(str))
        else:
            out[ok] = op(left[ok], right[ok])
        out[lm & rm] = node.type in ("ge", "le")
        return out

    def equality(self, node: Any, live: np.ndarray) -> Any:
        """``==`` ``!=``: no failure of its own; missing equals missing and nothing else."""
        left, right = self.run(node.left, live), self.run(node.right, live)
        lm, rm = _missing(left), _missing(right)
        left, right = broadcast(left, self.rows), broadcast(right, self.rows)
        both = ~(lm | rm)
        equal = np.zeros(self.rows, dtype=bool)
        equal[both] = (left[both] == right[both]) if np.any(both) else equal[both]
        equal |= lm & rm
        return equal if node.type == "eq" else ~equal

    def logic(self, node: Any, live: np.ndarray) -> Any:
        """``and`` ``or`` short-circuit per row: the right side is live only where it is reached."""
        left = broadcast(self.run(node.left, live), self.rows).astype(bool)
        if node.type == "and":
            right = broadcast(self.run(node.right, live & left), self.rows).astype(bool)
            return left & right
        right = broadcast(self.run(node.right, live & ~left), self.rows).astype(bool)
        return left | right

    def ternary(self, node: Any, live: np.ndarray) -> Any:
        """``c ? a : b``: each branch is live only on the rows that take it."""
        cond = broadcast(self.run(node.condition, live), self.rows).astype(bool)
        yes = broadcast(self.run(node.case_true, live & cond), self.rows)
        no = broadcast(self.run(node.case_false, live & ~cond), self.rows)
        return np.where(cond, yes, no)

    def coalesce(self, node: Any, live: np.ndarray) -> Any:
        """``a ?? b``: the default is live only where ``a`` is missing."""
        left = broadcast(self.run(node.left, live), self.rows)
        gap = _missing(left)
        right = broadcast(self.run(node.right, live & gap), self.rows)
        return np.where(gap, right, left)

    def contains(self, node: Any, live: np.ndarray) -> Any:
        member = broadcast(self.run(node.member, live), self.rows)
        choices = [
            v.value if isinstance(v, ast.StringExpression) else float(v.value) for v in node.container.value
        ]
        return np.isin(member, np.array(choices, dtype=member.dtype))

    def function(self, node: Any, live: np.ndarray) -> Any:
        """$abs of a number; $min/$max of a list of numbers (the checker allows no other call)."""
        name = node.function.name
        if name == "abs":
            return np.abs(self.number(node.arguments[0], live))
        items = [self.number(item, live) for item in node.arguments[0].value]
        return (np.minimum if name == "min" else np.maximum).reduce(items)
