"""How robust is the recommendation to the weights and to uncertain costs?  Monte-Carlo draws and a tornado.

Weights are drawn from a Dirichlet distribution centred on the rule set's weights (higher
``concentration``, tighter around them), seeded so the same seed gives the same answer.  The
normalised criterion values do not depend on the weights, so every draw is scored at once by the
WSM or TOPSIS kernel scoring uses, over the batch (:func:`engine.scoring.mcda.method_scores`), and
the MoU's exception rule (:func:`engine.scoring.recommend.mou_choice`, the one scoring uses) is
applied per service across all draws together.  Where options give cost ranges, each draw also draws
those costs and re-scores (:mod:`engine.scoring.uncertainty`), so an exception's chance of staying
preferable is reported under weights and costs together and under each alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from engine.appraisal.scenario import LoadedScenario, load_scenario
from engine.base.errors import SsplanError
from engine.programme.model import Programme
from engine.rules.ruleset import RuleSet
from engine.scoring.mcda import method_scores
from engine.scoring.recommend import mou_choice, priorities
from engine.scoring.scores import ScoreTable, score
from engine.scoring.uncertainty import CostDraws, cost_draws, uncertain_options


@dataclass
class Sensitivity:
    draws: int
    seed: int
    services: pd.DataFrame  # service, base recommendation, P(same), P(first wave), most frequent alternative
    exceptions: pd.DataFrame  # exception option, base verdict, P(recommended) jointly, by weights, by costs
    tornado: pd.DataFrame  # criterion, weight low/high, recommendations changed, priority displacement
    uncertain: list[str]  # options whose costs were drawn (empty: weights only)


def _scores(table: ScoreTable, weights: np.ndarray) -> np.ndarray:
    """Scores of every row (rows × draws; NaN where ruled out) for ``weights`` (draws × criteria).

    Only the weights vary between draws, so the normalised matrix is scored once for the batch."""
    criteria = table.criteria()
    frame = table.options
    normalised = frame[[f"{c}.normalised" for c in criteria]].to_numpy(dtype=float)
    adjustment = frame["adjustment"].to_numpy(dtype=float)
    eligible = frame["eligible"].to_numpy(dtype=bool)
    out = np.full((len(frame), len(weights)), np.nan)
    out[eligible] = method_scores(table.method, normalised[eligible], weights).T
    return out + adjustment[:, None]


def weight_sensitivity(
    programme: Programme,
    rules: RuleSet,
    draws: int = 1000,
    seed: int = 0,
    concentration: float = 50.0,
    first_wave: int = 3,
    method: str | None = None,
    weights: Mapping[str, float] | None = None,
    costs: bool = True,
    drawn_costs: Callable[[ScoreTable, int, int], CostDraws] = cost_draws,
) -> Sensitivity:
    """Weights drawn around the set weights; with ``costs``, every ranged cost drawn as well, so each
    draw re-scores the programme (seeded: the same seed, the same answer).

    ``drawn_costs`` makes the cost draws (:func:`engine.scoring.uncertainty.cost_draws`); they do not
    depend on the weights, so a caller that asks again with other weights may hand in one that
    keeps them (the app does, keyed on the programme, rule set, method, draws and seed)."""
    table = score(programme, rules, method=method, weights=weights)
    options = table.options
    base_w = np.array([table.weights[c] for c in table.criteria()])
    samples = weight_draws(base_w, draws, seed, concentration)
    weight_scores = _scores(table, samples)
    uncertain = uncertain_options(table) if costs else []
    scores, live, by_costs, npv = weight_scores, None, None, None
    if uncertain:
        drawn = drawn_costs(table, draws, seed)  # the rules run once; both weight sets reuse it
        scores, live, npv = drawn.scores(samples), drawn.eligible, drawn.npv
        by_costs = mou_choice(programme, options, drawn.scores(base_w), live, npv).won
    joint = mou_choice(programme, options, scores, live, npv)
    by_weights = mou_choice(programme, options, weight_scores).won
    base_scores = _scores(table, base_w[None, :])
    base = mou_choice(programme, options, base_scores)
    base_rank = priorities(programme, options, base_scores, base.chosen)[:, 0]
    ranks = priorities(programme, options, scores, joint.chosen)
    services = _stability(table, base.chosen, joint.chosen, ranks, first_wave)
    exceptions = [
        {
            "exception": name,
            "recommended now": bool(base.won[name][0]),
            "P(recommended)": float(np.mean(flags)),
            "P(recommended: weights only)": float(np.mean(by_weights[name])),
            **({} if by_costs is None else {"P(recommended: costs only)": float(np.mean(by_costs[name]))}),
        }
        for name, flags in joint.won.items()
    ]
    tornado = _tornado(table, base_w, base.chosen, base_rank)
    return Sensitivity(draws, seed, services, pd.DataFrame(exceptions), tornado, uncertain)


def scenario_sensitivity(
    loaded: LoadedScenario,
    draws: int = 1000,
    seed: int = 0,
    concentration: float = 50.0,
    first_wave: int = 3,
    costs: bool = True,
    drawn_costs: Callable[[ScoreTable, int, int], CostDraws] = cost_draws,
) -> Sensitivity:
    """:func:`weight_sensitivity` of a scenario under the scenario's own method and weights: the
    command line, the app and a report's evidence ask the one question, so they ask it here."""
    scenario = loaded.scenario
    return weight_sensitivity(
        loaded.programme,
        loaded.rules,
        draws=draws,
        seed=seed,
        concentration=concentration,
        first_wave=first_wave,
        method=scenario.method,
        weights=scenario.weights or None,
        costs=costs,
        drawn_costs=drawn_costs,
    )


