"""Rule sets: the criteria, weights, derived values, eligibility rules and adjustments.

A rule set is YAML a programme officer can read and change.  Every expression is compiled when
the file is loaded, so a misspelt name or a type mistake is reported with the file, line, rule
and character position before any scoring runs.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from engine.base.errors import ProgrammeProblems, RuleError
from engine.base.limits import MAX_ATTRIBUTE, MAX_EXPRESSION_CHARS, MAX_FILE_BYTES, read_input
from engine.io.records import parse_yaml_model
from engine.programme.model import AttrName, Id, Record, Text, Weight
from engine.rules.context import schema_for
from engine.rules.expr import BOOLEAN, ExprError, Expression, Kind, compile_expression
from engine.rules.pairwise import ahp_weights

Normalisation = Literal["minmax", "vector", "sum", "scale", "change"]
Expr = Annotated[str, Field(min_length=1, max_length=MAX_EXPRESSION_CHARS)]
Score = Annotated[float, Field(ge=-MAX_ATTRIBUTE, le=MAX_ATTRIBUTE, allow_inf_nan=False)]
MAX_CONSISTENCY_RATIO = 0.1
ROOTS = ("service", "option", "provider", "horizon")


class Derived(Record):
    """A named value other expressions can use, e.g. ``annual_saving``."""

    name: AttrName
    expr: Expr
    text: Text = ""


class Lookup(Record):
    """Score from a table: the value of ``of`` (text) picks a row; ``default`` for the rest."""

    of: Expr
    table: dict[str, Score]
    default: Score | None = None


class Criterion(Record):
    id: AttrName
    name: Text
    text: Text = ""
    weight: Weight
    direction: Literal["benefit", "cost"] = "benefit"
    expr: Expr | None = None
    lookup: Lookup | None = None
    normalisation: Normalisation | None = None
    scale: tuple[Score, Score] | None = None
    unit: AttrName | None = None  # change normalisation: criteria of one unit share one scale

    @model_validator(mode="after")
    def _one_source(self) -> Criterion:
        if (self.expr is None) == (self.lookup is None):
            raise ValueError("give either `expr` or `lookup` (exactly one)")
        if self.scale is not None and self.scale[0] >= self.scale[1]:
            raise ValueError("scale must be [low, high] with low < high")
        return self


class Eligibility(Record):
    """When ``when`` is true the option is ruled out, for the reason in ``text``."""

    id: AttrName
    when: Expr
    text: Text


class Adjustment(Record):
    """When ``when`` is true, add ``add`` to a criterion's normalised score (or to the total)."""

    id: AttrName
    when: Expr
    add: Score
    criterion: AttrName | None = None
    text: Text


class Ahp(Record):
    """Weights from a pairwise-comparison matrix (Saaty's 1–9 scale) over the named criteria."""

    criteria: tuple[AttrName, ...] = Field(min_length=2)
    matrix: tuple[tuple[Score, ...], ...]


class Compiled:
    """The rule set's expressions, parsed once."""

    def __init__(self) -> None:
        self.derived: dict[str, Expression] = {}
        self.criteria: dict[str, Expression] = {}
        self.eligibility: dict[str, Expression] = {}
        self.adjustments: dict[str, Expression] = {}


class RuleSet(Record):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, ignored_types=(cached_property,)
    )

    id: Id
    name: Text
    description: Text = ""
    method: Literal["wsm", "topsis"] = "wsm"
    normalisation: Normalisation = "minmax"
    attributes: dict[AttrName, Literal["number", "text", "boolean"]] = Field(default_factory=dict)
    derived: tuple[Derived, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    eligibility: tuple[Eligibility, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    ahp: Ahp | None = None
    # Scores closer than this on the 0–1 scale are "effectively equal" (see engine.scoring.ties):
    # half a point in the third decimal, the precision scores are shown to and that whole-percent
    # weights can support.
    tie_tolerance: float = Field(0.005, ge=0, le=1, allow_inf_nan=False)
    approved_by: Text | None = Field(None, description="who approved the rule set (person, role, body)")
    approved_on: date | None = Field(None, description="the date it was approved")

    @model_validator(mode="after")
    def _check(self) -> RuleSet:
        problems = _problems(self)
        if problems:
            raise ProgrammeProblems(problems)
        return self

    @cached_property
    def compiled(self) -> Compiled:
        out, problems = _compile(self)
        if problems:  # unreachable after validation; kept so a bad copy cannot run
            raise ProgrammeProblems(problems)
        return out

    @cached_property
    def fields_read(self) -> frozenset[str]:
        """Every field any rule reads (derived values read what their expressions read): what
        scoring builds columns for."""
        compiled = self.compiled
        expressions = [
            *compiled.derived.values(),
            *compiled.criteria.values(),
            *compiled.eligibility.values(),
            *compiled.adjustments.values(),
        ]
        return frozenset(symbol for expression in expressions for symbol in expression.symbols)

    def weights(self) -> dict[str, float]:
        """Normalised weights (sum 1), from the AHP matrix when the rule set has one."""
        if self.ahp is not None:
            values, _, _ = ahp_weights(np.array(self.ahp.matrix, dtype=float))
            by_id = dict(zip(self.ahp.criteria, values, strict=True))
            return {c.id: float(by_id[c.id]) for c in self.criteria}
        total = sum(c.weight for c in self.criteria)
        return {c.id: c.weight / total for c in self.criteria}

    def consistency(self) -> float | None:
        if self.ahp is None:
            return None
        return ahp_weights(np.array(self.ahp.matrix, dtype=float))[2]


Loc = tuple[str | int, ...]


def _compile(rules: RuleSet) -> tuple[Compiled, list[tuple[Loc, str]]]:
    out, problems = Compiled(), []
    schema = schema_for(rules.attributes)
    broken: set[str] = set()  # derived values that failed: do not report their uses again

    def build(loc: Loc, text: str, expected: Kind | None, target: dict[str, Expression], key: str) -> None:
        if any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text) for name in broken):
            return
        try:
            expression = compile_expression(text, schema)
        except ExprError as exc:
            where = f" (at character {exc.position + 1})" if exc.position is not None else ""
            problems.append((loc, f"{exc.message}{where}"))
            return
        if expected is not None and expression.type.kind != expected:
            problems.append((loc, f"expected a {expected.value} expression; this gives {expression.type}"))
            return
        if expected == Kind.BOOLEAN and expression.type.nullable:
            problems.append((loc, "the condition may be missing for some options; add `?? false`"))
            return
        target[key] = expression

    for i, item in enumerate(rules.derived):
        if item.name in ROOTS or f"service.{item.name}" in schema:
            problems.append((("derived", i, "name"), f"`{item.name}` is a reserved name"))
            continue
        build(("derived", i, "expr"), item.expr, None, out.derived, item.name)
        if item.name in out.derived:
            schema[item.name] = out.derived[item.name].type
        else:
            broken.add(item.name)
    for i, criterion in enumerate(rules.criteria):
        if criterion.expr is not None:
            build(("criteria", i, "expr"), criterion.expr, None, out.criteria, criterion.id)
            compiled = out.criteria.get(criterion.id)
            if compiled is not None and compiled.type.kind not in (Kind.NUMBER, Kind.BOOLEAN):
                problems.append(
                    (
                        ("criteria", i, "expr"),
                        f"a criterion needs a number (or true/false); this gives {compiled.type}",
                    )
                )
        elif criterion.lookup is not None:
            build(("criteria", i, "lookup", "of"), criterion.lookup.of, Kind.TEXT, out.criteria, criterion.id)
    for i, rule in enumerate(rules.eligibility):
        build(("eligibility", i, "when"), rule.when, BOOLEAN.kind, out.eligibility, rule.id)
    for i, adjustment in enumerate(rules.adjustments):
        build(("adjustments", i, "when"), adjustment.when, BOOLEAN.kind, out.adjustments, adjustment.id)
    return out, problems


