"""Where an expression's ``a ?? default`` took its default: the rows, the field and the value.

An attribute left out of a file, or marked unknown, reads as missing, and ``??`` puts the rule
set's default in its place ("an unrated outcome counts as 3").  Scoring does that silently; this
module runs the same column-wise evaluation once more and records, for every ``??`` a row
reaches, whether the row took the default, so that an output can say how much of a score rests
on it.  It changes no value: the recorder computes exactly what :class:`ColumnEvaluator` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.rules.expr import Expression
from engine.rules.expr_columns import ColumnEvaluator, _missing, broadcast
from engine.rules.expr_tree import dotted, render
from engine.rules.parser import ast

LITERALS = (ast.FloatExpression, ast.StringExpression, ast.BooleanExpression, ast.NullExpression)


@dataclass(frozen=True)
class DefaultTaken:
    """One ``??`` of an expression: the rows that took its default, and the default per row."""

    field: str  # what was missing: a field (``option.attributes.outcome``) or the left side's text
    rows: np.ndarray  # bool per row: live, the left side missing, so the default was used
    values: np.ndarray  # the default's value per row (meaningful where ``rows``)
    constant: bool  # the default is a literal of the rule set (so showing it reveals no figure)


class _Recorder(ColumnEvaluator):
    """The column evaluator, noting every ``??`` whose default a live row takes."""

    def __init__(self, columns: Mapping[str, np.ndarray], rows: int):
        super().__init__(columns, rows)
        self.taken: list[DefaultTaken] = []

    def coalesce(self, node: Any, live: np.ndarray) -> Any:
        left = broadcast(self.run(node.left, live), self.rows)
        gap = _missing(left)
        gap = gap if isinstance(gap, np.ndarray) else np.full(self.rows, bool(gap))
        right = broadcast(self.run(node.right, live & gap), self.rows)
        field = dotted(node.left) or render(node.left, {})
        self.taken.append(DefaultTaken(field, live & gap, right, isinstance(node.right, LITERALS)))
        return np.where(gap, right, left)


def defaults_taken(
    expression: Expression, columns: Mapping[str, np.ndarray], rows: int
) -> list[DefaultTaken]:
    """Every ``??`` of ``expression`` with the rows (of ``columns``) that took its default.

    Rows on which the expression fails are skipped as the evaluator skips them: scoring has
    already reported any failure that matters."""
    recorder = _Recorder(columns, rows)
    with np.errstate(all="ignore"):
        recorder.run(expression._rule.statement.expression, np.ones(rows, dtype=bool))
    return [t for t in recorder.taken if t.rows.any()]
