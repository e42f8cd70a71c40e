"""The Plan page while a long plan is worked out (issue 19, point 4): the best plan so far with its
gap and a Stop button; a stopped plan says so and is never taken for the answer to its inputs; a
search whose inputs change is dropped, never shown against the new ones."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from engine.io.load import dump_programme
from engine.plan.result import PlanStatus
from engine.plan.verify import verify
from engine.programme.synth import seeded_programme
from tests.conftest import ROOT

APP = str(ROOT / "ui" / "app.py")


def _long_programme_text() -> str:
    """40 services under the savings objective (bench/whatif.py's programme): the priority-rule
    plan in a tenth of a second, the optimum in one to several seconds as the machine allows."""
    programme = seeded_programme(40)
    return dump_programme(programme)


@pytest.fixture
def long_plan_page(monkeypatch, tmp_path) -> AppTest:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    monkeypatch.syspath_prepend(str(ROOT / "ui"))  # the app's own modules, as its pages import them
    import common
    import planning as background

    seen = background.Background._seen

    def held_at_the_first_plan(job, incumbent):  # type: ignore[no-untyped-def]
        """The real search, held once it has passed on the priority-rule plan until the user stops
        it (or a minute passes), so what the page shows does not depend on the machine's speed."""
        seen(job, incumbent)
        if incumbent.source == "priority rule":
            job.progress.stop.wait(60)

    monkeypatch.setattr(background.Background, "_seen", held_at_the_first_plan)

    text = _long_programme_text()
    at.session_state[common.PROGRAMME] = {
        "name": "seeded-40",
        "yaml": text,
        "hash": common.digest(text),
        "upload": None,
    }
    at.session_state[common.WHATIF] = common.default_whatif()
    at.switch_page("app_pages/plan.py").run()
    at.selectbox(key="plan.objective").set_value("savings").run()
    assert not at.exception, [e.message for e in at.exception]
    yield at
    job = at.session_state["plan.running"] if "plan.running" in at.session_state else None  # noqa: SIM401
    if job is not None:  # never leave a search running past the test
        job.stop()
        job.wait(30)


def _words(at: AppTest) -> str:
    return "\n".join(
        str(e.value) for kind in ("subheader", "info", "warning", "caption") for e in at.get(kind)
    )


def _start_long_plan(at: AppTest) -> None:
    at.button(key="plan.run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Planning…" in _words(at), _words(at)


def test_a_long_plan_shows_the_best_so_far_and_stop_keeps_it(long_plan_page):
    at = long_plan_page
    _start_long_plan(at)
    words = _words(at)
    assert "The best plan so far (found by the priority rule)" in words
    assert "Plan: " not in words, "no final result while the search runs"
    assert at.button(key="plan.stop")
    assert any("Start" in d.value.columns for d in at.dataframe), "the best plan so far, as a table"
    job = at.session_state["plan.running"]

    at.button(key="plan.stop").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert job.stopping and job.done
    words = _words(at)
    # stopped before the solver had a bound: the gap is said to be unknown (the engine's tests
    # stop it later and check the gap)
    assert "Plan: stopped by you: best plan found, how far it is from the best possible is not known" in words
    assert "Plan: optimal" not in words
    _, result = at.session_state["plan.result"]
    assert result.plan.status == PlanStatus.STOPPED
    assert verify(result.plan.plan, result.loaded.programme, result.loaded.settings) == []
    assert "plan.running" not in at.session_state


@pytest.mark.slow
def test_a_stopped_plan_is_not_the_answer_to_its_inputs(long_plan_page):
    """Plan again after a stop: the search starts afresh (the stopped plan was not kept as these
    inputs' result), instead of showing the stopped plan as if it were the answer."""
    at = long_plan_page
    _start_long_plan(at)
    at.button(key="plan.stop").click().run()
    assert "Plan: stopped by you" in _words(at)
    _start_long_plan(at)
    assert "Plan: stopped by you" not in _words(at)


@pytest.mark.slow
def test_a_search_whose_inputs_change_is_stopped_and_not_shown(long_plan_page):
    at = long_plan_page
    _start_long_plan(at)
    job = at.session_state["plan.running"]
    at.selectbox(key="plan.objective").set_value("value").run()
    assert not at.exception
    assert job.stopping, "the search for the old settings is stopped"
    words = _words(at)
    assert "settings changed while the plan was being worked out" in words
    assert "Planning…" not in words and "Plan: " not in words
    assert job.wait(30)
    assert "plan.running" not in at.session_state


def test_a_plan_that_ends_while_watched_is_shown_as_the_answer(monkeypatch, tmp_path):
    """Gloucester: the optimal plan is shown after the click (at once on a warm server; on a cold,
    loaded one the search view may come first and gives way to the answer when it is done)."""
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/plan.py").run()
    at.button(key="plan.run").click().run()
    if "plan.running" in at.session_state:
        assert at.session_state["plan.running"].wait(60)
        at.run()  # the fragment's next look
    assert not at.exception, [e.message for e in at.exception]
    words = _words(at)
    assert "Plan: optimal" in words and "Planning…" not in words
    assert "plan.running" not in at.session_state
