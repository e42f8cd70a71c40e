"""Does ``--time-limit`` bound the whole plan command?  Wall time of ``ssplan plan`` on seeded
generated programmes, split into loading and scoring (done before any solving; not bounded by the
limit) and everything after (instance, heuristic, MIP, infeasibility advice, reasons), which the
limit must bound: target ≤ limit + 2 s.

Cases from the issue:

- feasible: 1000 services at ``--time-limit 1``;
- regional: 2,000 services of the what-if bench's shape (``seeded_programme``) written to a file,
  ``ssplan plan --objective savings --time-limit 60`` on it (issue 19, point 5 at scale: HiGHS's
  presolve alone once ran past the limit), timed from the command's start;
- infeasible: 300 services, every one that could change forced in (``--force-in``), at
  ``--time-limit 5`` (the infeasibility advice runs after the MIP proves there is no plan).

Run: .venv/bin/python bench/timelimit.py [--case feasible|infeasible|regional|both] [--seed 2015]
("both" is feasible and infeasible; regional takes a few minutes and is run on its own)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from engine.programme.synth import random_programme_data

ROOT = Path(__file__).resolve().parent.parent


def _case(name: str, seed: int) -> tuple[dict[str, Any], list[str], float]:
    if name == "feasible":
        data = random_programme_data(seed, services=1000, options_per_service=3, periods=36, pools=3)
        return data, [], 1.0
    # 300 services, every one that has an allowed option that fits the horizon forced in: the
    # capacity cannot take them all, the MIP proves it, and the advice must say what to relax
    from engine.io.shipped import shipped_rules
    from engine.optimise.instance import build_instance
    from engine.plan.settings import PlanSettings
    from engine.programme.model import Programme
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score

    data = random_programme_data(seed, services=300, options_per_service=2, periods=24, pools=3)
    programme = Programme.model_validate(data)
    table = score(programme, load_ruleset(shipped_rules()))
    fitting = sorted(build_instance(programme, PlanSettings(), table).jobs)
    return data, [arg for service in fitting for arg in ("--force-in", service)], 5.0


def regional(seed: int, limit: float = 60.0) -> None:
    """The 2,000-service case (see the module docstring): ``ssplan plan`` on the programme's file,
    timed from the command's start to its JSON (reading the 1.7 MB file is inside the limit)."""
    from engine.io.load import dump_programme
    from engine.programme.synth import seeded_programme

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "regional.yaml"
        path.write_text(dump_programme(seeded_programme(2000, seed)))
        command = [sys.executable, "-m", "engine.cli", "plan", str(path), "--objective", "savings"]
        wall, done = _timed([*command, "--time-limit", str(limit), "--format", "json"])
    if done.returncode != 0:
        print(f"regional: failed, exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
        return
    result = json.loads(done.stdout)
    print(
        f"regional: 2000 services, savings, `ssplan plan --time-limit {limit:g}`: wall {wall:.1f} s "
        f"(target ≤ {limit + 2:g} s); solve {result['solve_seconds']:.1f} s; status {result['status']}, "
        f"gap {result['gap']}; {result['message']}"
    )


def _timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", default="both", choices=["feasible", "infeasible", "regional", "both"])
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args()
    if args.case == "regional":
        regional(args.seed)
        return
    cases = ["feasible", "infeasible"] if args.case == "both" else [args.case]
    with tempfile.TemporaryDirectory() as folder:
        for name in cases:
            data, extra, limit = _case(name, args.seed)
            path = Path(folder) / f"{name}.yaml"
            path.write_text(yaml.safe_dump(data, sort_keys=False))
            # loading and scoring alone (the same work the plan command does before solving)
            load_s, _ = _timed(
                [
                    sys.executable,
                    "-c",
                    "import sys; from engine.io.load import load_programme; "
                    "from engine.rules.ruleset import load_ruleset; from engine.scoring.scores import score; "
                    "from engine.io.shipped import shipped_rules; "
                    "score(load_programme(sys.argv[1]), load_ruleset(shipped_rules()))",
                    str(path),
                ]
            )
            wall, done = _timed(
                [
                    sys.executable,
                    "-m",
                    "engine.cli",
                    "plan",
                    str(path),
                    "--time-limit",
                    str(limit),
                    "--format",
                    "json",
                    *extra,
                ]
            )
            result = json.loads(done.stdout)
            said = " ".join([result.get("message") or "", *(result.get("advice") or [])])
            stopped = "time limit" in said
            print(
                f"{name}: {len(data['services'])} services, --time-limit {limit:g}: wall {wall:.1f} s; "
                f"start-up + load + score alone {load_s:.1f} s; solve (everything the limit bounds: "
                f"model, solver, advice, reasons) {result['solve_seconds']:.1f} s "
                f"(target ≤ {limit + 2:g} s); "
                f"exit {done.returncode}; status {result['status']}, gap {result.get('gap')}"
                f"{'; says the limit stopped part of it' if stopped else ''}"
            )


if __name__ == "__main__":
    main()
