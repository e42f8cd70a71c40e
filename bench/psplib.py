"""PSPLIB benchmark: our PuLP/HiGHS scheduling core against the published optima and against
OR-Tools CP-SAT on the same instances (run in a separate process).

Prints, for the set: instances proven optimal, % equal to the published optimum, mean gap to it,
median and p90 seconds, and the median time ratio ours / CP-SAT.  A makespan below the published
optimum would be a bug and is reported as such.

Run: .venv/bin/python bench/psplib.py [--set j30] [--sample 48] [--time-limit 10] [--no-reference]
(`pip install -e '.[bench]'` brings ortools for the reference.)
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

from engine.optimise.psplib import read_sm, to_programme
from engine.optimise.solve import solve_rcpsp

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "psplib"


def instances(set_name: str, sample: int | None, seed: int) -> list[Path]:
    files = sorted((DATA / set_name).glob("*.sm"))
    if sample and sample < len(files):
        groups: dict[str, list[Path]] = {}
        for f in files:
            groups.setdefault(f.stem.split("_")[0], []).append(f)
        rng = random.Random(seed)
        picked = [rng.choice(sorted(g)) for _, g in sorted(groups.items())]
        rng.shuffle(picked)
        files = sorted(picked[:sample])
    return files


def reference(files: list[Path], time_limit: float, workers: int) -> dict[str, dict]:
    process = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("cpsat_reference.py")), str(time_limit), str(workers)],
        input="\n".join(str(f) for f in files),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if process.returncode != 0:
        print(f"reference unavailable: {process.stderr.strip().splitlines()[-1:]}")
        return {}
    rows = [json.loads(line) for line in process.stdout.splitlines() if line.strip()]
    return {row["name"]: row for row in rows}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="j30")
    parser.add_argument("--sample", type=int, default=None, help="one instance per parameter group, up to N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers (ours uses one thread)")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with open(DATA / "optima.csv") as handle:
        optima = {r["instance"]: int(r["makespan"]) for r in csv.DictReader(handle) if r["set"] == args.set}
    files = instances(args.set, args.sample, args.seed)
    ours = []
    for path in files:
        instance = read_sm(path)
        result = solve_rcpsp(to_programme(instance), time_limit=args.time_limit, solver=args.solver)
        best = optima.get(instance.name)
        row = {
            "name": instance.name,
            "status": result.status.value,
            "makespan": result.objective_value,
            "optimum": best,
            "seconds": result.solve_seconds,
        }
        ours.append(row)
        if args.verbose:
            print(json.dumps(row), flush=True)
    ref = {} if args.no_reference else reference(files, args.time_limit, args.workers)
    n = len(ours)
    proved = sum(r["status"] == "optimal" for r in ours)
    equal = sum(r["makespan"] == r["optimum"] for r in ours)
    gaps = [(r["makespan"] - r["optimum"]) / r["optimum"] for r in ours if r["makespan"] is not None]
    below = [r["name"] for r in ours if r["makespan"] is not None and r["makespan"] < r["optimum"]]
    seconds = [r["seconds"] for r in ours]
    print(f"set {args.set}: {n} instances, {args.time_limit:g} s limit each, solver {args.solver}")
    print(
        f"ours:    proven optimal {proved}/{n} ({proved / n:.0%}); equal to the published optimum "
        f"{equal}/{n} ({equal / n:.0%}); mean gap to it {statistics.mean(gaps):.2%}"
    )
    print(f"         seconds: median {statistics.median(seconds):.2f}, p90 {percentile(seconds, 0.9):.2f}")
    print(f"         below the published optimum (a bug if any): {below or 'none'}")
    if ref:
        ref_proved = sum(r["status"] == "optimal" for r in ref.values())
        ref_seconds = [ref[r["name"]]["seconds"] for r in ours if r["name"] in ref]
        ratios = [r["seconds"] / max(ref[r["name"]]["seconds"], 1e-3) for r in ours if r["name"] in ref]
        print(
            f"CP-SAT ({args.workers} worker): proven optimal {ref_proved}/{len(ref)}; seconds: median "
            f"{statistics.median(ref_seconds):.2f}, p90 {percentile(ref_seconds, 0.9):.2f}"
        )
        print(f"time ratio ours / CP-SAT: median {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
