"""The MoU's exception rule and each service's recommendation, from scored options.

The County (the default provider) is the expected provider; another partner's option is
recommended only where its score beats the best default-provider option by the programme's
margin, and is then flagged with the decision route the MoU sets out.

The rule is written once, in :func:`mou_choice`, over a batch of score draws (rows × draws):
scoring applies it to one draw and explains it (:func:`recommend`); the Monte-Carlo sensitivity
applies it to thousands at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.model import Programme, Service

NONE = -1  # no row: no eligible option, or no benchmark

EXCEPTION_COLUMNS = [
    "service",
    "option",
    "provider",
    "provider_name",
    "score",
    "benchmark_option",
    "benchmark_provider",
    "benchmark_score",
    "uplift",
    "margin",
    "required_score",
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
    programme: Programme, options: pd.DataFrame, scores: np.ndarray, eligible: np.ndarray | None = None
) -> Choice:
    """Best option per service and draw under the MoU: another partner only if it beats the margin.

    The benchmark is the best eligible option of the default provider, or, where the default
    provider offers none, the best eligible option that is not an exception (in house or the
    status quo).  An exception is allowed when its score ≥ benchmark + margin × |benchmark| and
    exceeds the benchmark; the recommendation is then the best allowed option, the first in file
    order (status quo first) among equals.  ``scores`` and ``eligible`` are rows × draws;
    without ``eligible`` every draw has the frame's own.
    """
    policy, default = programme.exception_policy, programme.default_provider
    margin = policy.margin if policy else 0.0
    if eligible is None:
        eligible = np.repeat(options["eligible"].to_numpy(dtype=bool)[:, None], scores.shape[1], axis=1)
    exception = options["exception"].to_numpy(dtype=bool)
    provider, service_of = options["provider"].to_numpy(), options["service"].to_numpy()
    live = np.where(eligible, scores, -np.inf)
    passes = np.ones(scores.shape, dtype=bool)
    chosen, benchmark, won = {}, {}, {}
    for service in programme.services:
        rows = np.flatnonzero(service_of == service.id)
        ordinary, exceptions = rows[~exception[rows]], rows[exception[rows]]
        by_default = ordinary[provider[ordinary] == default.id] if default is not None else ordinary[:0]
        bench, value = _best(live, by_default)
        fallback, fallback_value = _best(live, ordinary)
        value = np.where(bench == NONE, fallback_value, value)
        bench = np.where(bench == NONE, fallback, bench)
        with np.errstate(invalid="ignore"):  # -inf where there is no benchmark: masked below
            required = value + margin * np.abs(value)
        for r in exceptions:
            passes[r] = np.where(bench != NONE, (scores[r] >= required) & (scores[r] > value), True)
        allowed = eligible[rows] & passes[rows]
        pick = np.argmax(np.where(allowed, scores[rows], -np.inf), axis=0)  # the first of equals
        chosen[service.id] = np.where(allowed.any(axis=0), rows[pick], NONE)
        benchmark[service.id] = bench
        for r in exceptions[eligible[exceptions].any(axis=1)]:
            won[str(options["option"].iloc[r])] = chosen[service.id] == r
    return Choice(chosen, benchmark, passes, won)


def _best(live: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the first of ``rows`` with the highest live score, and that score; (NONE, -inf)
    where every one of them is ruled out (its live score -inf)."""
    draws = live.shape[1]
    if len(rows) == 0:
        return np.full(draws, NONE), np.full(draws, -np.inf)
    candidates = live[rows]
    value = candidates.max(axis=0)
    first = rows[np.argmax(candidates, axis=0)]  # the first maximum: file order breaks ties
    return np.where(np.isfinite(value), first, NONE), value


