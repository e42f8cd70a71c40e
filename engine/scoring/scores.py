"""Score every service × option against a rule set, then apply the MoU's exception rule.

``score`` validates and assembles; the arithmetic is in :mod:`engine.scoring.mcda` and the rule
evaluation in :mod:`engine.rules.expr`.  The result keeps every intermediate value (raw, normalised,
weight, contribution, rules fired) so that the explanation and the Cabinet report can print
them as they are.

Ties are broken deterministically: by service order in the programme file, then by option order
(the status quo first, then the file's order).  The result says so in ``tie_break``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from engine.base.errors import Problem, RuleError, source_of
from engine.programme.model import Programme
from engine.rules.context import OptionTable, option_table
from engine.rules.evaluate import Fired, evaluate
from engine.rules.expr import Expression
from engine.rules.ruleset import RuleSet
from engine.scoring.mcda import change, normalise, topsis, wsm
from engine.scoring.recommend import recommend

T = TypeVar("T")
TIE_BREAK = (
    "equal scores are ordered by the service's place in the programme file, then by the option's "
    "(the status quo first, then the file's order)"
)


@dataclass
class ScoreTable:
    """Scores of one programme under one rule set, with everything needed to explain them."""

    programme: Programme
    rules: RuleSet
    method: str
    weights: dict[str, float]
    options: pd.DataFrame  # one row per service × option
    services: pd.DataFrame  # one row per service: the recommendation
    exceptions: pd.DataFrame  # one row per exception option considered
    fired: list[list[Fired]]
    expressions: dict[str, Expression]
    table: OptionTable
    values: dict[str, np.ndarray]  # every column rules read, derived values included
    tie_break: str = TIE_BREAK
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # answers worked out once per table (see once): the public view and the explanations ask for
    # the same ones per service and per option (most of a Priorities rerun in the app, issue 18)
    _once: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, worked out on the first call with ``key`` and kept with the table (whose
        frames are results, never edited after scoring), so asking again costs nothing."""
        if key not in self._once:
            self._once[key] = compute()
        return cast(T, self._once[key])

    def undiscriminating(self) -> list[str]:
        """Criteria on which every eligible option of the programme gets the same value: they add
        the same to every score, so they silently decide nothing (e.g. no option is a quick win)."""
        frame = self.options[self.options["eligible"].astype(bool)]
        out = []
        for criterion in self.criteria():
            values = frame[f"{criterion}.normalised"].dropna().round(12).unique()
            if len(frame) > 1 and len(values) <= 1:
                out.append(criterion)
        return out

    def criteria(self) -> list[str]:
        return [c.id for c in self.rules.criteria]

    def long(self) -> pd.DataFrame:
        """Tidy form: one row per service × option × criterion."""
        rows = []
        for _, row in self.options.iterrows():
            for c in self.criteria():
                rows.append(
                    {
                        "service": row["service"],
                        "option": row["option"],
                        "criterion": c,
                        "raw": row[f"{c}.raw"],
                        "normalised": row[f"{c}.normalised"],
                        "weight": row[f"{c}.weight"],
                        "contribution": row[f"{c}.contribution"],
                    }
                )
        return pd.DataFrame(rows)

    def secret_scales(self) -> list[str]:
        """Criteria whose scale is set by a value worked from an exempt figure: a min–max scale
        whose end only a secret option reaches, or a vector or sum norm a secret value enters.
        Every option's normalised value on such a criterion, and so every total, gives it back."""
        return list(self.once("secret_scales", self._find_secret_scales))

    def _find_secret_scales(self) -> list[str]:
        frame = self.options[self.options["eligible"].astype(bool)]
        out = []
        for criterion in self.rules.criteria:
            c, how = criterion.id, criterion.normalisation or self.rules.normalisation
            secret = frame["exempt"].map(lambda fields, c=c: c in fields).astype(bool)
            if how == "scale" or not secret.any():
                continue
            if how == "change":
                if self._secret_change_scale(criterion.unit or f"criterion:{c}"):
                    out.append(c)
                continue
            public, hidden = frame.loc[~secret, f"{c}.raw"], frame.loc[secret, f"{c}.raw"]
            if how != "minmax" or public.empty or hidden.min() < public.min() or hidden.max() > public.max():
                out.append(c)
        return out

    def _secret_change_scale(self, unit: str) -> bool:
        """Whether a change scale (the largest absolute change of a unit's criteria) is set by an
        option whose value on one of them is worked from an exempt figure."""
        members = [c for c in self.rules.criteria if (c.unit or f"criterion:{c.id}") == unit]
        frame = self.options[self.options["eligible"].astype(bool)]
        secret = frame["exempt"].map(lambda fields: any(c.id in fields for c in members)).astype(bool)
        size = pd.concat([frame[f"{c.id}.normalised"].abs() for c in members], axis=1).max(axis=1)
        public = 0.0 if size[~secret].empty else float(size[~secret].max())
        return bool(secret.any()) and float(size[secret].max()) > public  # a public value sets it else

    def public_options(self) -> pd.DataFrame:
        """The options frame as it may be published: every value worked from an exempt figure
        (raw, normalised, contribution) blanked and, unless the programme says otherwise
        (``settings.band_exempt_scores``), the total score of such an option given as its band."""
        return self.once("public_options", self._public_options).copy()

    def _public_options(self) -> pd.DataFrame:
        from engine.programme.exempt import band

        frame = self.options.copy()
        frame["score_band"] = None
        for rank in ("rank", "rank_in_service"):
            frame[rank] = frame[rank].astype(object)  # so a withheld rank is None, not a float NaN
        banding = self.programme.settings.band_exempt_scores
        scales = self.secret_scales()
        for name in scales:  # every option's value on a scale a secret figure sets
            frame[f"{name}.normalised"] = np.nan
            frame[f"{name}.contribution"] = np.nan
        for index, row in frame.iterrows():
            if scales and banding and not any(c in self.criteria() for c in row["exempt"]):
                frame.at[index, "score_band"] = band(float(row["score"]))
                frame.at[index, "score"] = np.nan
            for name in row["exempt"]:
                for part in ("raw", "normalised", "contribution"):
                    if f"{name}.{part}" in frame.columns:
                        frame.at[index, f"{name}.{part}"] = np.nan
            if banding and any(c in self.criteria() for c in row["exempt"]):
                frame.at[index, "score_band"] = band(float(row["score"]))
                frame.at[index, "score"] = np.nan
                for rank in ("rank", "rank_in_service"):  # a rank between exact scores brackets it
                    frame.at[index, rank] = None
        return frame

    def public_services(self) -> pd.DataFrame:
        """The ranking as it may be published: a recommended option with exempt prices has its
        score and gain given as bands (or exactly, if the programme publishes such scores)."""
        from engine.programme.exempt import band, secret_options

        frame = self.services.copy()
        if not self.programme.settings.band_exempt_scores:
            return frame
        secret = secret_options(self.programme)
        hidden = frame["recommended"].isin(secret) | bool(self.secret_scales())
        frame["score"] = frame["score"].astype(object)
        frame["gain"] = frame["gain"].astype(object)
        frame.loc[hidden, "score"] = frame.loc[hidden, "score"].map(band)
        frame.loc[hidden, "gain"] = frame.loc[hidden, "gain"].map(band)
        return frame

    def public_exceptions(self) -> pd.DataFrame:
        """Exception verdicts as they may be published: where either side's price is exempt the
        scores compared are withheld (the verdict stays)."""
        from engine.programme.exempt import secret_options

        frame = self.exceptions.copy()
        if frame.empty:
            return frame
        secret = secret_options(self.programme)
        hidden = frame["option"].isin(secret) | frame["benchmark_option"].isin(secret)
        hidden |= bool(self.secret_scales())
        for column in ("score", "npv", "benchmark_score", "benchmark_npv", "uplift", "required_npv", "gap"):
            if column in frame.columns:
                frame[column] = frame[column].astype(object)
                frame.loc[hidden, column] = None
        return frame

    def to_json(self, include_exempt: bool = False) -> dict[str, Any]:
        frame = self.options if include_exempt else self.public_options()
        options = []
        for i, (_, row) in enumerate(frame.iterrows()):
            options.append(
                {
                    **{
                        k: _plain(row.get(k))
                        for k in (
                            "service",
                            "option",
                            "provider",
                            "model",
                            "status_quo",
                            "eligible",
                            "exception",
                            "adjustment",
                            "score",
                            "score_band",
                            "rank",
                            "rank_in_service",
                        )
                    },
                    "criteria": {
                        c: {
                            p: _plain(row[f"{c}.{p}"])
                            for p in ("raw", "normalised", "weight", "contribution")
                        }
                        for c in self.criteria()
                    },
                    "fired": [f.__dict__ for f in self.fired[i]],
                    "exempt": list(row["exempt"]),
                }
            )
        return {
            "programme": self.programme.id,
            "rules": self.rules.id,
            "method": self.method,
            "normalisation": self.rules.normalisation,
            "weights": self.weights,
            "tie_break": self.tie_break,
            "options": options,
            "services": [
                {k: _plain(v) for k, v in r.items()}
                for r in (self.services if include_exempt else self.public_services()).to_dict("records")
            ],
            "exceptions": [
                {k: _plain(v) for k, v in r.items()}
                for r in (self.exceptions if include_exempt else self.public_exceptions()).to_dict("records")
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if value != value else round(float(value), 10)
    return value


# --------------------------------------------------------------------------------- scoring
def score(
    programme: Programme,
    rules: RuleSet,
    *,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
    explain: bool = False,
    vectorised: bool = True,
) -> ScoreTable:
    """Score ``programme`` under ``rules``; ``weights`` overrides named criteria's weights."""
    done = scored_arrays(programme, rules, method=method, weights=weights, vectorised=vectorised)
    method, table, criteria, w = done.method, done.table, done.criteria, done.weights
    weight, compiled, tables = done.weight, rules.compiled, dict[str, pd.DataFrame]()
    raw, normalised, eligible, fired = done.raw, done.normalised, done.eligible, done.fired
    contributions, scores, total_adjustment = done.contributions, done.scores, done.total_adjustment
    if done.ideal is not None and explain:
        tables["TOPSIS ideal and anti-ideal"] = pd.DataFrame(done.ideal, index=criteria)
    columns = done.columns

    options = _options_frame(
        table, criteria, raw, normalised, w, contributions, scores, eligible, total_adjustment, fired, rules
    )
    services, exceptions = recommend(programme, options)
    if explain:
        labels = [f"{s.id} / {o.id}" for s, o in table.rows]
        tables["decision matrix (raw values)"] = pd.DataFrame(raw, index=labels, columns=criteria)
        tables["normalised matrix"] = pd.DataFrame(normalised, index=labels, columns=criteria)
        tables["weighted contributions"] = pd.DataFrame(contributions, index=labels, columns=criteria)
    expressions = {**compiled.derived, **compiled.criteria}
    return ScoreTable(
        programme,
        rules,
        method,
        weight,
        options,
        services,
        exceptions,
        fired,
        expressions,
        table,
        columns,
        tables=tables,
    )


@dataclass
class Scored:
    """The numbers of one scoring before any frame is built: what :func:`score` assembles, and all a
    caller needs that only asks which option wins (switching values re-score many times)."""

    method: str
    weight: dict[str, float]  # criterion -> share
    weights: np.ndarray  # the same, in criteria order
    criteria: list[str]
    table: OptionTable
    columns: dict[str, np.ndarray]
    raw: np.ndarray
    normalised: np.ndarray
    eligible: np.ndarray
    fired: list[list[Fired]]
    contributions: np.ndarray
    scores: np.ndarray
    total_adjustment: np.ndarray
    ideal: dict[str, np.ndarray] | None  # TOPSIS's ideal and anti-ideal points (None for WSM)


def scored_arrays(
    programme: Programme,
    rules: RuleSet,
    *,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
    vectorised: bool = True,
) -> Scored:
    """Rules evaluated, values normalised and weighted: every score, with no frame built."""
    method = method or rules.method
    if method not in ("wsm", "topsis"):
        raise RuleError.one(f"unknown method `{method}`; expected wsm or topsis")
    weight = _weights(rules, weights)
    table = option_table(programme, rules.attributes, rules.fields_read)
    n = len(table)
    done = evaluate(table, rules, vectorised=vectorised)
    raw, eligible, fired = done.raw, done.eligible, done.fired
    if not eligible.any():
        raise RuleError.one(
            f"rule set `{rules.id}` rules out every option of the programme", file=source_of(rules)
        )
    criteria = [c.id for c in rules.criteria]
    normalised = normalised_matrix(rules, raw, eligible, status_quo_rows(table)) + np.where(
        eligible[:, None], done.criterion_adjustment, 0
    )
    check_in_scale(rules, table, normalised, fired)
    w = np.array([weight[c] for c in criteria])
    contributions = np.full((n, len(criteria)), np.nan)
    scores = np.full(n, np.nan)
    ideal = None
    if method == "wsm":
        contributions[eligible], scores[eligible] = wsm(normalised[eligible], w)
    else:
        result = topsis(normalised[eligible], w)
        contributions[eligible] = result["weighted"]
        scores[eligible] = result["score"]
        ideal = {"ideal (PIS)": result["pis"], "anti-ideal (NIS)": result["nis"]}
    scores[eligible] += done.total_adjustment[eligible]
    return Scored(
        method,
        weight,
        w,
        criteria,
        table,
        done.columns,
        raw,
        normalised,
        eligible,
        fired,
        contributions,
        scores,
        done.total_adjustment,
        ideal,
    )


def _weights(rules: RuleSet, override: Mapping[str, float] | None) -> dict[str, float]:
    """Override in the rule file's own units (e.g. 30 for impact); AHP weights are already shares."""
    if not override:
        return rules.weights()
    base = rules.weights() if rules.ahp is not None else {c.id: c.weight for c in rules.criteria}
    unknown = sorted(set(override) - set(base))
    if unknown:
        raise RuleError.one(f"unknown criterion in weights: {', '.join(unknown)}; expected {', '.join(base)}")
    if any(v < 0 or v != v for v in override.values()):
        raise RuleError.one("weights must be numbers ≥ 0")
    merged = {c: float(override.get(c, base[c])) for c in base}
    total = sum(merged.values())
    if total <= 0:
        raise RuleError.one("at least one weight must be above 0")
    return {c: v / total for c, v in merged.items()}


def normalised_matrix(
    rules: RuleSet, raw: np.ndarray, eligible: np.ndarray, baseline: np.ndarray | None = None
) -> np.ndarray:
    """Each criterion's raw values on a common scale, over the eligible rows (NaN elsewhere).

    ``change`` criteria need ``baseline``, each row's status-quo row (:func:`status_quo_rows`):
    a value is its change from its service's status quo, signed so that better is positive, over
    the largest absolute change in the programme of any criterion of the same ``unit`` (so money
    criteria share one £ scale and their weighted sum follows the net money)."""
    normalised = np.full(raw.shape, np.nan)
    groups: dict[str, list[int]] = {}
    for j, criterion in enumerate(rules.criteria):
        how = criterion.normalisation or rules.normalisation
        if how == "change":
            groups.setdefault(criterion.unit or f"criterion:{criterion.id}", []).append(j)
            continue
        normalised[eligible, j] = normalise(
            raw[eligible, j], criterion.direction == "cost", how, criterion.scale
        )
    if groups:
        if baseline is None:
            raise ValueError("change normalisation needs each row's status quo")
        today = np.where(baseline[:, None] >= 0, raw[np.maximum(baseline, 0)], 0.0)
        sign = np.array([-1.0 if c.direction == "cost" else 1.0 for c in rules.criteria])
        delta = (raw - today) * sign
        rows = np.flatnonzero(eligible)
        for members in groups.values():
            at = np.ix_(rows, np.array(members, dtype=np.intp))
            normalised[at] = change(delta[at])
    return normalised


def status_quo_rows(table: OptionTable) -> np.ndarray:
    """Each row's status-quo row (the first status quo of its service; -1 where it has none, and
    the row's change is then measured from 0)."""
    first: dict[str, int] = {}
    for i, (service, option) in enumerate(table.rows):
        if option.is_status_quo:
            first.setdefault(service.id, i)
    return np.array([first.get(service.id, -1) for service, _ in table.rows], dtype=np.intp)


def scale_of(rules: RuleSet, criterion_id: str) -> tuple[float, float] | None:
    """The declared range of a criterion's normalised values (None where the method has none)."""
    criterion = next(c for c in rules.criteria if c.id == criterion_id)
    how = criterion.normalisation or rules.normalisation
    return (-1.0, 1.0) if how == "change" else (0.0, 1.0) if how in ("minmax", "scale") else None


def check_in_scale(
    rules: RuleSet, table: OptionTable, normalised: np.ndarray, fired: list[list[Fired]]
) -> None:
    """A criterion adjustment that pushes a normalised value outside its declared scale is an
    error (a 1.12 on a 0–1 scale would be scored as more than the best possible): the rule set
    must make such an adjustment act on the total instead, or add less."""
    problems = []
    for j, criterion in enumerate(rules.criteria):
        bounds = scale_of(rules, criterion.id)
        if bounds is None:
            continue
        for i in np.flatnonzero(
            (normalised[:, j] < bounds[0] - 1e-9) | (normalised[:, j] > bounds[1] + 1e-9)
        ):
            rules_fired = [f.rule for f in fired[i] if f.kind == "adjustment"]
            problems.append(
                f"adjustment {', '.join(f'`{r}`' for r in rules_fired)} puts criterion "
                f"`{criterion.id}` of option `{table.rows[i][1].id}` at {normalised[i, j]:.3f}, outside its "
                f"scale [{bounds[0]:g}, {bounds[1]:g}]; make it act on the total (drop `criterion:`) "
                "or add less"
            )
    if problems:
        raise RuleError([Problem(text, file=source_of(rules)) for text in problems])


def _options_frame(
    table: OptionTable,
    criteria: list[str],
    raw: np.ndarray,
    normalised: np.ndarray,
    w: np.ndarray,
    contributions: np.ndarray,
    scores: np.ndarray,
    eligible: np.ndarray,
    adjustment: np.ndarray,
    fired: list[list[Fired]],
    rules: RuleSet,
) -> pd.DataFrame:
    programme = table.programme
    data: dict[str, Any] = {
        "service": [s.id for s, _ in table.rows],
        "option": [o.id for _, o in table.rows],
        "provider": [o.provider for _, o in table.rows],
        "provider_name": [programme.partner(o.provider).name for _, o in table.rows],
        "model": [o.model for _, o in table.rows],
        "status_quo": [o.is_status_quo for _, o in table.rows],
        "eligible": eligible,
        "ineligible_reason": ["; ".join(f.text for f in fs if f.kind == "eligibility") for fs in fired],
        "exception": table.columns["option.is_exception"],
    }
    for j, c in enumerate(criteria):
        data[f"{c}.raw"] = raw[:, j]
        data[f"{c}.normalised"] = normalised[:, j]
        data[f"{c}.weight"] = w[j]
        data[f"{c}.contribution"] = contributions[:, j]
    data["adjustment"] = np.where(eligible, adjustment, np.nan)
    data["score"] = scores
    data["npv"] = table.columns["option.npv"]
    data["exempt"] = [_exempt(table, i, rules) for i in range(len(table))]
    frame = pd.DataFrame(data)
    order = np.arange(len(frame))  # file order: services, then status quo first, then options
    ranked = (
        frame.assign(_order=order)
        .loc[frame["eligible"]]
        .sort_values(["score", "_order"], ascending=[False, True])
    )
    frame["rank"] = (
        pd.Series(np.arange(1, len(ranked) + 1), index=ranked.index).reindex(frame.index).astype("Int64")
    )
    frame["rank_in_service"] = (
        ranked.groupby("service", sort=False).cumcount().add(1).reindex(frame.index).astype("Int64")
    )
    frame["fired"] = [[f.rule for f in fs] for fs in fired]
    return frame


def secret_fields(table: OptionTable, index: int) -> set[str]:
    """The row's exempt (confidential) fields as the names rules read them by."""
    service, option = table.rows[index]
    out = {f"option.{f}" for f in option.exempt} | {f"service.{f}" for f in service.exempt}
    if out:  # present values are worked from the option's and the service's costs
        out |= set(MONEY_FIELDS)
    return out


MONEY_FIELDS = ("option.pv_savings", "option.pv_one_off", "option.pv_resources", "option.npv")


def _exempt(table: OptionTable, index: int, rules: RuleSet) -> list[str]:
    """Derived values and criteria whose raw figure would reveal an exempt (confidential) field."""
    secret = secret_fields(table, index)
    if not secret:
        return []
    compiled = rules.compiled
    tainted: set[str] = set()
    for item in rules.derived:
        expression = compiled.derived[item.name]
        if set(expression.symbols) & (secret | tainted):
            tainted.add(item.name)
    out = sorted(tainted)
    for c in rules.criteria:
        if set(compiled.criteria[c.id].symbols) & (secret | tainted):
            out.append(c.id)
    return out