def _stability(
    table: ScoreTable,
    base: Mapping[str, np.ndarray],
    chosen: Mapping[str, np.ndarray],
    ranks: np.ndarray,
    first_wave: int,
) -> pd.DataFrame:
    """Per service: how often the draws keep today's recommendation and its place in the first wave,
    and what they most often recommend instead."""
    option = table.options["option"].to_numpy()
    rows = []
    for i, service in enumerate(table.programme.services):
        now, picks = base[service.id][0], chosen[service.id]
        others = pd.Series(picks[picks != now]).map(lambda r: option[r] if r >= 0 else "none")
        rows.append(
            {
                "service": service.id,
                "recommended": option[now] if now >= 0 else None,
                "P(same recommendation)": float(np.mean(picks == now)),
                f"P(in the first {first_wave})": float(np.mean(ranks[i] <= first_wave)),
                "most frequent alternative": others.mode().iloc[0] if len(others) else "",
            }
        )
    return pd.DataFrame(rows)


def weight_draws(base: np.ndarray, draws: int, seed: int, concentration: float) -> np.ndarray:
    """Dirichlet draws (draws × criteria) centred on ``base``; the same seed gives the same draws."""
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.maximum(base, 1e-6) * concentration, size=draws)


def _tornado(
    table: ScoreTable, base_w: np.ndarray, base_chosen: Mapping[str, np.ndarray], base_rank: np.ndarray
) -> pd.DataFrame:
    """Each weight at half and at one and a half times its value (the rest rescaled): how many
    recommendations change and how far the priority order moves (sum of rank shifts)."""
    criteria = table.criteria()
    rows = []
    for j, criterion in enumerate(criteria):
        row: dict[str, object] = {"criterion": criterion, "weight": round(float(base_w[j]), 4)}
        for label, factor in (("low", 0.5), ("high", 1.5)):
            w = base_w.copy()
            w[j] *= factor
            w /= w.sum()
            scores = _scores(table, w[None, :])
            chosen = mou_choice(table.programme, table.options, scores).chosen
            rank = priorities(table.programme, table.options, scores, chosen)[:, 0]
            changed = sum(int(chosen[s][0] != base_chosen[s][0]) for s in base_chosen)
            row[f"{label}: recommendations changed"] = changed
            row[f"{label}: priority shift"] = int(np.abs(rank - base_rank).sum())
        rows.append(row)
    frame = pd.DataFrame(rows)
    # largest effect first, as the bars are drawn: a bar's length is its two sides together, and
    # recommendations changed come before places moved (ties keep the rule set's order)
    changed = frame["low: recommendations changed"] + frame["high: recommendations changed"]
    moved = frame["low: priority shift"] + frame["high: priority shift"]
    return (
        frame.assign(_changed=changed, _moved=moved)
        .sort_values(["_changed", "_moved"], ascending=False, kind="stable")
        .drop(columns=["_changed", "_moved"])
    )


# ------------------------------------------------------------------ re-planning draws (parallel)
@dataclass(frozen=True)
class ReplanOutcome:
    status: str
    value: float | None
    options: dict[str, str]  # service -> option, for the services that change
    first_wave: tuple[str, ...]


