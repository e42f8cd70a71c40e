"""The app's Partner exit page stress-tests the what-if on screen (audit point 16b: on a what-if
that kept a service as it is, "NPV before" was the plain programme's plan, not the what-if's)."""

from __future__ import annotations

from engine.appraisal.exit import partner_exit
from engine.appraisal.scenario import Scenario
from engine.io.load import load_programme
from engine.present.summary import money
from tests.test_ui import GLOUCESTER, RULES, _go, _table, gloucester_app  # noqa: F401  (the fixture)


def test_the_exit_page_compares_the_what_if_on_screen_before_and_after(gloucester_app):  # noqa: F811
    at = _go(gloucester_app, "exit")
    at.session_state["whatif.current"]["force_out"] = ["hr"]
    at.selectbox(key="exit.partner").set_value("Gloucestershire County Council").run()
    at.button(key="exit.run").click().run()
    assert not at.exception
    programme = load_programme(GLOUCESTER)
    whatif = Scenario(name="what-if", base="(on screen)", force_out=("hr",))
    expected = partner_exit(programme, RULES, "glos-cc", whatif=whatif)
    plain = partner_exit(programme, RULES, "glos-cc")
    shown = _table(at, "partner", "NPV before", "NPV after").set_index("partner")
    city = programme.partner("gcc").name
    before = dict((p, b) for p, b, _ in expected.npv_by_partner())["gcc"]
    assert before is not None and shown.loc[city, "NPV before"] == money(before)
    assert shown.loc[city, "NPV before"] != money(dict((p, b) for p, b, _ in plain.npv_by_partner())["gcc"])
    at.session_state["whatif.current"]["force_out"] = []  # the what-if changed: the answer is old
    at.run()
    assert any("run it again" in w.value for w in at.warning)
