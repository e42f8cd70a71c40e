"""The MoU's exception rule and each service's recommendation, from scored options.

The County (the default provider) is the expected provider; another partner's option is
recommended only where its score beats the best default-provider option by the programme's
margin, and is then flagged with the decision route the MoU sets out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.model import Programme


def recommend(programme: Programme, options: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Best option per service under the MoU: another partner only if it beats the margin.

    The benchmark is the best eligible option of the default provider, or, where the default
    provider offers none, the best eligible option that is not an exception (in house or the
    status quo).  An exception is allowed when its score ≥ benchmark + margin × |benchmark| and
    exceeds the benchmark; the recommendation is then the best allowed option.
    """
    policy, default = programme.exception_policy, programme.default_provider
    margin = policy.margin if policy else 0.0
    route = f"{policy.joint_decision}; final decision: {policy.final_decision}" if policy else ""
    score_of = options["score"].to_numpy()
    eligible = options["eligible"].to_numpy(dtype=bool)
    exception = options["exception"].to_numpy(dtype=bool)
    status_quo = options["status_quo"].to_numpy(dtype=bool)
    provider = options["provider"].to_numpy()
    option_id = options["option"].to_numpy()
    provider_name = options["provider_name"].to_numpy()
    model = options["model"].to_numpy()
    rows_of: dict[str, list[int]] = {}
    for i, service_id in enumerate(options["service"].to_numpy()):
        rows_of.setdefault(service_id, []).append(i)  # file order: status quo first

    def best(indices: list[int]) -> int | None:
        return max(indices, key=lambda i: (score_of[i], -i)) if indices else None

    service_rows, exception_rows = [], []
    for service in programme.services:
        rows = rows_of.get(service.id, [])
        live = [i for i in rows if eligible[i]]
        ordinary = [i for i in live if not exception[i]]
        by_default = [i for i in ordinary if default is not None and provider[i] == default.id]
        bench = best(by_default) if by_default else best(ordinary)
        allowed = list(ordinary)
        considered = []
        for i in (i for i in live if exception[i]):
            b_score = float(score_of[bench]) if bench is not None else float("nan")
            required = b_score + margin * abs(b_score) if bench is not None else float("nan")
            passes = bench is None or bool(score_of[i] >= required and score_of[i] > b_score)
            if passes:
                allowed.append(i)
            considered.append(
                {
                    "service": service.id,
                    "option": option_id[i],
                    "provider": provider[i],
                    "provider_name": provider_name[i],
                    "score": float(score_of[i]),
                    "benchmark_option": option_id[bench] if bench is not None else None,
                    "benchmark_provider": provider[bench] if bench is not None else None,
                    "benchmark_score": b_score,
                    "uplift": float(score_of[i]) / b_score - 1
                    if bench is not None and b_score > 0
                    else float("nan"),
                    "margin": margin,
                    "required_score": required,
                    "gap": max(0.0, required - float(score_of[i])) if bench is not None else 0.0,
                    "passes_margin": passes,
                    "decision_route": route,
                }
            )
        chosen = best(allowed)
        for row in considered:
            row["verdict"] = (
                "recommended by exception"
                if chosen is not None and row["option"] == option_id[chosen]
                else "beats the margin, but another option scores higher"
                if row["passes_margin"]
                else "considered, not recommended"
            )
        exception_rows += considered
        sq = next((i for i in rows if status_quo[i]), None)
        sq_score = float(score_of[sq]) if sq is not None else float("nan")
        if chosen is None:
            status = "no eligible option"
        elif status_quo[chosen]:
            status = "keep the status quo"
        elif exception[chosen]:
            status = "exception"
        else:
            status = "change"
        service_rows.append(
            {
                "service": service.id,
                "name": service.name,
                "in_scope": service.in_scope,
                "recommended": option_id[chosen] if chosen is not None else None,
                "provider": provider[chosen] if chosen is not None else None,
                "provider_name": provider_name[chosen] if chosen is not None else None,
                "model": model[chosen] if chosen is not None else None,
                "status": status,
                "score": float(score_of[chosen]) if chosen is not None else float("nan"),
                "status_quo_score": sq_score,
                "gain": (float(score_of[chosen]) - sq_score)
                if chosen is not None and sq is not None
                else float("nan"),
                "decision_route": route if status == "exception" else "",
            }
        )
    services = pd.DataFrame(service_rows)
    acting = services["status"].isin(["change", "exception"])
    order = services.assign(_act=~acting, _gain=-services["gain"].fillna(0), _pos=np.arange(len(services)))
    order = order.sort_values(["_act", "_gain", "_pos"], kind="stable")
    services["priority"] = pd.Series(np.arange(1, len(order) + 1), index=order.index).reindex(services.index)
    services = services.sort_values("priority").reset_index(drop=True)
    columns = [
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
    return services, pd.DataFrame(exception_rows, columns=columns)