CONNECT_TIMEOUT = "20s"  # how long to wait for a Dask scheduler before saying it cannot be reached


@lru_cache(maxsize=4)
def _loaded(path: str) -> LoadedScenario:
    """The scenario, read and validated once per process rather than once per draw."""
    return load_scenario(path)


def _replan_one(args: tuple[str | LoadedScenario, list[float], int]) -> ReplanOutcome:
    """One draw in a local worker process, which reads a scenario file once (or is sent the
    scenario itself when it exists only in memory, as a what-if on screen does)."""
    source, weights, wave = args
    loaded = _loaded(source) if isinstance(source, str) else source
    return _replan_with(loaded, weights, wave)


def _replan_with(loaded: LoadedScenario, weights: list[float], wave: int) -> ReplanOutcome:
    """One draw: re-score with these weights and re-solve the plan."""
    from engine.optimise.solve import solve

    criteria = [c.id for c in loaded.rules.criteria]
    table = score(
        loaded.programme,
        loaded.rules,
        method=loaded.scenario.method,
        weights=dict(zip(criteria, weights, strict=True)),
    )
    result = solve(loaded.programme, loaded.settings, table)
    chosen = {} if result.plan is None else result.plan.by_service()
    return ReplanOutcome(
        result.status.value,
        result.objective_value,
        {s: a.option for s, a in chosen.items()},
        tuple(sorted(s for s, a in chosen.items() if a.start < wave)),
    )


def replan_sensitivity(
    scenario_path: str | LoadedScenario,
    draws: int = 50,
    seed: int = 0,
    concentration: float = 50.0,
    wave_periods: int = 6,
    workers: int | None = None,
    progress: object | None = None,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Re-plan under ``draws`` weight draws, in parallel across local cores or, given a Dask
    ``scheduler`` address, across a cluster.  Each service's chance of changing, of starting in the
    first ``wave_periods`` periods, and its most frequent option.  The weights are drawn here from
    ``seed``, so the answer does not depend on where or on how many workers the draws run."""
    loaded = _loaded(scenario_path) if isinstance(scenario_path, str) else scenario_path
    scenario = loaded.scenario
    base = score(loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None)
    samples = weight_draws(np.array([base.weights[c] for c in base.criteria()]), draws, seed, concentration)
    weights = [[float(w) for w in row] for row in samples]
    tick = progress if callable(progress) else (lambda: None)
    if scheduler is not None:
        outcomes = _on_cluster(scheduler, loaded, weights, wave_periods, tick)
    else:
        outcomes = _on_local_cores(scenario_path, weights, wave_periods, workers, tick)
    rows = []
    for service in loaded.programme.services:
        picks = [o.options.get(service.id) for o in outcomes]
        changed = [p for p in picks if p]
        rows.append(
            {
                "service": service.id,
                "P(changes)": len(changed) / draws,
                "P(first wave)": sum(service.id in o.first_wave for o in outcomes) / draws,
                "most frequent option": pd.Series(changed).mode().iloc[0] if changed else "as it is",
            }
        )
    return pd.DataFrame(rows)


def _on_local_cores(
    path: str | LoadedScenario,
    weights: list[list[float]],
    wave: int,
    workers: int | None,
    tick: Callable[[], object],
) -> list[ReplanOutcome]:
    from concurrent.futures import ProcessPoolExecutor

    tasks = [(path, w, wave) for w in weights]
    outcomes: list[ReplanOutcome] = []
    if workers == 1:
        for task in tasks:
            outcomes.append(_replan_one(task))
            tick()
        return outcomes
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(_replan_one, tasks):
            outcomes.append(outcome)
            tick()
    return outcomes


def _on_cluster(
    address: str, loaded: LoadedScenario, weights: list[list[float]], wave: int, tick: Callable[[], object]
) -> list[ReplanOutcome]:
    """The draws on a Dask cluster.  The validated scenario is sent once to every worker (workers
    need ssplan installed, not the files); results come back in draw order."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SsplanError.one(
            "--scheduler needs Dask's distributed package: pip install 'ssplan[cluster]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SsplanError.one(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        shared = client.scatter(loaded, broadcast=True)
        futures = client.map(
            _replan_with, [shared] * len(weights), weights, [wave] * len(weights), pure=False
        )
        for _ in as_completed(futures):
            tick()
        return list(client.gather(futures))
    finally:
        client.close()
