"""Named weight sets: whose weights, given when, by which method, and the answers they gave.

A weight set is a YAML file beside its programme, ``weights/<programme id>/<name>.yaml`` next to
the programme file, one file per set so that several stakeholders' sets sit side by side.  It is
read like every other input (located errors, all problems at once), and the weights it records
are checked against the answers it records, so a hand-edited weight cannot pass for an elicited one.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import Field, model_validator

from engine.base.errors import InputError, Problem, ProgrammeProblems, SsplanError
from engine.base.limits import MAX_FILE_BYTES, read_input
from engine.io.atomic import atomic_write
from engine.io.records import parse_yaml_model
from engine.programme.model import AttrName, Id, Record, Text
from engine.rules.ruleset import RuleSet
from engine.scoring.elicit import Pair, aggregate_judgements, aggregate_weights, ahp, pairs, swing_weights
from engine.scoring.scores import ScoreTable

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Judged = Annotated[float, Field(ge=1 / 9 - 1e-9, le=9 + 1e-9, allow_inf_nan=False)]
TOLERANCE = 1e-6
Loc = tuple[str | int, ...]


class Stakeholder(Record):
    """The person whose priorities these are."""

    name: Text = Field(min_length=1)
    role: Text = ""
    council: Text = ""

    @classmethod
    def parse(cls, text: str) -> Stakeholder:
        """``"Jane Smith, Head of Finance, City Council"``: the name, then role and council if given."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) > 3 or any(not p for p in parts):
            raise ValueError(f'expected "name, role, council" (role and council optional), got `{text}`')
        return cls(name=parts[0], role=parts[1] if len(parts) > 1 else "", council=",".join(parts[2:]))

    def text(self) -> str:
        return self.name + (
            f" ({', '.join(p for p in (self.role, self.council) if p)})" if self.role or self.council else ""
        )


class Judgement(Record):
    """``a`` matters ``value`` times as much as ``b`` (Saaty's 1–9 scale; 1/3 means b matters 3×)."""

    a: AttrName
    b: AttrName
    value: Judged


class Swing(Record):
    """One criterion's swing from its worst to its best level: its rank and its 0–100 rating."""

    criterion: AttrName
    rank: int = Field(ge=1)
    rating: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    worst: Text = ""
    best: Text = ""


class WeightSet(Record):
    name: Id
    programme: Id
    rules: Id = Field(description="the rule set whose criteria were weighed")
    method: Literal["ahp", "swing", "geometric-mean"]
    by: Stakeholder | None = None
    given_on: date
    weights: dict[AttrName, Share]
    judgements: tuple[Judgement, ...] = ()
    swings: tuple[Swing, ...] = ()
    consistency_ratio: float | None = None
    combined_from: tuple[Id, ...] = ()
    notes: Text = ""

    @model_validator(mode="after")
    def _check(self) -> WeightSet:
        problems = _problems(self)
        if problems:
            raise ProgrammeProblems(problems)
        return self

    def who(self) -> str:
        if self.by is not None:
            return self.by.text()
        return "the group of " + ", ".join(self.combined_from)


def _problems(ws: WeightSet) -> list[tuple[Loc, str]]:
    """The recorded weights must follow from the recorded answers (or from the combined sets)."""
    criteria = list(ws.weights)
    if not math.isclose(sum(ws.weights.values()), 1, abs_tol=TOLERANCE):
        return [(("weights",), f"must add up to 1, not {sum(ws.weights.values()):g}")]
    if ws.by is None and not ws.combined_from:
        return [(("by",), "who gave the weights is required, except for a group's combined set")]
    if ws.combined_from and len(ws.combined_from) < 2:
        return [(("combined_from",), "a group's set combines at least two weight sets")]
    if ws.method == "ahp":
        return _ahp_problems(ws, criteria)
    if ws.method == "swing":
        return _swing_problems(ws, criteria)
    if not ws.combined_from:
        return [
            (("method",), "a geometric-mean set is a group's: list the sets it combines in `combined_from`")
        ]
    return []


