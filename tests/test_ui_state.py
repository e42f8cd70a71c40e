"""The app never shows a result of other inputs, and its widgets do what they say (issue 18).

Each test is written against a defect the app had: a result of another programme shown or
offered for download, a re-upload under the same name ignored, a reset that left the sliders
where they were, a saved what-if following the user to another programme, an edit that the next
click did not see, a plan with no change that claimed "0.0 years" payback, a decisions count that
did not refresh.
"""

from __future__ import annotations

import json

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from engine.io.load import load_programme
from engine.rules.ruleset import load_ruleset
from tests.conftest import ROOT
from tests.report_wait import planned, report_written

APP = str(ROOT / "ui" / "app.py")
RULES = load_ruleset(ROOT / "rules" / "default.yaml")


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _load(at: AppTest, name: str) -> None:
    _go(at, "programme")
    at.radio(key="programme.source").set_value("a shipped programme").run()
    at.selectbox(key="programme.pick").set_value(name).run()
    at.button(key="programme.load").click().run()
    assert at.session_state["programme.current"]["name"] == name


def _shown_text(at: AppTest) -> str:
    """Every cell of every table, and every line of text, on the page."""
    cells = [str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()]
    cells += [str(i) for d in at.dataframe for i in d.value.index]
    words = [
        e.value for kind in ("markdown", "caption", "subheader", "info", "warning") for e in at.get(kind)
    ]
    return "\n".join(cells + [str(w) for w in words])


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return _go(at, "programme")


@pytest.mark.slow
def test_after_a_switch_no_page_shows_or_offers_the_last_programmes_results(app):
    at = app
    _load(at, "lancaster-2011")
    _go(at, "sensitivity")
    at.number_input(key="sensitivity.draws").set_value(100)
    at.button(key="sensitivity.run").click().run()
    assert any("Same recommendation" in d.value.columns for d in at.dataframe)
    _go(at, "report")
    at.number_input(key="report.draws").set_value(100)
    report_written(at.button(key="report.make").click().run())
    assert at.get("download_button")
    _go(at, "plan")
    planned(at)
    assert any("Start" in d.value.columns for d in at.dataframe)

    _load(at, "gloucester-2015")
    lancaster = {s.name for s in load_programme(ROOT / "scenarios" / "lancaster-2011.yaml").services}
    gloucester = {s.name for s in load_programme(ROOT / "scenarios" / "gloucester-2015.yaml").services}
    only_lancaster = lancaster - gloucester
    ids = {s.id for s in load_programme(ROOT / "scenarios" / "lancaster-2011.yaml").services}
    only_lancaster |= ids - {
        s.id for s in load_programme(ROOT / "scenarios" / "gloucester-2015.yaml").services
    }
    assert only_lancaster
    for page in ("sensitivity", "report", "plan"):
        _go(at, page)
        shown = _shown_text(at)
        assert not [name for name in only_lancaster if name in shown], page
        assert any("have changed since" in w.value for w in at.warning), page
    _go(at, "report")
    assert not at.get("download_button")  # a stale report can never be downloaded
    # recomputing on the new inputs brings the downloads back
    at.number_input(key="report.draws").set_value(100)
    report_written(at.button(key="report.make").click().run())
    assert len(at.get("download_button")) == 4 and not at.warning


def _upload(at: AppTest, text: str) -> None:
    at.radio(key="programme.source").set_value("my own file").run()
    at.file_uploader(key="programme.upload").set_value(("mine.yaml", text.encode(), "application/x-yaml"))
    at.run()
    assert not at.exception
    assert at.success[0].value == "mine.yaml is valid."


def test_uploading_the_same_name_with_a_changed_cost_shows_the_new_figure(app):
    at = app
    text = (ROOT / "tests" / "data" / "small.yaml").read_text()
    _upload(at, text)
    costs = dict(zip(at.dataframe[1].value["service"], at.dataframe[1].value["annual cost"], strict=True))
    assert costs["HR"] == "£100,000"
    changed = text.replace("annual_cost: 100000, fte: 3", "annual_cost: 123456, fte: 3")
    assert changed != text
    _upload(at, changed)
    costs = dict(zip(at.dataframe[1].value["service"], at.dataframe[1].value["annual cost"], strict=True))
    assert costs["HR"] == "£123,456"
    assert "123456" in at.session_state["programme.current"]["yaml"]


def test_reset_weights_moves_the_sliders_back_and_they_stay_there(app):
    at = _go(app, "priorities")
    impact = "priorities.weight.default.impact"
    given = next(c.weight for c in RULES.criteria if c.id == "impact")
    at.slider(key=impact).set_value(0.0).run()
    assert at.session_state["whatif.current"]["weights"] == {"impact": 0.0}
    at.button(key="priorities.reset").click().run()
    assert at.slider(key=impact).value == given
    # the app tells the browser to move the slider: without this the browser keeps showing, and
    # sends back on the next interaction, the weight it had before the reset
    assert at.slider(key=impact).proto.set_value
    at.radio(key="priorities.method").set_value("topsis").run()  # the next interaction
    assert at.slider(key=impact).value == given
    assert at.session_state["whatif.current"]["weights"] == {}


