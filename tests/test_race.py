"""A fair race (issue 19, point 5): ``ssplan plan --time-limit`` is one wall-clock bound on the whole
command, and every PSPLIB file loads (the horizon follows the instance).

The timing asserts are deadline checks with a stated slack, not speed claims (those are in
bench/README.md, measured by bench/psplib.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.base.errors import InputError
from engine.cli import main
from engine.optimise import deadline as clock
from engine.optimise import sat
from engine.optimise.deadline import OutOfTime, check, for_command, process_age, within
from engine.optimise.heuristic import Rcpsp, rcpsp_schedule
from engine.optimise.psplib import MAX_PERIODS, read_sm, to_programme, to_rcpsp
from tests.conftest import ROOT, SHARED

PSPLIB = SHARED / "benchmarks" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "j120").is_dir(), reason="PSPLIB files not present")

# Hard instances that none of our proofs close in 5 s: each runs the heuristics, the SAT search
# (the j120 one builds 1.4 million clauses) and the MIP phases until the deadline stops them.
HARD = ["j60/j609_1.sm", "j90/j905_3.sm", "j120/j12051_10.sm"]

# Measured on the 2-core machine shared with three other engineers (load 2.7-3.5): the command
# ended 0.1-0.3 s after the limit at atexit and 0.5-0.9 s later still as an exit code (the
# interpreter tearing down pandas, PuLP and the SAT solver); 1.3 s past at worst.  Before this
# change the same runs took 9.4-9.9 s for a 5 s limit (j120 would not load).  Slack kept generous.
LIMIT, SLACK = 5.0, 3.0


@needs_psplib
@pytest.mark.slow
@pytest.mark.parametrize("name", HARD)
def test_the_whole_command_obeys_the_time_limit(name: str):
    """Wall clock from before the interpreter starts to the exit code: ≤ LIMIT + SLACK seconds, and
    the best plan found comes back, not proven, with its bound."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "engine.cli", "plan", "--psplib", str(PSPLIB / name)]
    began = time.perf_counter()
    done = subprocess.run(
        [*command, "--time-limit", str(LIMIT), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    took = time.perf_counter() - began
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "feasible"
    assert result["bound"] < result["objective_value"]
    assert took <= LIMIT + SLACK, f"{name}: {took:.1f} s for a {LIMIT:g} s limit"


class _LoadedSolver:
    """CryptoMiniSat on a loaded machine: its time limit counts CPU, and each CPU second takes
    three of wall; it never finishes (as on a hard instance)."""

    def __init__(self, threads: int = 1, options: object = None):
        self.calls: list[float] = []

    def add_clauses(self, clauses: object) -> None:
        pass

    def solve(self, assumptions: object, time_limit: float) -> tuple[None, None]:
        self.calls.append(time_limit)
        time.sleep(3 * time_limit)
        return None, None


def test_the_sat_search_stops_at_the_wall_clock_deadline_not_the_solvers_cpu_limit(monkeypatch):
    """With one call given the whole time left (the old way) a 1 s deadline ran to 3 s of wall; in
    slices of SLICE_SECONDS of CPU it overruns by at most one slice (0.75 s of wall here)."""
    monkeypatch.setattr(sat.pycryptosat, "Solver", _LoadedSolver)
    problem = Rcpsp([2] * 6, [[1]] * 6, [1], [[] for _ in range(6)])  # one at a time: 12 periods
    began = time.perf_counter()
    with within(1.0):
        outcome = sat.sat_search(problem, 2, 13, seconds=60)
    took = time.perf_counter() - began
    assert not outcome.finished and outcome.starts is None
    assert 1.0 <= took < 1.0 + 3 * sat.SLICE_SECONDS + 0.3


def test_the_command_counts_from_the_process_start(monkeypatch):
    """The entry point marks the process's start: a command begun 10 s ago has no time left at 5 s."""
    assert 0 < process_age() < 24 * 3600  # this test process has been running a while
    monkeypatch.setattr(clock, "_PROCESS_STARTED", time.perf_counter() - 10.0)
    with for_command(5.0), pytest.raises(OutOfTime):
        check()
    monkeypatch.setattr(clock, "_PROCESS_STARTED", None)  # in-process callers count from now
    with for_command(5.0) as at:
        check()
        assert 4.9 < at - time.perf_counter() <= 5.0


def test_sampling_stops_at_its_deadline_but_the_priority_rules_always_run():
    problem, _ = to_rcpsp(read_sm(PSPLIB / "j30" / "j301_1.sm")) if PSPLIB.is_dir() else (None, None)
    if problem is None:
        pytest.skip("PSPLIB files not present")
    assert rcpsp_schedule(problem, samples=60, until=0.0) == rcpsp_schedule(problem, samples=0)
    sampled = rcpsp_schedule(problem, samples=60)
    assert sampled[1] <= rcpsp_schedule(problem, samples=0)[1]


@needs_psplib
def test_a_j120_file_past_the_model_horizon_loads_with_the_schedule_horizon():
    instance = read_sm(PSPLIB / "j120" / "j12010_1.sm")
    assert instance.horizon > MAX_PERIODS  # the file's horizon is the sum of durations (667)
    programme = to_programme(instance)
    problem, _ = to_rcpsp(instance)
    assert problem.lower_bound() <= programme.horizon.periods == rcpsp_schedule(problem, samples=0)[1]


@needs_psplib
def test_a_j120_file_plans_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "plan",
                "--psplib",
                str(PSPLIB / "j120" / "j12010_1.sm"),
                "--time-limit",
                "20",
                "--format",
                "json",
            ]
        )
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["objective_value"] >= 111  # the published optimum


def _too_long(tmp_path: Path) -> Path:
    """j301_1 with every duration 300 periods: no schedule fits in 600."""
    lines = (PSPLIB / "j30" / "j301_1.sm").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("REQUESTS/DURATIONS"))
    for i in range(at + 3, len(lines)):
        cells = lines[i].split()
        if lines[i].startswith("*"):
            break
        if cells[2] != "0":
            cells[2] = "300"
        lines[i] = "  ".join(cells)
    lines = [line.replace("horizon                       :  158", "horizon : 9000") for line in lines]
    path = tmp_path / "long.sm"
    path.write_text("\n".join(lines) + "\n")
    return path


@needs_psplib
def test_a_programme_truly_too_long_is_a_located_error_with_exit_2(tmp_path: Path, capsys):
    path = _too_long(tmp_path)
    with pytest.raises(InputError) as raised:
        to_programme(read_sm(path), source=str(path))
    problem = raised.value.problems[0]
    assert (problem.file, problem.field) == (str(path), "horizon")
    assert problem.line == next(
        n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith("horizon")
    )
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--psplib", str(path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"{path}:{problem.line}: horizon:" in err and "at most 600 periods" in err
    assert "Traceback" not in err


def _every_j120() -> list[Path]:
    return sorted((PSPLIB / "j120").glob("*.sm")) if (PSPLIB / "j120").is_dir() else []


@needs_psplib
@pytest.mark.slow
def test_every_j120_file_loads():
    """All 600 (577 of them have a file horizon past 600 periods); about 0.1 s each."""
    files = _every_j120()
    assert len(files) == 600
    for path in files:
        instance = read_sm(path)
        programme = to_programme(instance, source=str(path))
        assert len(programme.services) == 120
        assert programme.horizon.periods <= min(instance.horizon, MAX_PERIODS)