def _ahp_problems(ws: WeightSet, criteria: list[str]) -> list[tuple[Loc, str]]:
    given = {(j.a, j.b): j.value for j in ws.judgements}
    wanted = pairs(criteria)
    if len(given) != len(ws.judgements) or set(given) != set(wanted):
        shown = ", ".join(f"{a}/{b}" for a, b in wanted)
        return [
            (("judgements",), f"AHP judgements must give each pair of criteria once, in this order: {shown}")
        ]
    result = ahp(criteria, given)
    if any(abs(result.weights[c] - ws.weights[c]) > TOLERANCE for c in criteria):
        return [(("weights",), "the weights do not follow from the judgements (the principal eigenvector)")]
    if ws.consistency_ratio is None or abs(ws.consistency_ratio - result.consistency_ratio) > TOLERANCE:
        return [(("consistency_ratio",), f"must be {result.consistency_ratio:.6f}, the judgements' own")]
    return []


def _swing_problems(ws: WeightSet, criteria: list[str]) -> list[tuple[Loc, str]]:
    ranked = sorted(ws.swings, key=lambda s: s.rank)
    if sorted(s.criterion for s in ranked) != sorted(criteria) or [s.rank for s in ranked] != list(
        range(1, len(criteria) + 1)
    ):
        return [(("swings",), "must rank every weighted criterion once, ranks 1, 2, 3 …")]
    try:
        weights = swing_weights([s.criterion for s in ranked], {s.criterion: s.rating for s in ranked})
    except ValueError as exc:
        return [(("swings",), str(exc))]
    if any(abs(weights[c] - ws.weights[c]) > TOLERANCE for c in criteria):
        return [
            (("weights",), "the weights do not follow from the swing ratings (each rating over their total)")
        ]
    return []


# ------------------------------------------------------------------ files
def weights_folder(programme_file: Path, programme_id: str) -> Path:
    """Where a programme's weight sets live: ``weights/<programme id>/`` beside its file."""
    return programme_file.resolve().parent / "weights" / programme_id


def load_weight_set(path: Path) -> WeightSet:
    content = read_input(path, MAX_FILE_BYTES, "weight set file")
    found = parse_yaml_model(content, str(path), WeightSet, "weight set", InputError)
    if found.name != path.stem:
        raise InputError.one(
            f"the set is named `{found.name}` but its file is `{path.name}`; they must agree",
            file=str(path),
            field="name",
        )
    return found


def list_weight_sets(folder: Path) -> list[WeightSet]:
    """Every set in the folder, by name; every bad file reported at once."""
    found: list[WeightSet] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            found.append(load_weight_set(path))
        except SsplanError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return found


def find_weight_set(folder: Path, name: str, field: str = "--weights") -> WeightSet:
    """The set called ``name`` in ``folder`` (a name, never a path: ``../x`` is refused)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name):
        raise InputError(
            [
                Problem(
                    f"expected a weight set's name (letters, digits, '-' and '_'), got `{name}`",
                    file="command line",
                    field=field,
                )
            ]
        )
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        listed = f"; expected one of {', '.join(known)}" if known else f"; {folder} holds none"
        raise InputError([Problem(f"unknown weight set `{name}`{listed}", file="command line", field=field)])
    return load_weight_set(path)


def save_weight_set(folder: Path, weight_set: WeightSet, *, replace: bool = False) -> Path:
    path = folder / f"{weight_set.name}.yaml"
    if path.exists() and not replace:
        raise InputError.one(f"weight set `{weight_set.name}` already exists ({path}); choose another name")
    folder.mkdir(parents=True, exist_ok=True)
    data = weight_set.model_dump(mode="json", exclude_defaults=True)
    atomic_write(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def check_fits(weight_set: WeightSet, rules: RuleSet, programme_id: str, where: str | None = None) -> None:
    """A set weighs one rule set's criteria for one programme: refuse it elsewhere, located."""
    problems = []
    if weight_set.programme != programme_id:
        problems.append(
            f"weight set `{weight_set.name}` is for programme `{weight_set.programme}`, not `{programme_id}`"
        )
    if sorted(weight_set.weights) != sorted(c.id for c in rules.criteria):
        problems.append(
            f"weight set `{weight_set.name}` weighs {', '.join(weight_set.weights)}; rule set "
            f"`{rules.id}` has the criteria {', '.join(c.id for c in rules.criteria)}"
        )
    if problems:
        raise InputError([Problem(p, file=where, field="weights") for p in problems])


