"""PSPLIB benchmark, a fair race: our scheduling core against OR-Tools CP-SAT on the same instances,
interleaved instance by instance (alternating who goes first), so both meet the same machine load.

Both sides are timed from reading the file to the answer under the same wall-clock limit: ours
in-process, the file read, the programme built and solved inside one command deadline
(:func:`engine.optimise.deadline.for_command`, as ``ssplan plan --psplib`` does); CP-SAT with one
worker (ours uses one thread) in its own process (ortools and highspy each bundle HiGHS and cannot
share one), kept open and fed one path at a time.  A proof counts only if it came within the limit.

Prints, per side: proofs within the limit, equal to the published optimum, median and p90 seconds,
the mean gap of the unproven instances (to their own bound and to the best known makespan), and
the median time ratio ours / CP-SAT; with ``--markdown`` the table rows for bench/README.md.  A
makespan below the published lower bound would be a bug and is reported as such.

Run: .venv/bin/python bench/psplib.py [--set j30] [--sample 48] [--time-limit 10] [--no-reference]
(`pip install -e '.[bench]'` brings ortools for the reference.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

from engine.optimise.deadline import for_command
from engine.optimise.psplib import read_sm, to_programme
from engine.optimise.solve import solve_rcpsp

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "psplib"
Row = dict[str, Any]
WARM_UP = DATA / "j30" / "j301_2.sm"


def instances(set_name: str, sample: int | None, seed: int) -> list[Path]:
    """The set's files, or one per parameter group (seeded), up to ``sample``."""
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


def ours(path: Path, time_limit: float, solver: Literal["highs", "cbc"]) -> Row:
    """The product on one file, timed from reading it, under one command deadline."""
    began = time.perf_counter()
    with for_command(time_limit):
        result = solve_rcpsp(to_programme(read_sm(path), source=str(path)), time_limit, solver)
    return {
        "name": path.stem,
        "status": result.status.value,
        "makespan": result.objective_value,
        "bound": result.bound,
        "seconds": time.perf_counter() - began,
    }


class Reference:
    """CP-SAT in its own process, one instance per request."""

    def __init__(self, time_limit: float, workers: int):
        script = Path(__file__).with_name("cpsat_reference.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(time_limit), str(workers)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def solve(self, path: Path) -> Row | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        return json.loads(line) if line.strip() else None

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(rows: list[Row], best: dict[str, tuple[int, int]], limit: float) -> dict[str, Any]:
    """Proofs within the limit; the gaps of the rest, to their own bound and to the best known."""
    proved = [r for r in rows if r["status"] == "optimal" and r["seconds"] <= limit]
    rest = [r for r in rows if r not in proved and r["makespan"] is not None]
    own = [(r["makespan"] - (r["bound"] or 0)) / r["makespan"] for r in rest]
    known = [(r["makespan"] - best[r["name"]][0]) / best[r["name"]][0] for r in rest]
    seconds = [r["seconds"] for r in rows]
    return {
        "n": len(rows),
        "proved": len(proved),
        "equal": sum(r["makespan"] == best[r["name"]][0] for r in rows),
        "median": statistics.median(seconds),
        "p90": percentile(seconds, 0.9),
        "max": max(seconds),
        "gap_own": statistics.mean(own) if own else 0.0,
        "gap_known": statistics.mean(known) if known else 0.0,
        "no_plan": sum(r["makespan"] is None for r in rows),
        "below": [
            r["name"] for r in rows if r["makespan"] is not None and r["makespan"] < best[r["name"]][1]
        ],
    }


def race(files: list[Path], args: argparse.Namespace) -> tuple[list[Row], list[Row]]:
    """Instance by instance, alternating which side goes first."""
    reference = None if args.no_reference else Reference(args.time_limit, args.workers)
    mine: list[Row] = []
    theirs: list[Row] = []
    try:
        # untimed warm-up on both sides (first solver calls load libraries; j301_2 takes ours
        # through the satisfiability search, whose first encoding in a process costs 0.1 s)
        for path in (files[0], WARM_UP):
            ours(path, 1.0, args.solver)
            if reference is not None:
                reference.solve(path)
        for i, path in enumerate(files):
            for side in ("ours", "cpsat") if i % 2 == 0 else ("cpsat", "ours"):
                if side == "ours":
                    mine.append(ours(path, args.time_limit, args.solver))
                elif reference is not None:
                    row = reference.solve(path)
                    if row is not None:
                        theirs.append(row)
            if args.verbose:
                print(json.dumps({"ours": mine[-1], "cpsat": theirs[-1] if theirs else None}), flush=True)
    finally:
        if reference is not None:
            reference.close()
    return mine, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="j30")
    parser.add_argument("--sample", type=int, default=None, help="one instance per parameter group, up to N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers (ours uses one thread)")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="also print the README table rows")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with open(DATA / "bounds.csv") as handle:
        best = {
            r["instance"]: (int(r["ub"]), int(r["lb"]))
            for r in csv.DictReader(handle)
            if r["set"] == args.set
        }
    files = instances(args.set, args.sample, args.seed)
    load_before = os.getloadavg()
    mine, theirs = race(files, args)
    load_after = os.getloadavg()
    print(
        f"set {args.set}: {len(files)} instances (seed {args.seed}), {args.time_limit:g} s limit each, "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    sides = [("ours", summary(mine, best, args.time_limit))]
    if theirs:
        sides.append((f"CP-SAT ({args.workers} worker)", summary(theirs, best, args.time_limit)))
    for name, s in sides:
        print(
            f"{name}: proven within the limit {s['proved']}/{s['n']}; equal to the best known "
            f"{s['equal']}/{s['n']}; seconds median {s['median']:.2f}, p90 {s['p90']:.2f}, "
            f"max {s['max']:.2f}; "
            f"mean gap of the unproven: {s['gap_own']:.2%} to own bound, {s['gap_known']:.2%} to best known; "
            f"no plan {s['no_plan']}; below the published lower bound (a bug if any): {s['below'] or 'none'}"
        )
    ratio = None
    if theirs:
        times = {r["name"]: r["seconds"] for r in theirs}
        ratio = statistics.median(
            r["seconds"] / max(times[r["name"]], 1e-3) for r in mine if r["name"] in times
        )
        print(f"time ratio ours / CP-SAT (same instance, same minute): median {ratio:.2f}x")
    if args.markdown:
        for name, s in sides:
            print(
                f"| {args.set} ({s['n']}) | {name} | {s['proved']}/{s['n']} | {s['median']:.2f} "
                f"| {s['p90']:.2f} | {s['max']:.2f} | {s['gap_own']:.2%} | {s['gap_known']:.2%} |"
            )


if __name__ == "__main__":
    main()