def recommend(programme: Programme, options: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each service's recommendation (ranked by priority) and every eligible exception's verdict,
    with the figures the MoU test compares, from the scored options (one draw of :func:`mou_choice`)."""
    scores = options["score"].to_numpy()[:, None]
    choice = mou_choice(programme, options, scores)
    policy = programme.exception_policy
    route = f"{policy.joint_decision}; final decision: {policy.final_decision}" if policy else ""
    service_of = options["service"].to_numpy()
    service_rows, exception_rows = [], []
    for service in programme.services:
        rows = np.flatnonzero(service_of == service.id)
        chosen, bench = int(choice.chosen[service.id][0]), int(choice.benchmark[service.id][0])
        considered = [r for r in rows if options["exception"].iloc[r] and options["eligible"].iloc[r]]
        exception_rows += [
            _verdict(options, int(r), bench, chosen, bool(choice.passes[r, 0]), programme, route)
            for r in considered
        ]
        service_rows.append(_service_row(options, service, rows, chosen, route))
    services = pd.DataFrame(service_rows)
    services["priority"] = priorities(programme, options, scores, choice.chosen)[:, 0]
    services = services.sort_values("priority").reset_index(drop=True)
    return services, pd.DataFrame(exception_rows, columns=EXCEPTION_COLUMNS)


def _verdict(
    options: pd.DataFrame, row: int, bench: int, chosen: int, passes: bool, programme: Programme, route: str
) -> dict[str, object]:
    """One exception option against its benchmark: the scores compared, the margin, the verdict."""
    policy = programme.exception_policy
    margin = policy.margin if policy else 0.0
    at = options.iloc[row]
    score = float(at["score"])
    known = bench != NONE
    b_score = float(options["score"].iloc[bench]) if known else float("nan")
    required = b_score + margin * abs(b_score) if known else float("nan")
    return {
        "service": at["service"],
        "option": at["option"],
        "provider": at["provider"],
        "provider_name": at["provider_name"],
        "score": score,
        "benchmark_option": options["option"].iloc[bench] if known else None,
        "benchmark_provider": options["provider"].iloc[bench] if known else None,
        "benchmark_score": b_score,
        "uplift": score / b_score - 1 if known and b_score > 0 else float("nan"),
        "margin": margin,
        "required_score": required,
        "gap": max(0.0, required - score) if known else 0.0,
        "passes_margin": passes,
        "verdict": "recommended by exception"
        if row == chosen
        else "beats the margin, but another option scores higher"
        if passes
        else "considered, not recommended",
        "decision_route": route,
    }


def _service_row(
    options: pd.DataFrame, service: Service, rows: np.ndarray, chosen: int, route: str
) -> dict[str, object]:
    """A service's recommendation, its status and its gain over the status quo."""
    picked = options.iloc[chosen] if chosen != NONE else None
    sq = next((r for r in rows if options["status_quo"].iloc[r]), None)
    sq_score = float(options["score"].iloc[sq]) if sq is not None else float("nan")
    if picked is None:
        status = "no eligible option"
    elif picked["status_quo"]:
        status = "keep the status quo"
    elif picked["exception"]:
        status = "exception"
    else:
        status = "change"
    return {
        "service": service.id,
        "name": service.name,
        "in_scope": service.in_scope,
        "recommended": picked["option"] if picked is not None else None,
        "provider": picked["provider"] if picked is not None else None,
        "provider_name": picked["provider_name"] if picked is not None else None,
        "model": picked["model"] if picked is not None else None,
        "status": status,
        "score": float(picked["score"]) if picked is not None else float("nan"),
        "status_quo_score": sq_score,
        "gain": float(picked["score"]) - sq_score if picked is not None and sq is not None else float("nan"),
        "decision_route": route if status == "exception" else "",
    }


def priorities(
    programme: Programme, options: pd.DataFrame, scores: np.ndarray, chosen: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Priority rank (1 = first) of each service (programme order) per draw: the services that act
    (change, or an exception) by gain over the status quo (0 without one), then the rest; file
    order breaks ties.  ``scores`` is rows × draws and ``chosen`` as :func:`mou_choice` gives it."""
    status_quo = options["status_quo"].to_numpy(dtype=bool)
    service_of = options["service"].to_numpy()
    draws = scores.shape[1]
    keys = np.zeros((len(programme.services), draws))
    for i, service in enumerate(programme.services):
        rows = np.flatnonzero(service_of == service.id)
        sq = next((r for r in rows if status_quo[r]), None)
        pick = chosen[service.id]
        picked_score = np.where(pick >= 0, scores[np.maximum(pick, 0), np.arange(draws)], -np.inf)
        acting = (pick >= 0) & ~np.isin(pick, [sq] if sq is not None else [])
        gain = picked_score - scores[sq] if sq is not None else np.zeros(draws)
        keys[i] = np.where(acting, -np.nan_to_num(gain, nan=0.0, neginf=0.0), np.inf)
    order = keys.argsort(axis=0, kind="stable")  # rows are in file order, so ties keep it
    return order.argsort(axis=0, kind="stable") + 1