def _problems(rules: RuleSet) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for section, ids in (
        ("derived", [d.name for d in rules.derived]),
        ("criteria", [c.id for c in rules.criteria]),
        ("eligibility", [e.id for e in rules.eligibility]),
        ("adjustments", [a.id for a in rules.adjustments]),
    ):
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                problems.append(((section, i), f"`{ident}` is used twice in {section}"))
            seen.add(ident)
    criteria = {c.id for c in rules.criteria}
    for i, adjustment in enumerate(rules.adjustments):
        if adjustment.criterion is not None and adjustment.criterion not in criteria:
            problems.append((("adjustments", i, "criterion"), f"unknown criterion `{adjustment.criterion}`"))
    for i, criterion in enumerate(rules.criteria):
        method = criterion.normalisation or rules.normalisation
        if method == "scale" and criterion.scale is None:
            problems.append((("criteria", i, "scale"), "scale normalisation needs `scale: [low, high]`"))
    if rules.ahp is None and sum(c.weight for c in rules.criteria) <= 0:
        problems.append((("criteria",), "at least one criterion needs a weight above 0"))
    if rules.ahp is not None:
        problems += _ahp_problems(rules.ahp, criteria)
    if (rules.approved_by is None) != (rules.approved_on is None):
        missing = "approved_on" if rules.approved_on is None else "approved_by"
        problems.append(((missing,), "an approval names both who approved the rule set and when"))
    problems += _compile(rules)[1]
    return problems


def _ahp_problems(ahp: Ahp, criteria: set[str]) -> list[tuple[Loc, str]]:
    if set(ahp.criteria) != criteria or len(ahp.criteria) != len(criteria):
        return [(("ahp", "criteria"), f"must list each criterion once: {', '.join(sorted(criteria))}")]
    n = len(ahp.criteria)
    if len(ahp.matrix) != n or any(len(row) != n for row in ahp.matrix):
        return [(("ahp", "matrix"), f"must be {n} rows of {n} numbers")]
    matrix = np.array(ahp.matrix, dtype=float)
    if np.any(matrix <= 0):
        return [(("ahp", "matrix"), "comparisons must be positive numbers (1/9 … 9)")]
    for i in range(n):
        for j in range(n):
            if abs(matrix[i, j] * matrix[j, i] - 1) > 0.02:
                return [
                    (
                        ("ahp", "matrix", i),
                        f"row {i + 1}, column {j + 1} ({matrix[i, j]:g}) is not the reciprocal "
                        f"of row {j + 1}, column {i + 1} ({matrix[j, i]:g})",
                    )
                ]
    _, _, ratio = ahp_weights(matrix)
    if ratio > MAX_CONSISTENCY_RATIO:
        return [
            (
                ("ahp", "matrix"),
                f"consistency ratio {ratio:.3f} exceeds {MAX_CONSISTENCY_RATIO}: the comparisons "
                "contradict each other; revise the judgements",
            )
        ]
    return []


def load_ruleset(path: str | Path) -> RuleSet:
    path = Path(path)
    if not path.exists():
        raise RuleError.one("no such rule file", file=str(path))
    return parse_ruleset(read_input(path, MAX_FILE_BYTES, "rule file", RuleError), str(path))


def parse_ruleset(content: str | bytes, source: str = "<rules>") -> RuleSet:
    return parse_yaml_model(content, source, RuleSet, "rule set", RuleError)
