"""Anytime answers (issue 19, point 4): a watched solve reports each better verified plan with its
bound, and a stopped one returns the best plan so far, "stopped", with its gap — never "optimal"."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from engine.io.load import dump_programme
from engine.optimise.heuristic import plan_value
from engine.optimise.instance import build_instance
from engine.optimise.solve import solve
from engine.plan.progress import Incumbent, Progress
from engine.plan.result import Plan, PlanResult, PlanStatus, gap_words
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.synth import seeded_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
SAVINGS = PlanSettings(objective="savings")


def _seeded(services: int):  # type: ignore[no-untyped-def]
    """bench/whatif.py's programme: 25 services solve in about half a second, 40 in three or more."""
    programme = seeded_programme(services)
    return programme, score(programme, RULES)


@pytest.fixture(scope="module")
def twenty_five():  # type: ignore[no-untyped-def]
    return _seeded(25)


@pytest.fixture(scope="module")
def forty():  # type: ignore[no-untyped-def]
    return _seeded(40)


def test_each_better_plan_is_verified_valued_and_bounded(twenty_five):
    programme, table = twenty_five
    seen: list[Incumbent] = []
    result = solve(programme, SAVINGS, table, progress=Progress(on_progress=seen.append))
    assert result.status == PlanStatus.OPTIMAL
    assert [i.source for i in seen][:1] == ["priority rule"]
    assert any(i.source == "solver" for i in seen), "the MIP's improving plans are reported"
    instance = build_instance(programme, SAVINGS, table)
    for incumbent in seen:
        assert verify(incumbent.plan, programme, SAVINGS) == []
        # the plan decoded from the solver's values is worth what the solver said it is worth
        assert incumbent.objective == pytest.approx(plan_value(instance, incumbent.plan), rel=1e-6)
        if incumbent.bound is not None:
            assert incumbent.bound >= incumbent.objective - 1e-6 * abs(incumbent.objective)
            assert incumbent.gap == pytest.approx(
                (incumbent.bound - incumbent.objective) / incumbent.objective
            )
    values = [i.objective for i in seen]
    assert values == sorted(values) and len(set(values)) == len(values), "only ever better"
    assert [i.seconds for i in seen] == sorted(i.seconds for i in seen)
    assert seen[-1].objective == pytest.approx(result.objective_value, rel=1e-9)


def test_watching_does_not_change_the_answer(gloucester):
    table = score(gloucester, RULES)
    plain = solve(gloucester, PlanSettings(), table, reasons=True)
    watched = solve(gloucester, PlanSettings(), table, reasons=True, progress=Progress())
    assert (watched.status, watched.plan, watched.left_out) == (plain.status, plain.plan, plain.left_out)
    assert watched.objective_value == pytest.approx(plain.objective_value)


def test_stop_returns_the_best_plan_so_far_with_its_gap(forty):
    """Stopped once the solver has a bound (its root relaxation solved) and long before it proves
    anything (this programme takes three seconds and more to prove)."""
    programme, table = forty
    seen: list[Incumbent] = []
    progress = Progress(on_progress=seen.append)
    asked: list[float] = []

    def stop_once_bounded() -> None:
        while progress.bound is None and time.perf_counter() - progress.started < 60:
            time.sleep(0.005)
        asked.append(time.perf_counter())
        progress.stop.set()

    threading.Thread(target=stop_once_bounded, daemon=True).start()
    result = solve(programme, SAVINGS, table, reasons=True, progress=progress)
    assert time.perf_counter() - asked[0] < 2.0, "the search stops at its next chance"
    assert result.status == PlanStatus.STOPPED and result.status.has_plan
    assert result.plan is not None and verify(result.plan, programme, SAVINGS) == []
    assert result.plan == seen[-1].plan, "the best plan the watcher was shown"
    assert result.objective_value == pytest.approx(seen[-1].objective)
    assert result.bound is not None and result.gap is not None and result.gap > 0
    assert result.bound >= result.objective_value
    assert result.status_text == f"stopped by you: best plan found, {gap_words(result.gap)}"
    assert "optimal" not in result.status_text and "optimal" in result.proof  # "not proven optimal"
    assert result.left_out == {}, "the reasons pass is skipped: the user wants an answer now"
    assert result.to_json()["status"] == "stopped"


def test_a_stop_before_the_search_gives_the_priority_rule_plan(forty):
    programme, table = forty
    progress = Progress()
    progress.stop.set()
    result = solve(programme, SAVINGS, table, progress=progress)
    assert result.status == PlanStatus.STOPPED
    assert progress.best is not None and progress.best.source == "priority rule"
    assert result.plan == progress.best.plan and verify(result.plan, programme, SAVINGS) == []


