"""Sensitivity speed: Monte-Carlo weight draws re-scoring a programme (target: 1,000 draws ≤ 2 s).

Run: .venv/bin/python bench/sensitivity.py [--draws 1000] [--services 40]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from engine.appraisal.sensitivity import weight_sensitivity
from engine.io.load import load_programme
from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--services", type=int, default=40)
    args = parser.parse_args()
    rules = load_ruleset(ROOT / "rules" / "default.yaml")
    cases = [
        ("Gloucester 2015", load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")),
        (f"random, {args.services} services", random_programme(7, services=args.services, min_options=3)),
    ]
    for name, programme in cases:
        for method in ("wsm", "topsis"):
            began = time.perf_counter()
            weight_sensitivity(programme, rules, draws=args.draws, seed=1, method=method)
            seconds = time.perf_counter() - began
            verdict = "met" if seconds <= 2 else "NOT met"
            print(f"{name}, {method}: {args.draws} draws in {seconds:.2f} s (target ≤ 2 s: {verdict})")


if __name__ == "__main__":
    main()
