"""The MoU's exception rule and each service's recommendation, from scored options.

A service's expected provider is its lead provider, else the programme's default provider (the
County); another partner's option is recommended only where its net present value (£, Green Book,
against keeping things as they are) beats the expected provider's best option's by the margin of
the policies governing the service (each client council's own; the largest where several share
it), and is then flagged with their decision routes.

Why £ NPV and not the score: a margin is a ratio, and a ratio means something only on a quantity
with a true zero and a unit.  A change's NPV against today has both (0 is doing nothing, the unit
is the pound), it depends on the option alone, so the verdict is the same whatever other options
the programme holds and however a criterion's raw values are rescaled (x → a·x + b); a score is a
weighted sum over scales the whole programme sets, and neither is true of it.  The margin is the
programme's reading of the MoU's "greater value" (the MoU gives no margin).

The rule is written once, in :func:`mou_choice`, over a batch of score draws (rows × draws):
scoring applies it to one draw and explains it (:func:`recommend`); the Monte-Carlo sensitivity
applies it to thousands at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.programme.model import Programme, Service

NONE = -1  # no row: no eligible option, or no benchmark

EXCEPTION_COLUMNS = [
    "service",
    "option",
    "provider",
    "provider_name",
    "score",
    "npv",
    "benchmark_option",
    "benchmark_provider",
    "benchmark_score",
    "benchmark_npv",
    "uplift",
    "margin",
    "required_npv",
    "gap",
    "passes_margin",
    "verdict",
    "decision_route",
]


@dataclass(frozen=True)
class Choice:
    """The MoU rule's outcome for every service in every draw; rows index the options frame."""

    chosen: dict[str, np.ndarray]  # service -> recommended row per draw (NONE: no eligible option)
    benchmark: dict[str, np.ndarray]  # service -> benchmark row per draw (NONE: none to beat)
    passes: np.ndarray  # rows × draws: an exception clears the margin (True with no benchmark)
    won: dict[str, np.ndarray]  # exception option (eligible in some draw) -> recommended per draw


def mou_choice(
    programme: Programme,
    options: pd.DataFrame,
    scores: np.ndarray,
    eligible: np.ndarray | None = None,
    npv: np.ndarray | None = None,
) -> Choice:
    """Best option per service and draw under the MoU: another partner only if it beats the margin.

    The benchmark is the eligible option of the service's expected provider with the highest NPV
    (£ against today), or, where it offers none, the eligible option that is not an exception (in
    house or the status quo, whose NPV is 0) with the highest NPV.  An exception is allowed when
    its NPV ≥ benchmark + margin × |benchmark| and exceeds the benchmark's (so with a benchmark of
    NPV 0 it must have a positive NPV, and with a negative one it must be the margin's share of
    it better); the recommendation is then the best-scoring allowed option, the first in file
    order (status quo first) among equals.  ``scores``, ``eligible`` and ``npv`` are rows × draws
    (``npv`` may be one column); without them every draw has the frame's own.
    """
    if eligible is None:
        eligible = np.repeat(options["eligible"].to_numpy(dtype=bool)[:, None], scores.shape[1], axis=1)
    if npv is None:
        npv = options["npv"].to_numpy(dtype=float)[:, None]
    npv = np.broadcast_to(npv, scores.shape)
    group, services = _service_index(programme, options), len(programme.services)
    margin = np.array([programme.margin_for(s) for s in programme.services])[:, None]
    exception = options["exception"].to_numpy(dtype=bool)[:, None]
    by_default = ~exception & _by_expected_provider(programme, options, group)[:, None]
    live = np.where(eligible, npv, -np.inf)
    bench, value = _first_best(np.where(by_default, live, -np.inf), group, services)
    fallback, fallback_value = _first_best(np.where(~exception, live, -np.inf), group, services)
    value = np.where(bench == NONE, fallback_value, value)
    bench = np.where(bench == NONE, fallback, bench)
    with np.errstate(invalid="ignore"):  # -inf where there is no benchmark: masked below
        required = value + margin * np.abs(value)
    at = np.minimum(group, services - 1)  # rows of no listed service (group = services) are never read
    beats = (npv >= required[at]) & (npv > value[at])
    passes = np.where(exception & (bench[at] != NONE), beats, True)
    chosen, _ = _first_best(np.where(eligible & passes, scores, -np.inf), group, services)
    option = options["option"].to_numpy()
    won = {
        str(option[r]): chosen[group[r]] == r
        for r in np.argsort(group, kind="stable")  # programme order, then file order
        if group[r] < services and exception[r, 0] and eligible[r].any()
    }
    ids = [s.id for s in programme.services]
    return Choice(dict(zip(ids, chosen, strict=True)), dict(zip(ids, bench, strict=True)), passes, won)


