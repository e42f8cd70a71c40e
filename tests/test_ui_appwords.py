"""What the browser audit of the app found (issue 18): the app's own words, through AppTest — the
switch for withheld figures named in place of a command-line flag, no "None" in a table, names
not file names, payback not cut short, the programme kept in the address across a reload, and no
server path, ISO time or CLI command shown to a director.  The words themselves are tested where
they are made, in tests/test_app_words.py."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from engine.io.load import load_programme
from tests.conftest import ROOT
from tests.report_wait import planned
from tests.test_ui_state import _edit_cells
from tests.test_ui_words import _shown

APP = str(ROOT / "ui" / "app.py")
LANCASTER = load_programme(ROOT / "scenarios" / "lancaster-2011.yaml")
GLOUCESTER = load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("SSPLAN_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    return AppTest.from_file(APP, default_timeout=120)


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _load(at: AppTest, name: str) -> AppTest:
    _go(at, "programme").selectbox(key="programme.pick").set_value(name).run()
    at.button(key="programme.load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "warning", "success", "error")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def test_the_programme_loaded_is_kept_in_the_address_and_a_reload_keeps_it(app):
    at = app
    at.run()
    _load(at, "lancaster-2011")
    assert at.query_params["programme"] == "lancaster-2011"
    reloaded = AppTest.from_file(APP, default_timeout=120)  # a new session, the same address
    reloaded.query_params["programme"] = "lancaster-2011"
    reloaded.run()
    assert not reloaded.exception
    assert reloaded.session_state["programme.current"]["name"] == "lancaster-2011"
    assert LANCASTER.name in reloaded.info[0].value
    assert GLOUCESTER.name not in _texts(reloaded)


def test_an_upload_lost_to_a_reload_is_asked_for_again(app):
    at = app
    at.query_params["uploaded"] = "mine.yaml"
    at.run()
    assert not at.exception
    assert "mine.yaml" in at.warning[0].value and "upload it again" in at.warning[0].value
    assert "mine.yaml" in _go(at, "programme").warning[0].value


@pytest.mark.parametrize(
    "written",
    [
        "x**. [Your session expired: sign in here](https://evil.example/login) **y.yaml",
        "x. [Sign in](https://evil.example/login)",
        "../../etc/passwd",
    ],
)
def test_an_address_cannot_put_words_or_links_in_the_apps_mouth(app, written):
    """Anyone can write an address: ?uploaded= is shown only when it is a file's name, and then as
    words (a link written into it showed as the app's own link inside its warning)."""
    at = app
    at.query_params["uploaded"] = written
    at.run()
    assert not at.exception
    shown = " ".join(w.value for w in at.warning)
    assert "](" not in shown and "evil.example" not in shown and "passwd" not in shown


def test_a_real_file_name_with_spaces_and_brackets_is_still_asked_for(app):
    at = app
    at.query_params["uploaded"] = "Council draft (v2) - Gloucester.yaml"
    at.run()
    words = at.warning[0].value.replace("\\", "")  # markdown_text's backslashes are not shown
    assert "Council draft (v2) - Gloucester.yaml" in words and "upload it again" in words


def test_the_picker_shows_programme_names_and_plan_names_its_programme(app):
    at = app
    at.run()
    picker = _go(at, "programme").selectbox(key="programme.pick")
    assert GLOUCESTER.name in picker.options and "gloucester-2015" not in picker.options
    assert "gloucester-2015.yaml" in picker.proto.help  # the file in the tooltip
    _load(at, "lancaster-2011")
    _go(at, "plan")
    assert "plan.result" not in at.session_state  # before Plan is pressed
    assert any(LANCASTER.name in c.value for c in at.caption)


@pytest.mark.slow  # two plans with their reasons passes: about 2 s alone
def test_lancaster_with_no_capacity_says_why_in_officer_days_and_how_to_see_a_withheld_reason(app):
    at = app
    at.run()
    _load(at, "lancaster-2011")
    planned(_go(at, "plan"))
    _edit_cells(at, "plan.capacities", {row: {"capacity": 0.0} for row in range(len(LANCASTER.resources))})
    planned(at)
    assert not at.exception, [e.message for e in at.exception]
    reasons = [m.value for m in at.markdown if m.value.startswith("- ")]
    ict = next(r for r in reasons if r.startswith("- ICT:"))
    assert "cannot fit" in ict and "officer days" in ict  # not hidden: it rests on no exempt figure
    assert "--include-exempt" not in _texts(at)
    payback = next(m for m in at.metric if m.label == "Payback")
    assert len(payback.value) <= 12 and "no payback" in payback.proto.help


def test_no_table_cell_reads_none_and_no_cli_command_is_shown_on_priorities(app):
    at = app
    at.run()
    _go(at, "priorities")
    exceptions = next(f for f in at.dataframe if "Benchmark NPV" in f.value.columns)
    for column in ("Score", "NPV", "Benchmark NPV"):
        assert set(_shown(exceptions)[column]) == {"withheld"}, column  # Gloucester's are exempt
    _load(at, "lancaster-2011")
    _go(at, "priorities")
    for frame in at.dataframe:
        cells = _shown(frame).to_numpy().ravel().tolist()
        assert not {"None", "nan", "NaN"} & {str(c) for c in cells}
    assert "ssplan" not in _texts(at)


def test_a_saved_weight_set_and_a_decision_read_without_paths_or_iso_times(app):
    at = app
    at.run()
    _go(at, "weights").text_input(key="weights.name").set_value("leader")
    at.text_input(key="weights.by").set_value("The Leader").run()
    at.button(key="weights.save").click().run()
    saved = next(s.value for s in at.success if "saved" in s.value)
    assert f"saved as ‘leader’ for {GLOUCESTER.name}" in saved and "/" not in saved.split("saved")[-1]
    _go(at, "decisions").button(key="decisions.save").click().run()
    at.text_input(key="decisions.by").set_value("Democratic Services")
    at.text_input(key="decisions.body").set_value("Cabinet, 17 June 2015")
    at.text_area(key="decisions.decision").set_value("approved")
    at.button[-1].click().run()
    logged = next(m.value for m in at.markdown if "approved" in m.value)
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", logged) and "T" not in logged.split(",")[-1]
    stored = next(f for f in at.dataframe if "Stored" in f.value.columns).value["Stored"]
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", s) for s in stored)
