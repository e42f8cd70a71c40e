"""What-if loop speed: score and plan a realistic programme, as a director's slider move would.

A seeded generator builds a 40-service, 3-options-each, 36-period programme (target: score + plan
in ≤ 1 s median); ``--services 500`` gives the regional case (target: planned within 60 s with a
gap ≤ 1 %).  Each run changes the weights, as the UI does.  Under the savings and max-min
objectives the model does not read the weights, so after the first run the proven answer is
recalled (:mod:`engine.optimise.reuse`; the line "recalled" counts the runs that were);
``--fresh`` forgets every answer before each run, so each run solves its model afresh.

Run: .venv/bin/python bench/whatif.py [--services 40] [--runs 7] [--time-limit 60] [--gap 0.01] [--fresh]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from engine.optimise import reuse
from engine.optimise.solve import solve
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score

RULES = Path(__file__).resolve().parent.parent / "rules" / "default.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--options", type=int, default=3)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--objective", default="value", choices=["value", "savings", "maxmin", "makespan"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--fresh", action="store_true", help="solve every run afresh (no recalled answers)")
    args = parser.parse_args()
    rules = load_ruleset(RULES)
    scale = max(1, args.services // 10)  # a bigger programme has a bigger programme team
    programme = random_programme(
        args.seed,
        services=args.services,
        options_per_service=args.options,
        min_options=args.options,
        periods=args.periods,
        pools=3,
        dependency_density=0.15,
        quarterly=False,
        capacity=(6 * scale, 20 * scale),
    )
    options = len(programme.options)
    print(
        f"programme: {args.services} services, {options} options, {args.periods} periods, "
        f"{len(programme.dependencies)} dependencies, {len(programme.resources)} pools"
    )
    times, cpu, statuses, gaps, sizes = [], [], [], [], []
    reuse.forget()
    recalled = reuse.recalled()
    for run in range(args.runs):
        if args.fresh:
            reuse.forget()
        weights = {"impact": 30 + run, "outcomes": 25 - run % 3, "time": 15 + 2 * (run % 2)}
        settings = PlanSettings(objective=args.objective, time_limit=args.time_limit, gap=args.gap)
        began, used = time.perf_counter(), time.process_time()
        table = score(programme, rules, weights=weights)
        result = solve(programme, settings, table)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - used)  # one thread: the work, whatever else the machine runs
        statuses.append(result.status_text)
        gaps.append(result.gap or 0.0)
        sizes.append(len(result.plan.assignments) if result.plan else 0)
        assert result.plan is None or verify(result.plan, programme, settings) == []
    print(
        f"score + plan: median {statistics.median(times):.3f} s, min {min(times):.3f}, max {max(times):.3f} "
        f"over {args.runs} runs ({args.objective} objective); CPU median {statistics.median(cpu):.3f} s"
    )
    print(
        f"status: {', '.join(sorted(set(statuses)))}; largest gap {max(gaps):.2%}; services planned "
        f"{min(sizes)}–{max(sizes)}; answers recalled {reuse.recalled() - recalled} of {args.runs}"
    )


if __name__ == "__main__":
    main()