# ------------------------------------------------------------------ making sets
def ahp_set(
    name: str, programme: str, rules: RuleSet, by: Stakeholder, on: date, judgements: dict[Pair, float]
) -> WeightSet:
    """A person's AHP set: the weights and CR worked out from their judgements, every pair once."""
    criteria = [c.id for c in rules.criteria]
    result = ahp(criteria, judgements)
    return WeightSet(
        name=name,
        programme=programme,
        rules=rules.id,
        method="ahp",
        by=by,
        given_on=on,
        weights=result.weights,
        judgements=tuple(Judgement(a=a, b=b, value=judgements[(a, b)]) for a, b in pairs(criteria)),
        consistency_ratio=result.consistency_ratio,
    )


def swing_set(
    name: str, programme: str, rules: RuleSet, by: Stakeholder, on: date, swings: list[Swing]
) -> WeightSet:
    """A person's swing set: the ratings over their total, ranked as they ranked them."""
    ranked = sorted(swings, key=lambda s: s.rank)
    weights = swing_weights([s.criterion for s in ranked], {s.criterion: s.rating for s in ranked})
    ordered = {c.id: weights[c.id] for c in rules.criteria}
    return WeightSet(
        name=name,
        programme=programme,
        rules=rules.id,
        method="swing",
        by=by,
        given_on=on,
        weights=ordered,
        swings=tuple(ranked),
    )


def combine_sets(sets: list[WeightSet], name: str, on: date) -> WeightSet:
    """A group's set: AHP sets by the geometric mean of their judgements (AIJ), any other mix by the
    normalised geometric mean of the weights (AIP)."""
    if len(sets) < 2:
        raise InputError.one("combine at least two weight sets")
    first = sets[0]
    for other in sets[1:]:
        if (other.programme, other.rules, sorted(other.weights)) != (
            first.programme,
            first.rules,
            sorted(first.weights),
        ):
            raise InputError.one(
                f"weight sets `{first.name}` and `{other.name}` weigh different programmes, rule sets "
                "or criteria; only sets of the same rule set combine"
            )
    criteria = list(first.weights)
    common = {"name": name, "programme": first.programme, "rules": first.rules, "given_on": on}
    members = tuple(s.name for s in sets)
    if all(s.method == "ahp" for s in sets):
        people = [{(j.a, j.b): j.value for j in s.judgements} for s in sets]
        judged = aggregate_judgements(criteria, people)
        result = ahp(criteria, judged)
        return WeightSet(
            **common,
            method="ahp",
            weights=result.weights,
            consistency_ratio=result.consistency_ratio,
            judgements=tuple(Judgement(a=a, b=b, value=v) for (a, b), v in judged.items()),
            combined_from=members,
        )
    try:
        weights = aggregate_weights(criteria, [s.weights for s in sets])
    except ValueError as exc:
        raise InputError.one(str(exc)) from None
    return WeightSet(**common, method="geometric-mean", weights=weights, combined_from=members)


def swing_levels(table: ScoreTable) -> dict[str, tuple[float, float]]:
    """Each criterion's worst and best raw value among the programme's eligible options, as the
    public view shows them (a value worked from an exempt figure is left out)."""
    frame = table.public_options()
    frame = frame[frame["eligible"].astype(bool)]
    out = {}
    for criterion in table.rules.criteria:
        values = frame[f"{criterion.id}.raw"].astype(float).dropna()
        low, high = (float(values.min()), float(values.max())) if len(values) else (float("nan"),) * 2
        out[criterion.id] = (high, low) if criterion.direction == "cost" else (low, high)
    return out
