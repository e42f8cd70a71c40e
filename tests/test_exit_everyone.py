"""The partner exit stress test for every partner of every shipped programme, and the cases a
browser audit found failing: Riverside's City (changes already made with it, a later stage of its
option), Gloucester's City (the remainder of a pool's days it paid for), Lancaster's City (every
service its own), and the what-if on screen compared like with like (Essex, Tier one kept)."""

from __future__ import annotations

import json

import pytest

from engine.appraisal.exit import partner_exit
from engine.appraisal.scenario import Scenario, prepare_scenario, run_scenario
from engine.io.load import load_programme
from engine.io.shipped import shipped_programmes, shipped_rules
from engine.present.exit import exit_json, exit_text
from engine.rules.ruleset import load_ruleset
from tests.conftest import ROOT

RULES = load_ruleset(shipped_rules())
SCENARIOS = ROOT / "scenarios"
EVERYONE = [
    pytest.param(path, partner.id, id=f"{path.stem}-{partner.id}")
    for path in shipped_programmes()
    for partner in load_programme(path).partners
]


@pytest.mark.parametrize(("path", "partner"), EVERYONE)
def test_every_partner_of_every_shipped_programme_can_leave(path, partner):
    """No partner's exit is refused: a plan is made without it (or nothing is left to plan, said
    so), and the words and JSON are written from the answer."""
    analysis = partner_exit(load_programme(path), RULES, partner)
    status = analysis.after_status()
    assert status.startswith("optimal") or status == "nothing left to plan", status
    leaver = [after for p, _, after in analysis.npv_by_partner() if p == partner]
    assert leaver in ([], [None])  # it has left: no NPV after
    assert "leaves the programme now" in exit_text(analysis)
    assert json.loads(json.dumps(exit_json(analysis)))["plan_after"] == status


def test_every_shipped_programme_is_covered():
    assert {p.stem for p in shipped_programmes()} >= {
        "gloucester-2015",
        "essex-2010",
        "lancaster-2011",
        "riverside-2012",
        "three-vales-2016",
    }
    assert len(EVERYONE) >= 21


def test_riverside_without_the_city_drops_what_named_its_options_and_says_so():
    """The City hosts ICT, HR and payroll and legal, and the company's legal option follows its own:
    all go with it. The actuals of its three changes are history (two live, one in progress), so
    the three services need a decision again; the rest is re-split as the Marsh council's."""
    programme = load_programme(SCENARIOS / "riverside-2012.yaml")
    analysis = partner_exit(programme, RULES, "city")
    assert analysis.after is not None and analysis.after.plan.plan is not None
    after = analysis.after.loaded.programme
    assert after.actuals == ()
    options = {o.id for o in after.options}
    assert not options & {"hr-city", "legal-city", "legal-company", "ict-city", "erp-shared"}
    ict = after.service("ict")
    assert ict.owner == "marsh" and ict.shares == {"marsh": 1.0}
    assert ict.annual_cost == pytest.approx(1_600_000 * 0.45)  # the City's 55 % left with it
    assert after.partner("riverside-legal").owners == ("marsh",)
    assert [t.by for t in after.resource("programme-days").funding] == [("marsh",)]
    history = [n for n in analysis.notes() if n.startswith("the change of")]
    assert history == [
        "the change of HR and payroll to Riverside City Council, live since 1 January 2013, is history: "
        "what it cost is spent, and HR and payroll needs a decision again",
        "the change of Legal services to Riverside City Council, live since 1 January 2013, is history: "
        "what it cost is spent, and Legal services needs a decision again",
        "the change of ICT to Riverside City Council, in progress since 1 April 2013, stops: "
        "what was spent is spent, and ICT needs a decision again",
    ]
    assert "the MoU's exception rule no longer applies" in analysis.notes()[0]
    npv = {p: (b, a) for p, b, a in analysis.npv_by_partner()}
    assert npv["city"][1] is None and npv["marsh"][1] is not None