def test_a_stop_while_the_model_is_built_ends_the_search_before_the_solver_runs(forty, monkeypatch):
    """Building a large model takes seconds: a Stop pressed then ends the search at the next row
    (``engine.optimise.deadline.check``), with the priority-rule plan, and HiGHS is never started."""
    import engine.optimise.model as model_module
    import engine.optimise.run as run_module

    programme, table = forty
    progress = Progress()
    rows = [0]
    add = model_module.Model.add

    def add_then_stop(self, *args):  # type: ignore[no-untyped-def]
        rows[0] += 1
        if rows[0] == 50:  # the user presses Stop part-way through building the model
            progress.stop.set()
        return add(self, *args)

    solvers: list[object] = []
    make_solver = run_module.make_solver
    monkeypatch.setattr(model_module.Model, "add", add_then_stop)
    monkeypatch.setattr(run_module, "make_solver", lambda *a, **k: solvers.append(1) or make_solver(*a, **k))
    result = solve(programme, SAVINGS, table, progress=progress)
    assert rows[0] == 50, "no row is added after the Stop"
    assert solvers == [], "HiGHS was started after the Stop"
    assert result.status == PlanStatus.STOPPED and result.plan == progress.best.plan
    assert progress.best.source == "priority rule" and verify(result.plan, programme, SAVINGS) == []
    assert "You stopped the search" in result.message


def test_a_failing_watcher_is_raised_after_the_solver_stops(twenty_five):
    programme, table = twenty_five

    def fail(incumbent: Incumbent) -> None:
        if incumbent.source == "solver":
            raise RuntimeError("display broke")

    with pytest.raises(RuntimeError, match="display broke"):
        solve(programme, SAVINGS, table, progress=Progress(on_progress=fail))


def _incumbent(value: float, bound: float | None = None) -> Incumbent:
    return Incumbent(Plan(programme="p", periods=1), value, bound, None, 0.0, "solver")


def test_offer_passes_on_only_better_plans_in_the_objective_sense():
    seen: list[float] = []
    progress = Progress(on_progress=lambda i: seen.append(i.objective))
    assert [progress.offer(_incumbent(v), maximise=True) for v in (1.0, 3.0, 2.0, 3.0, 4.0)] == [
        True,
        True,
        False,
        False,
        True,
    ]
    shorter = Progress(on_progress=lambda i: seen.append(-i.objective))
    assert [shorter.offer(_incumbent(v), maximise=False) for v in (9.0, 7.0, 8.0)] == [True, True, False]
    assert seen == [1.0, 3.0, 4.0, -9.0, -7.0]


def test_the_gap_follows_the_latest_bound():
    progress = Progress()
    assert progress.gap() is None
    progress.offer(_incumbent(80.0, 100.0), maximise=True)
    assert progress.gap() == pytest.approx(0.25)  # the plan's own bound
    progress.bound = 90.0  # the bound tightened since
    assert progress.gap() == pytest.approx(0.125)


def test_a_stopped_result_says_what_it_knows():
    result = PlanResult(PlanStatus.STOPPED, "value", gap=0.0123)
    assert result.status_text == "stopped by you: best plan found, within 1.23% of the best possible"
    result.gap = None
    assert result.status_text.endswith("how far it is from the best possible is not known")
    assert gap_words(-1e-12) == "within 0.00% of the best possible"


def _cli(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    from engine.cli import main

    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.mark.slow
def test_plan_progress_shows_each_better_plan_on_stderr_and_stdout_still_parses(
    capsys, tmp_path, twenty_five
):
    programme, _ = twenty_five
    path = tmp_path / "seeded-25.yaml"
    path.write_text(dump_programme(programme))
    code, out, err = _cli(
        capsys, "plan", str(path), "--objective", "savings", "--progress", "--format", "json"
    )
    assert code == 0 and json.loads(out)["status"] == "optimal"
    lines = [line for line in err.splitlines() if "best plan so far" in line]
    assert "(priority rule)" in lines[0] and any("(optimiser)" in line for line in lines[1:]), err
    assert not any("£" in line or "objective" in line for line in lines), "no figure the public view hides"


@pytest.mark.slow
def test_the_first_ctrl_c_stops_the_search_with_the_best_plan_so_far(capsys, tmp_path, forty):
    programme, _ = forty
    path = tmp_path / "seeded-40.yaml"
    path.write_text(dump_programme(programme))
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        code, out, err = _cli(
            capsys, "plan", str(path), "--objective", "savings", "--progress", "--format", "json"
        )
    finally:
        timer.cancel()
    data = json.loads(out)
    assert code == 0 and data["status"] == "stopped", err
    assert data["status_text"].startswith("stopped by you: best plan found")
    assert "stopping: the best plan so far follows" in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "Ctrl+C is put back"