def _by_expected_provider(programme: Programme, options: pd.DataFrame, group: np.ndarray) -> np.ndarray:
    """Whether each row is an option of its service's expected provider (lead or default)."""
    expected = [programme.expected_provider(s) for s in programme.services]
    ids = np.array([p.id if p else None for p in expected] + [None], dtype=object)
    return np.asarray(options["provider"].to_numpy() == ids[group], dtype=bool)


def _service_index(programme: Programme, options: pd.DataFrame) -> np.ndarray:
    """Each row's service as its place in the programme (len(services) for a service not listed)."""
    place = {service.id: i for i, service in enumerate(programme.services)}
    return np.array([place.get(s, len(place)) for s in options["service"].to_numpy()], dtype=np.intp)


def _first_best(values: np.ndarray, group: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group and draw (groups × draws), the first row in file order with the highest value and
    that value; (NONE, -inf) where every row of the group is -inf (ruled out).  One pass over all
    groups at once, so a programme of thousands of services costs a few array operations."""
    draws = values.shape[1]
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=groups + 1)[:groups]
    listed = int(counts.sum())  # rows of unlisted services sort last and are dropped
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    some = counts > 0
    best = np.full((groups, draws), -np.inf)
    first = np.full((groups, draws), NONE)
    if not some.any():
        return first, best
    ranked, rows = values[order[:listed]], order[:listed]
    best[some] = np.maximum.reduceat(ranked, starts[some], axis=0)
    top = (ranked == best[group[rows]]) & np.isfinite(ranked)
    first[some] = np.minimum.reduceat(np.where(top, rows[:, None], len(group)), starts[some], axis=0)
    return np.where(first == len(group), NONE, first), best


def recommend(programme: Programme, options: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each service's recommendation (ranked by priority) and every eligible exception's verdict,
    with the figures the MoU test compares, from the scored options (one draw of :func:`mou_choice`)."""
    scores = options["score"].to_numpy()[:, None]
    choice = mou_choice(programme, options, scores)
    column = {name: options[name].to_numpy() for name in ("option", "provider", "provider_name", "model")}
    column |= {name: options[name].to_numpy(dtype=bool) for name in ("status_quo", "exception", "eligible")}
    column["score"] = scores[:, 0]
    column["npv"] = options["npv"].to_numpy(dtype=float)
    rows_of = _rows_by_service(options)
    service_rows, exception_rows = [], []
    for service in programme.services:
        rows = rows_of.get(service.id, np.arange(0))
        chosen, bench = int(choice.chosen[service.id][0]), int(choice.benchmark[service.id][0])
        margin, route = programme.margin_for(service), programme.decision_route(service)
        for r in rows[column["exception"][rows] & column["eligible"][rows]]:
            verdict = _verdict(column, int(r), bench, chosen, bool(choice.passes[r, 0]), margin)
            exception_rows.append({"service": service.id, **verdict, "decision_route": route})
        service_rows.append(_service_row(column, service, rows, chosen, route))
    services = pd.DataFrame(service_rows)
    services["priority"] = priorities(programme, options, scores, choice.chosen)[:, 0]
    services = services.sort_values("priority").reset_index(drop=True)
    return services, pd.DataFrame(exception_rows, columns=EXCEPTION_COLUMNS)


def _verdict(
    column: dict[str, np.ndarray], row: int, bench: int, chosen: int, passes: bool, margin: float
) -> dict[str, object]:
    """One exception option against its benchmark: the NPVs compared (£), the margin, the verdict
    (the scores are given too: the best-scoring allowed option is recommended)."""
    value = float(column["npv"][row])
    known = bench != NONE
    b_value = float(column["npv"][bench]) if known else float("nan")
    required = b_value + margin * abs(b_value) if known else float("nan")
    return {
        "option": column["option"][row],
        "provider": column["provider"][row],
        "provider_name": column["provider_name"][row],
        "score": float(column["score"][row]),
        "npv": value,
        "benchmark_option": column["option"][bench] if known else None,
        "benchmark_provider": column["provider"][bench] if known else None,
        "benchmark_score": float(column["score"][bench]) if known else float("nan"),
        "benchmark_npv": b_value,
        "uplift": value / b_value - 1 if known and b_value > 0 else float("nan"),
        "margin": margin,
        "required_npv": required,
        "gap": max(0.0, required - value) if known and not passes else 0.0,
        "passes_margin": passes,
        "verdict": "recommended by exception"
        if row == chosen
        else "beats the margin, but another option scores higher"
        if passes
        else "considered, not recommended",
    }


def _service_row(
    column: dict[str, np.ndarray], service: Service, rows: np.ndarray, chosen: int, route: str
) -> dict[str, object]:
    """A service's recommendation, its status and its gain over the status quo."""
    picked = chosen != NONE
    sq = next((int(r) for r in rows if column["status_quo"][r]), None)
    sq_score = float(column["score"][sq]) if sq is not None else float("nan")
    if not picked:
        status = "no eligible option"
    elif column["status_quo"][chosen]:
        status = "keep the status quo"
    elif column["exception"][chosen]:
        status = "exception"
    else:
        status = "change"
    score = float(column["score"][chosen]) if picked else float("nan")
    return {
        "service": service.id,
        "name": service.name,
        "in_scope": service.in_scope,
        "recommended": column["option"][chosen] if picked else None,
        "provider": column["provider"][chosen] if picked else None,
        "provider_name": column["provider_name"][chosen] if picked else None,
        "model": column["model"][chosen] if picked else None,
        "status": status,
        "score": score,
        "status_quo_score": sq_score,
        "gain": score - sq_score if picked and sq is not None else float("nan"),
        "decision_route": route if status == "exception" else "",
    }


def _rows_by_service(options: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each service's rows of the options frame, in file order (the status quo first), in one pass."""
    rows_of: dict[str, list[int]] = {}
    for i, service_id in enumerate(options["service"].to_numpy()):
        rows_of.setdefault(service_id, []).append(i)
    return {service_id: np.array(rows, dtype=np.intp) for service_id, rows in rows_of.items()}


def priorities(
    programme: Programme, options: pd.DataFrame, scores: np.ndarray, chosen: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Priority rank (1 = first) of each service (programme order) per draw: the services that act
    (change, or an exception) by gain over the status quo (0 without one), then the rest; file
    order breaks ties.  ``scores`` is rows × draws and ``chosen`` as :func:`mou_choice` gives it."""
    status_quo = options["status_quo"].to_numpy(dtype=bool)
    group, services = _service_index(programme, options), len(programme.services)
    sq = np.full(services + 1, NONE)
    for r in np.flatnonzero(status_quo)[::-1]:  # at most one per service; the first wins regardless
        sq[group[r]] = r
    sq = sq[:services, None]
    pick = np.array([chosen[s.id] for s in programme.services]).reshape(services, -1)
    draws = np.arange(scores.shape[1])
    picked_score = np.where(pick >= 0, scores[np.maximum(pick, 0), draws], -np.inf)
    with np.errstate(invalid="ignore"):
        gain = np.where(sq >= 0, picked_score - scores[np.maximum(sq, 0), draws], 0.0)
    acting = (pick >= 0) & (pick != sq)
    keys = np.where(acting, -np.nan_to_num(gain, nan=0.0, neginf=0.0), np.inf)
    order = keys.argsort(axis=0, kind="stable")  # rows are in programme order, so ties keep it
    return order.argsort(axis=0, kind="stable") + 1