def test_an_actual_of_an_option_that_stays_stays():
    """Marsh leaving Riverside takes no option of the City's: the three actuals stay as recorded."""
    programme = load_programme(SCENARIOS / "riverside-2012.yaml")
    analysis = partner_exit(programme, RULES, "marsh")
    assert analysis.after is not None
    assert analysis.after.loaded.programme.actuals == programme.actuals
    assert not [n for n in analysis.notes() if n.startswith("the change of")]


def test_the_remainder_of_a_pool_the_leaver_paid_passes_to_the_payers_before_it():
    """Gloucester's AMEO days: the County pays the first 20, the City the rest. The City leaves:
    the County's tranche becomes the whole (a priced pool must say who pays the rest), said so."""
    programme = load_programme(SCENARIOS / "gloucester-2015.yaml")
    analysis = partner_exit(programme, RULES, "gcc")
    assert analysis.after is not None
    funding = analysis.after.loaded.programme.resource("ameo-days").funding
    assert [(t.by, t.first) for t in funding] == [(("glos-cc",), None)]
    assert (
        "the AMEO consultancy days Gloucester City Council paid for alone are paid by "
        "Gloucestershire County Council"
    ) in analysis.notes()


def test_a_partner_that_owns_every_service_leaves_nothing_to_plan(capsys):
    """Lancaster City Council owns all three services: without it nothing is left to share; the
    others are as they are today (£0), and the command answers rather than failing."""
    path = SCENARIOS / "lancaster-2011.yaml"
    analysis = partner_exit(load_programme(path), RULES, "lancaster")
    assert analysis.after is None and analysis.after_status() == "nothing left to plan"
    assert analysis.after_advice() == [] and analysis.left_behind() == []
    assert analysis.notes() == [
        "every service of the programme is Lancaster City Council's own, so none is left to share or plan"
    ]
    assert all(after == (None if p == "lancaster" else 0.0) for p, _, after in analysis.npv_by_partner())
    from engine.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["exit", str(path), "lancaster", "--format", "json"])
    assert exited.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["plan_after"] == "nothing left to plan"


def test_the_stress_test_of_a_what_if_compares_the_what_if_before_and_after():
    """Essex with Tier one management kept as it is: "before" is that what-if's plan (Braintree
    £592,679 in the audit), not the programme's (£3,031,001), and "after" keeps it as it is too."""
    programme = load_programme(SCENARIOS / "essex-2010.yaml")
    whatif = Scenario(name="Tier one kept", base="(on screen)", force_out=("management",))
    analysis = partner_exit(programme, RULES, "essex-cc", whatif=whatif)
    alone = run_scenario(prepare_scenario(whatif, programme, RULES, SCENARIOS / "essex-2010.yaml"))
    assert alone.finance is not None
    expected = alone.finance.by_partner.set_index("partner")["npv"]
    before = {p: b for p, b, _ in analysis.npv_by_partner()}
    for partner in ("braintree", "brentwood", "essex-cc"):
        assert before[partner] == pytest.approx(float(expected[partner]), abs=0.01)
    assert round(before["braintree"]) == 592_679
    plain = partner_exit(programme, RULES, "essex-cc")
    assert round(dict((p, b) for p, b, _ in plain.npv_by_partner())["braintree"]) == 3_031_001
    assert analysis.after is not None and analysis.after.plan.plan is not None
    assert "management" not in {a.service for a in analysis.after.plan.plan.assignments}
    assert "management" in analysis.after.loaded.settings.force_out


