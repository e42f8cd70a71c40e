"""Time the score ranges of programmes with unknown outcome ratings (engine/scoring/unknowns.py).

Every option's `outcome` is marked unknown with probability 0.2, and each service's FTE with 0.2
(read by no default rule, so not tried); the default rules score them.  Prints, per size, the
options, the unknowns, the fillings-in (stacked copies of the option table) and the seconds for
score() and for unknown_ranges().

    python bench/unknowns.py
"""

from __future__ import annotations

import random
import time

from engine.io.shipped import shipped_rules
from engine.programme.model import Programme
from engine.programme.synth import random_programme_data
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from engine.scoring.unknowns import _fillings, unknown_ranges


def programme(services: int, seed: int = 0) -> Programme:
    data = random_programme_data(seed, services=services, options_per_service=4, min_options=2)
    rng = random.Random(seed)
    for option in data["options"]:
        if rng.random() < 0.2:
            option["attributes"]["outcome"] = None
    for service in data["services"]:
        if rng.random() < 0.2:
            service["fte"] = None
    return Programme.model_validate(data)


def main() -> None:
    rules = load_ruleset(shipped_rules())
    print(f"{'services':>8} {'options':>8} {'unknowns':>9} {'fillings':>9} {'score s':>8} {'ranges s':>9}")
    for size in (10, 100, 500):
        p = programme(size)
        started = time.perf_counter()
        table = score(p, rules)
        scored = time.perf_counter() - started
        started = time.perf_counter()
        ranges = unknown_ranges(table)
        ranged = time.perf_counter() - started
        fillings = sum(len(batch) for _, batch in _fillings(ranges.unknowns))
        print(
            f"{size:>8} {len(table.options):>8} {len(ranges.unknowns):>9} {fillings:>9} "
            f"{scored:>8.3f} {ranged:>9.3f}"
        )


if __name__ == "__main__":
    main()
