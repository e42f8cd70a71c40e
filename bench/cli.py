"""Command-line start-up: wall time of a few everyday commands against `python -c pass` in the same run.

Each command is run in a fresh process (as a user's shell would), `--runs` times; the median and the
fastest are printed, with the interpreter's own start-up as the reference.

Run: .venv/bin/python bench/cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOUCESTER = str(ROOT / "scenarios" / "gloucester-2015.yaml")
COMMANDS = {
    "python -c pass (reference)": [sys.executable, "-c", "pass"],
    "ssplan --help": [sys.executable, "-m", "engine.cli", "--help"],
    "ssplan validate gloucester-2015.yaml": [sys.executable, "-m", "engine.cli", "validate", GLOUCESTER],
    "ssplan score gloucester-2015.yaml": [sys.executable, "-m", "engine.cli", "score", GLOUCESTER],
    "ssplan plan gloucester-2015.yaml": [sys.executable, "-m", "engine.cli", "plan", GLOUCESTER],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for name, command in COMMANDS.items():
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - began)
        print(f"{name:<42} median {statistics.median(times):.3f} s, fastest {min(times):.3f} s")


if __name__ == "__main__":
    main()