def _edit_cells(at: AppTest, key: str, edited: dict[int, dict[str, float]]) -> None:
    """Send edits of a data editor's cells with the next run, as the browser does (AppTest cannot
    edit a data editor itself): the widget's state is its edited rows (all of them) as JSON."""
    editor = next(d for d in at.data_editor if d.proto.form_id == "" and key in d.proto.id)
    tree = at._tree
    states = tree.get_widget_states

    def with_edit():  # type: ignore[no-untyped-def]
        found = states()
        state = WidgetState(id=editor.proto.id)
        state.string_value = json.dumps(
            {
                "edited_rows": {str(r): cells for r, cells in edited.items()},
                "added_rows": [],
                "deleted_rows": [],
            }
        )
        found.widgets.append(state)
        return found

    tree.get_widget_states = with_edit  # type: ignore[method-assign]


def test_one_click_after_a_capacity_edit_plans_with_the_edit_and_says_why_nothing_changes(app):
    at = _go(app, "plan")
    planned(at)
    assert at.get("plotly_chart")  # as given, the plan changes services
    programme = load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")
    _edit_cells(at, "plan.capacities", {row: {"capacity": 0.0} for row in range(len(programme.resources))})
    planned(at)  # one click, in the run that carries the edit
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["whatif.current"]["capacities"] == {p.id: 0.0 for p in programme.resources}
    assert not any("have changed since" in w.value for w in at.warning)
    info = at.info[0].value
    assert "no change fits the capacity" in info.lower()
    assert "no change scores better" not in _shown_text(at)
    payback = next(m for m in at.metric if m.label == "Payback")
    assert payback.value == "none" and "No change, so no payback" in payback.proto.help  # never cut short
    # a service that would change if it could fit says so, with the limit to raise
    assert any("cannot fit" in m.value for m in at.markdown)


@pytest.mark.slow
def test_a_what_if_saved_on_gloucester_is_not_offered_on_essex(app):
    at = _go(app, "compare")
    at.text_input(key="compare.name").set_value("glos only").run()
    at.button(key="compare.save").click().run()
    assert "saved: glos only" in at.multiselect(key="compare.pick").options
    _load(at, "essex-2010")
    _go(at, "compare")
    picker = at.multiselect(key="compare.pick")
    assert not [o for o in picker.options if o.startswith("saved:")]
    assert not [v for v in picker.value if v.startswith("saved:")]
    assert not at.error
    _load(at, "gloucester-2015")  # back on Gloucester, its what-if is there again
    _go(at, "compare")
    assert "saved: glos only" in at.multiselect(key="compare.pick").options


def test_the_decisions_count_refreshes_when_a_decision_is_recorded(app):
    at = _go(app, "decisions")
    at.button(key="decisions.save").click().run()
    runs = next(d.value for d in at.dataframe if "Decisions" in d.value.columns)
    assert list(runs["Decisions"]) == [0]
    at.text_input(key="decisions.by").set_value("Democratic Services")
    at.text_input(key="decisions.body").set_value("Cabinet, 17 June 2015")
    at.text_area(key="decisions.decision").set_value("approved")
    at.button[-1].click().run()
    assert not at.exception
    runs = next(d.value for d in at.dataframe if "Decisions" in d.value.columns)
    assert list(runs["Decisions"]) == [1]
    assert at.success and "Recorded" in at.success[-1].value


def test_the_decisions_page_uses_the_configured_store_without_asking_for_a_url(app):
    at = _go(app, "decisions")
    assert [t.label for t in at.text_input] == []  # the form's fields come only once a run is stored
    at.button(key="decisions.save").click().run()
    assert at.success[0].value == "Stored as run 1."
    assert [t.label for t in at.text_input] == ["Recorded by", "Body and date, e.g. Cabinet, 17 June 2015"]


def test_a_store_that_cannot_be_opened_gets_a_plain_message(monkeypatch, tmp_path):
    monkeypatch.setenv("SSPLAN_DB", "nonsense://what")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _go(at, "decisions")
    message = at.error[0].value
    assert "cannot be used" in message and "SSPLAN_DB" in message
    assert "sqlalche" not in message.lower() and "http" not in message


def test_a_rule_file_edited_while_the_app_runs_is_read_again_and_its_old_results_not_reused(
    tmp_path, monkeypatch
):
    """The rule set, the what-if's result and a finished plan are kept by the rule file's content,
    not its name: a weight edited in ``rules/default.yaml`` changes what the app scores and plans."""
    monkeypatch.syspath_prepend(str(ROOT / "ui"))
    import common

    folder = tmp_path / "rules"
    folder.mkdir()
    for path in (ROOT / "rules").glob("*.yaml"):
        (folder / path.name).write_text(path.read_text())
    monkeypatch.setattr(common, "shipped_dir", lambda kind: folder if kind == "rules" else ROOT / kind)
    name = "gloucester-2015"
    text = (ROOT / "scenarios" / f"{name}.yaml").read_text()
    scenario_json = common.scenario_of(common.default_whatif()).model_dump_json()

    before = common.run_whatif(text, name, scenario_json)
    first = common.rules_of("default").criteria[0]
    rules_file = folder / "default.yaml"
    edited = rules_file.read_text().replace(f"weight: {first.weight:g}\n", "weight: 1\n", 1)
    assert edited != rules_file.read_text()
    rules_file.write_text(edited)

    assert common.rules_of("default").criteria[0].weight == 1  # read again, not the kept copy
    after = common.run_whatif(text, name, scenario_json)
    assert after is not before
    assert after.scores.weights[first.id] < before.scores.weights[first.id]
