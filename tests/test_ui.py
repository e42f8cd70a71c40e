"""The Streamlit app, page by page, through Streamlit's AppTest: what it shows is what the engine says."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from engine.appraisal.scenario import Scenario, prepare_scenario, run_scenario
from engine.appraisal.sensitivity import weight_sensitivity
from engine.io.load import load_programme
from engine.programme.naming import option_name
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import ROOT
from tests.report_wait import filled_in, planned, report_written

APP = str(ROOT / "ui" / "app.py")
GLOUCESTER = ROOT / "scenarios" / "gloucester-2015.yaml"
RULES = load_ruleset(ROOT / "rules" / "default.yaml")


def _app() -> AppTest:
    """The app on its Programme page (the first visit opens on Home: see test_words_ui)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return _go(at, "programme")


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _table(at: AppTest, *columns: str):
    """The first table on the page that has these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.fixture
def gloucester_app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    return _app()


def test_programme_page_loads_gloucester_first(gloucester_app):
    at = gloucester_app
    assert at.title[0].value == "Programme"
    assert at.selectbox(key="programme.pick").value == "gloucester-2015"
    programme = load_programme(GLOUCESTER)
    services = at.dataframe[1].value
    assert list(services["service"]) == [s.name for s in programme.services]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Services"] == str(len(programme.services))
    options = at.dataframe[2].value
    hr_bureau = options[options["option"] == "outsourced with Private HR and payroll bureau"].iloc[0]
    assert hr_bureau["annual cost"] == "[exempt]"  # confidential prices are not shown


def test_a_broken_upload_shows_where_and_keeps_the_last_good_programme(gloucester_app):
    at = gloucester_app
    at.radio(key="programme.source").set_value("my own file").run()
    broken = GLOUCESTER.read_text().replace("annual_cost: 262000", "annual_cost: -262000", 1)
    assert broken != GLOUCESTER.read_text()
    at.file_uploader(key="programme.upload").set_value(("broken.yaml", broken.encode(), "application/x-yaml"))
    at.run()
    assert not at.exception
    assert "broken.yaml cannot be used" in at.error[0].value
    problems = at.dataframe[0].value
    row = problems.iloc[0]
    assert row["File"] == "broken.yaml" and row["Where"].startswith("line ") and "annual_cost" in row["Field"]
    gloucester = load_programme(GLOUCESTER).name  # the programme's name, not its file's
    assert f"Still working on **{gloucester}**" in at.caption[0].value
    assert at.session_state["programme.current"]["name"] == "gloucester-2015"


def test_a_good_upload_replaces_the_programme(gloucester_app):
    at = gloucester_app
    at.radio(key="programme.source").set_value("my own file").run()
    essex = ROOT / "scenarios" / "essex-2010.yaml"
    at.file_uploader(key="programme.upload").set_value(
        ("essex.yaml", essex.read_bytes(), "application/x-yaml")
    )
    at.run()
    assert at.success[0].value == "essex.yaml is valid."
    assert at.session_state["programme.current"]["name"] == "essex.yaml"


def test_moving_a_weight_reranks_as_the_engine_does(gloucester_app):
    at = _go(gloucester_app, "priorities")
    programme = load_programme(GLOUCESTER)
    before = at.dataframe[0].value
    expected = score(programme, RULES).services
    assert list(before["Service"]) == list(expected["name"])
    at.slider(key="priorities.weight.default.impact").set_value(0.0).run()
    after = at.dataframe[0].value
    moved = score(programme, RULES, weights={"impact": 0.0}).services
    assert list(after["Service"]) == list(moved["name"])
    assert list(after["Recommended"]) == [option_name(programme, o) for o in moved["recommended"]]
    assert list(after["Service"]) != list(before["Service"])  # the weight matters here
    # the edit survives a visit to another page
    _go(at, "plan")
    _go(at, "priorities")
    assert at.slider(key="priorities.weight.default.impact").value == 0.0


def test_planning_shows_the_engines_schedule(gloucester_app):
    at = _go(gloucester_app, "plan")
    planned(at)
    assert not at.exception
    programme = load_programme(GLOUCESTER)
    loaded = prepare_scenario(
        Scenario(name="what-if", base="(on screen)"), programme, RULES, ROOT / "what-if.yaml"
    )
    expected = run_scenario(loaded).plan.to_frame()
    shown = _table(at, "Service", "Start", "Finish")
    assert list(shown["Service"]) == list(expected["service_name"])
    assert list(shown["Start"]) == list(expected["start_label"])
    assert at.subheader[0].value == "Plan: optimal"
    assert any(m.label == "Net present value" for m in at.metric)


def test_a_plan_that_changes_nothing_says_so(gloucester_app):
    at = _go(gloucester_app, "plan")
    at.multiselect(key="plan.force_out").set_value([s.id for s in load_programme(GLOUCESTER).services]).run()
    planned(at)
    assert not at.exception
    assert "every service stays as it is" in at.info[0].value
    assert not at.get("plotly_chart")


def test_an_impossible_capacity_gets_advice(gloucester_app):
    at = _go(gloucester_app, "plan")
    at.multiselect(key="plan.force_in").set_value(["ict", "property", "hr", "payroll"]).run()
    editor = at.session_state["whatif.current"]
    editor["capacities"] = {pool.id: 0.0 for pool in load_programme(GLOUCESTER).resources}
    planned(at)
    assert not at.exception
    assert "infeasible" in at.subheader[0].value
    assert at.markdown  # the advice lines


def test_compare_a_saved_what_if_with_a_shipped_scenario(gloucester_app):
    at = _go(gloucester_app, "compare")
    at.text_input(key="compare.name").set_value("no HR").run()
    at.session_state["whatif.current"]["force_out"] = ["hr"]
    at.button(key="compare.save").click().run()
    at.multiselect(key="compare.pick").set_value(["saved: no HR", "shipped: county-first"]).run()
    filled_in(at)  # the switching values are worked out beside the page
    assert not at.exception
    summary = at.dataframe[0].value
    assert list(summary.columns) == ["no HR", "County first (the MoU default)"]
    assert summary.loc["NPV (£)"].str.fullmatch(r"-?£\d{1,3}(,\d{3})*").all()  # £ with separators
    # Gloucester's exceptions all rest on confidential prices: their switching values stay out
    assert any("exempt appendix" in c.value for c in at.caption)
    assert not any("What would flip it" in d.value.columns for d in at.dataframe)
    hr = load_programme(GLOUCESTER).service("hr").name
    assert any(hr in m.value and "→" in m.value for m in at.markdown)


def test_sensitivity_matches_the_engine_for_the_seed(gloucester_app):
    at = _go(gloucester_app, "sensitivity")
    at.number_input(key="sensitivity.draws").set_value(300)
    at.number_input(key="sensitivity.seed").set_value(4)
    at.button(key="sensitivity.run").click().run()
    assert not at.exception
    expected = weight_sensitivity(load_programme(GLOUCESTER), RULES, draws=300, seed=4)
    shown = _table(at, "Same recommendation")
    assert list(shown["Same recommendation"]) == [
        100 * p for p in expected.services["P(same recommendation)"]
    ]


def test_report_page_offers_the_downloads(gloucester_app):
    at = _go(gloucester_app, "report")
    at.number_input(key="report.draws").set_value(100)
    report_written(at.button(key="report.make").click().run())
    assert not at.exception
    files = at.session_state["report.files"][1]  # (inputs key, files)
    assert files["public"][:2] == b"PK" and files["exempt"][:2] == b"PK" and files["xlsx"][:2] == b"PK"
    assert files["csv"].decode().startswith("service,")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Cabinet report (.docx)",
        "Exempt appendix — NOT FOR PUBLICATION (.docx)",
        "Plan (.xlsx)",
        "Plan data (.csv)",
    ]


def test_decisions_are_stored_and_listed(gloucester_app):
    at = _go(gloucester_app, "decisions")
    assert at.info[0].value == "No runs stored yet."
    at.button(key="decisions.save").click().run()
    assert at.success[0].value == "Stored as run 1."
    at.text_input(key="decisions.by").set_value("Democratic Services")
    at.text_input(key="decisions.body").set_value("Cabinet, 17 June 2015")
    at.text_area(key="decisions.decision").set_value("approved county-first")
    at.button[-1].click().run()
    assert not at.exception
    assert any("Cabinet, 17 June 2015" in m.value and "approved county-first" in m.value for m in at.markdown)


def test_with_login_on_nothing_shows_before_sign_in(monkeypatch):
    monkeypatch.setenv("SSPLAN_LOGIN", "oidc")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe and not at.metric and "programme.current" not in at.session_state
    signed = AppTest.from_file(APP, default_timeout=60)
    signed.user = {"is_logged_in": True, "name": "A Director", "email": "director@example.gov.uk"}
    signed.run()
    assert (
        signed.title[0].value.startswith("ssplan")
        and "Signed in as A Director" in signed.sidebar.caption[0].value
    )


def test_password_login_shows_nothing_until_the_right_password(monkeypatch, tmp_path):
    stauth = pytest.importorskip("streamlit_authenticator")
    import yaml

    credentials = {
        "credentials": {
            "usernames": {
                "director": {
                    "email": "director@example.gov.uk",
                    "first_name": "A",
                    "last_name": "Director",
                    "password": stauth.Hasher.hash("s3cret-pass"),
                }
            }
        },
        "cookie": {"name": "ssplan", "key": "k" * 32, "expiry_days": 1},
    }
    path = tmp_path / "credentials.yaml"
    path.write_text(yaml.safe_dump(credentials))
    monkeypatch.setenv("SSPLAN_LOGIN", "password")
    monkeypatch.setenv("SSPLAN_CREDENTIALS", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.dataframe and "programme.current" not in at.session_state
    at.text_input[0].set_value("director")
    at.text_input[1].set_value("wrong")
    at.button[0].click().run()
    assert not at.dataframe and at.error[0].value == "Username or password is incorrect."
    at.text_input[1].set_value("s3cret-pass")
    at.button[0].click().run()
    assert not at.exception and at.title[0].value.startswith("ssplan") and at.info  # home, the sample loaded


def _upload_small(at: AppTest, extra: str = "") -> None:
    text = (ROOT / "tests" / "data" / "small.yaml").read_text() + extra
    text = text.replace(
        "annual_cost: 75000, duration: 3", "one_off_cost: 9000, annual_cost: 75000, duration: 3"
    )
    at.radio(key="programme.source").set_value("my own file").run()
    at.file_uploader(key="programme.upload").set_value(("small.yaml", text.encode(), "application/x-yaml"))
    at.run()
    assert at.success[0].value == "small.yaml is valid."


def test_capacity_by_period_and_budget_by_year_reach_the_plan(gloucester_app):
    at = gloucester_app
    _upload_small(at, "budget: {per_financial_year: 20000}\n")
    _go(at, "plan")
    windows = _table(at, "window", "capacity")
    assert len(windows) == 12 and windows.set_index("window").loc["Aug 2016", "capacity"] == 2.0
    budget = _table(at, "financial year", "budget")
    assert list(budget["financial year"]) == ["2016/17"] and budget["budget"].iloc[0] == 20000.0
    planned(at)
    small = load_programme(ROOT / "tests" / "data" / "small.yaml")
    other, county = option_name(small, "hr-other"), option_name(small, "hr-county")
    assert other in list(_table(at, "Service", "Change")["Change"])  # its £9,000 fits the year's £20,000
    first = _table(at, "Service", "Change", "Start").set_index("Change").loc[other, "Start"]
    assert first == "Apr 2016"
    edits = at.session_state["whatif.current"]
    edits["capacity_overrides"] = {"pm": {"2016-04": 0.0, "2016-05": 0.0, "2016-08": 2.0}}
    planned(at)
    later = _table(at, "Service", "Change", "Start").set_index("Change").loc[other, "Start"]
    assert later == "Jun 2016"  # no project-manager days in April or May
    edits["budget"] = {"per_financial_year": 20000.0, "overrides": {"2016/17": 5000.0}}
    planned(at)
    assert not at.exception
    schedule = _table(at, "Service", "Change", "Start")
    assert not {other, county} & set(schedule["Change"])  # £9,000 or £10,000 > the year's £5,000


def test_an_uploaded_lead_council_programme_shows_who_leads_what(gloucester_app):
    at = gloucester_app
    at.radio(key="programme.source").set_value("my own file").run()
    lead = ROOT / "tests" / "data" / "lead-councils.yaml"
    at.file_uploader(key="programme.upload").set_value(("lead.yaml", lead.read_bytes(), "application/x-yaml"))
    at.run()
    assert not at.exception
    partners = _table(at, "partner", "leads")
    leads = dict(zip(partners["partner"], partners["leads"], strict=True))
    assert leads["South District Council"] == "Legal services"
    services = _table(at, "service", "expected provider")
    assert list(services["expected provider"]) == [
        "North District Council",
        "South District Council",
        "West Borough Council",
    ]


def test_the_exit_page_gives_the_engines_stress_test_and_marks_a_changed_question(gloucester_app):
    from engine.appraisal.exit import partner_exit
    from engine.present.summary import money

    at = _go(gloucester_app, "exit")
    at.selectbox(key="exit.partner").set_value("Gloucestershire County Council").run()
    at.button(key="exit.run").click().run()
    assert not at.exception
    expected = partner_exit(load_programme(GLOUCESTER), RULES, "glos-cc")
    shown = _table(at, "partner", "NPV before", "NPV after").set_index("partner")
    for partner, before, _after in expected.npv_by_partner():
        name = expected.before.loaded.programme.partner(partner).name
        assert shown.loc[name, "NPV before"] == money(before)
    assert shown.loc["Gloucestershire County Council", "NPV after"] == "left the programme"
    assert any("It provides:" in m.value for m in at.markdown)
    at.toggle(key="exit.dated").set_value(True).run()  # a different question: the old answer is marked
    assert any("run it again" in w.value for w in at.warning)
    assert not any("NPV before" in d.value.columns for d in at.dataframe)


def test_an_uploaded_staged_programme_shows_which_option_each_stage_follows(gloucester_app):
    at = gloucester_app
    at.radio(key="programme.source").set_value("my own file").run()
    staged = ROOT / "tests" / "data" / "staged.yaml"
    at.file_uploader(key="programme.upload").set_value(
        ("staged.yaml", staged.read_bytes(), "application/x-yaml")
    )
    at.run()
    assert not at.exception
    options = _table(at, "option", "follows")
    follows = dict(zip(options["option"], options["follows"], strict=True))
    programme = load_programme(staged)
    shared, company = option_name(programme, "legal-shared"), option_name(programme, "legal-company")
    assert follows == {"keep as it is": "", shared: "", company: shared}
    assert dict(zip(options["option"], options["duration"], strict=True))[company] == 36


def test_priorities_flags_assumed_values_and_states_the_tie_rule(gloucester_app):
    at = _go(gloucester_app, "priorities")
    captions = " ".join(c.value for c in at.caption)
    assert "10 of 21 options rest partly on assumed values" in captions
    assert "scores within 0.005 of each other are effectively equal" in captions
    ranking = _table(at, "Service", "Tied with")
    flagged = {s: t for s, t in zip(ranking["Service"], ranking["Tied with"], strict=True) if t}
    # scored from today, HR and building control gain within 0.005 of each other: flagged both ways
    assert len(flagged) == 2 and all(t for t in flagged.values())


def test_report_page_offers_no_exempt_appendix_when_nothing_is_exempt(gloucester_app):
    """Essex has no confidential figure: no "NOT FOR PUBLICATION" appendix is made or offered."""
    at = gloucester_app
    at.selectbox(key="programme.pick").set_value("essex-2010")
    at.button(key="programme.load").click().run()
    at = _go(at, "report")
    at.number_input(key="report.draws").set_value(100)
    report_written(at.button(key="report.make").click().run())
    assert not at.exception
    assert at.session_state["report.files"][1]["exempt"] is None
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Cabinet report (.docx)", "Plan (.xlsx)", "Plan data (.csv)"]


@pytest.mark.slow
def test_the_report_pages_plan_workbook_is_the_public_plan(gloucester_app):
    """The app's Plan (.xlsx) wrote the plan's reasons as they were worked out, exempt figures and
    all ("lowers the best plan's objective by 0.2741 value points"): it is the public plan's now."""
    import io

    from openpyxl import load_workbook

    from engine.appraisal.public import public_plan
    from engine.appraisal.scenario import load_scenario

    raw = run_scenario(
        load_scenario(ROOT / "scenarios" / "gloucester-2015" / "tight-capacity.yaml"), reasons=True
    )
    at = _go(gloucester_app, "report")
    edits = at.session_state["whatif.current"]
    edits["capacities"] = {pool: c.capacity for pool, c in raw.loaded.scenario.capacities.items()}
    edits["capacity_overrides"] = {pool: c.overrides for pool, c in raw.loaded.scenario.capacities.items()}
    at.number_input(key="report.draws").set_value(100)
    report_written(at.button(key="report.make").click().run())
    assert not at.exception
    book = load_workbook(io.BytesIO(at.session_state["report.files"][1]["xlsx"]))
    shown = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    programme = load_programme(GLOUCESTER)
    public = public_plan(raw.plan, False, raw.scores)
    kept = {f"Kept as it is: {programme.service(s).name}": why for s, why in public.left_out.items()}
    assert kept and all(shown[item] == why for item, why in kept.items())
    assert any(raw.plan.left_out[s] != why for s, why in public.left_out.items())  # the test can fail
