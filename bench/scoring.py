"""Scoring speed: 10,000 options × 20 rules, column-wise against row-by-row rule-engine.

Prints the figures; the target is ≤ 1 s for the column-wise path on a 2-core machine.
Run: .venv/bin/python bench/scoring.py [--options 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score

RULES = Path(__file__).with_name("rules-20.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--options", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rules = load_ruleset(RULES)
    rule_count = len(rules.derived) + len(rules.criteria) + len(rules.eligibility) + len(rules.adjustments)
    services = max(1, round(args.options / 2.97))  # about 3 rows (status quo + options) per service
    started = time.perf_counter()
    programme = random_programme(
        2026, services=services, options_per_service=3, periods=36, dependency_density=0
    )
    built = time.perf_counter() - started
    rows = sum(len(programme.options_for(s.id)) for s in programme.services)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        fast = score(programme, rules)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    slow = score(programme, rules, vectorised=False)
    row_time = time.perf_counter() - started
    difference = (fast.options["score"].fillna(-1) - slow.options["score"].fillna(-1)).abs().max()
    median = statistics.median(times)
    print(
        f"programme: {services} services, {rows} service × option rows (incl. status quo), "
        f"built and validated in {built:.2f} s"
    )
    print(f"rules: {rule_count}")
    print(
        f"column-wise score: median {median:.3f} s over {args.repeat} runs "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )
    print(
        f"row-by-row rule-engine (reference): {row_time:.2f} s; "
        f"column-wise is {row_time / median:.0f}x faster"
    )
    print(
        f"largest score difference between the two paths: {difference:.1e} (identical: {difference < 1e-9})"
    )
    print(f"target ≤ 1 s: {'met' if median <= 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