def test_a_what_if_naming_what_leaves_keeps_only_what_stays():
    """Riverside with legal fixed to the company's option and HR forced in: the City leaves, taking
    both options; the exit drops the fix and forcing that name them, and plans."""
    programme = load_programme(SCENARIOS / "riverside-2012.yaml")
    whatif = Scenario(
        name="legal to the company",
        base="(on screen)",
        fix_option={"legal": "legal-company"},
        fix_provider={"hr-payroll": "city"},
        objective="savings",
    )
    analysis = partner_exit(programme, RULES, "city", whatif=whatif)
    assert analysis.after is not None and analysis.after.plan.plan is not None
    settings = analysis.after.loaded.settings
    assert settings.fix_option == {} and settings.fix_provider == {} and settings.objective == "savings"
    assert analysis.before.loaded.settings.fix_option == {"legal": "legal-company"}


def test_a_partner_the_what_if_already_removed_is_refused_by_name():
    """The what-if takes Hillside out; asking for Hillside's exit from it is an input error."""
    from engine.appraisal.overrides import Removals
    from engine.base.errors import InputError

    programme = load_programme(SCENARIOS / "riverside-2012.yaml")
    whatif = Scenario(name="no Hillside", base="(on screen)", remove=Removals(partners=("hillside",)))
    with pytest.raises(InputError, match="unknown partner `hillside`"):
        partner_exit(programme, RULES, "hillside", whatif=whatif)


def test_the_command_on_a_scenario_stress_tests_its_what_if(capsys):
    """`ssplan exit SCENARIO PARTNER`: "before" is the scenario's own plan (Riverside dissolving)."""
    from engine.appraisal.scenario import load_scenario
    from engine.cli import main

    path = SCENARIOS / "riverside-2012" / "dissolution.yaml"
    with pytest.raises(SystemExit) as exited:
        main(["exit", str(path), "city", "--format", "json"])
    assert exited.value.code in (0, None)
    payload = json.loads(capsys.readouterr().out)
    own = run_scenario(load_scenario(path))
    assert own.finance is not None
    expected = own.finance.by_partner.set_index("partner")["npv"]
    before = {row["partner"]: row["before"] for row in payload["npv_by_partner"]}
    assert before["marsh"] == pytest.approx(float(expected["marsh"]), abs=0.01)


def test_doing_nothing_under_a_dated_exit_changes_only_what_the_exit_must():
    """A do-nothing what-if with the County leaving on a date was 'infeasible: services both forced
    in and out'; now it keeps every other service as it is and tells the exit's own limits, the
    same as the programme's exit does (Gloucester's audit and communications have no other provider)."""
    from datetime import date

    programme = load_programme(SCENARIOS / "gloucester-2015.yaml")
    whatif = Scenario(name="do nothing", base="(on screen)", do_nothing=True)
    at = date(2016, 4, 1)
    analysis = partner_exit(programme, RULES, "glos-cc", at=at, whatif=whatif)
    plain = partner_exit(programme, RULES, "glos-cc", at=at)
    assert not any("both forced in and out" in a for a in analysis.after_advice())
    assert analysis.after_advice() == plain.after_advice()
    assert not any("`" in a for a in analysis.after_advice())  # names, not ids
    settings = analysis.after.loaded.settings if analysis.after else None
    assert settings is not None and set(settings.force_out) == {s.id for s in programme.services} - set(
        settings.force_in
    )


def test_a_dated_exit_drops_a_fix_to_the_partner_that_leaves():
    """HR fixed to the bureau, the bureau leaving on 1 January 2016: the fix goes with it (it made
    the plan after 'infeasible: service `hr` must change but has no option')."""
    from datetime import date

    programme = load_programme(SCENARIOS / "gloucester-2015.yaml")
    whatif = Scenario(name="HR bureau", base="(on screen)", fix_provider={"hr": "hr-bureau"})
    analysis = partner_exit(programme, RULES, "hr-bureau", at=date(2016, 1, 1), whatif=whatif)
    assert analysis.after is not None and analysis.after.plan.plan is not None
    assert analysis.after.loaded.settings.fix_provider == {}
    assert analysis.before.loaded.settings.fix_provider == {"hr": "hr-bureau"}
