"""A lead council per service and an exception policy per client council: who is expected to
provide each service, which options are exceptions, which margin they must clear, who decides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from engine.base.errors import InputError
from engine.io.load import load_programme, parse_programme, save_programme
from engine.programme.model import Programme
from engine.scoring.recommend import mou_choice
from tests.conftest import DATA

LEAD = DATA / "lead-councils.yaml"


@pytest.fixture()
def lead() -> Programme:
    return load_programme(LEAD)


def _data() -> dict:
    return yaml.safe_load(LEAD.read_text())


def _parse(data: dict) -> Programme:
    return parse_programme(yaml.safe_dump(data), "lead.yaml")


def test_each_service_is_expected_of_its_lead_council(lead: Programme):
    assert [lead.expected_provider(s).id for s in lead.services] == ["north", "south", "west"]
    assert lead.default_provider is None


def test_an_exception_is_any_provider_but_the_lead_or_the_owner(lead: Programme):
    exceptions = {o.id for o in lead.options if lead.is_exception(o)}
    # legal-north: North is a client of legal but neither its lead (South) nor its owner (South)
    assert exceptions == {"ict-bureau", "legal-north", "bc-south"}


def test_every_client_councils_policy_governs_a_shared_service(lead: Programme):
    clients = {s.id: [p.client for p in lead.policies_for(s)] for s in lead.services}
    assert clients == {"ict": ["north", "south"], "legal": ["north", "south"], "building-control": ["west"]}
    # ICT is shared with West too, but West's policy names building control only
    assert lead.margin_for(lead.service("ict")) == pytest.approx(0.10)  # South's is the strictest
    assert lead.margin_for(lead.service("building-control")) == 0.0
    route = lead.decision_route(lead.service("legal"))
    assert "North District Council Cabinet" in route and "South District Council Executive" in route


def _frame(programme: Programme, scores: dict[str, float]) -> tuple[pd.DataFrame, np.ndarray]:
    rows = []
    for service in programme.services:
        for option in programme.options_for(service.id):
            rows.append(
                {
                    "service": service.id,
                    "option": option.id,
                    "provider": option.provider,
                    "exception": programme.is_exception(option),
                    "eligible": True,
                    "status_quo": option.is_status_quo,
                }
            )
    frame = pd.DataFrame(rows)
    values = np.array([scores.get(o, 0.0) for o in frame["option"]])[:, None]
    frame["npv"] = values[:, 0] * 1e6  # the MoU test's NPV (£ m) ranks the options as the scores do
    return frame, values


@pytest.mark.parametrize(
    ("bureau", "chosen"),
    [(0.54, "ict-north"), (0.549, "ict-north"), (0.551, "ict-bureau")],  # 0.54 clears North's 5 %
)
def test_the_lead_councils_option_is_the_benchmark_and_the_strictest_margin_applies(
    lead: Programme, bureau: float, chosen: str
):
    """ICT's benchmark is North's (the lead); South's 10 % margin applies: £0.5 m × 1.10 = £0.55 m."""
    frame, values = _frame(lead, {"ict-north": 0.5, "ict-bureau": bureau})
    choice = mou_choice(lead, frame, values)
    assert frame["option"][int(choice.chosen["ict"][0])] == chosen
    assert frame["option"][int(choice.benchmark["ict"][0])] == "ict-north"


def test_a_service_only_its_own_client_governs_uses_that_clients_margin(lead: Programme):
    """Building control: West's policy (margin 0) alone: any better score wins."""
    frame, values = _frame(lead, {"bc-west": 0.5, "bc-south": 0.5001})
    choice = mou_choice(lead, frame, values)
    assert frame["option"][int(choice.chosen["building-control"][0])] == "bc-south"


def test_without_a_lead_the_default_provider_is_expected():
    data = _data()
    data["partners"][0]["default_provider"] = True  # North
    del data["services"][1]["lead_provider"]  # legal: South no longer leads
    programme = _parse(data)
    legal = programme.service("legal")
    assert programme.expected_provider(legal).id == "north"
    assert programme.is_exception(programme.option("legal-south")) is False  # the owner in house
    assert programme.is_exception(programme.option("legal-north")) is False


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["services"][0].update(lead_provider="east"), "unknown partner `east`"),
        (lambda d: d["exception_policies"][1].update(services=["parking"]), "unknown service `parking`"),
        (
            lambda d: d["exception_policies"].append({"client": "south", "final_decision": "again"}),
            "`south` has two exception policies for `ict`",
        ),
        (
            lambda d: d["services"][2].pop("lead_provider"),
            "the exception policy needs one partner marked `default_provider: true`, or a `lead_provider`",
        ),
    ],
    ids=["unknown lead", "unknown service", "two policies of one client", "no expected provider"],
)
def test_bad_lead_and_policy_references_are_named(edit, message: str):
    data = _data()
    edit(data)
    with pytest.raises(InputError) as caught:
        _parse(data)
    assert message in str(caught.value)
    assert "lead.yaml:" in str(caught.value)  # located in the file


def test_lead_providers_and_policies_round_trip_through_yaml_and_excel(lead: Programme, tmp_path: Path):
    for name in ("again.yaml", "again.xlsx"):
        save_programme(lead, tmp_path / name)
        assert load_programme(tmp_path / name) == lead


def test_a_leaving_partner_takes_its_policy_and_its_lead(tmp_path: Path):
    """South leaves: its own policy goes; legal (now North's alone) falls back to... nobody, so the
    scenario names a new lead, and the programme is valid again."""
    from engine.appraisal.scenario import load_scenario

    base = tmp_path / "lead.yaml"
    base.write_text(LEAD.read_text())
    scenario = tmp_path / "south-leaves.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "South leaves",
                "base": "lead.yaml",
                "remove": {"partners": ["south"]},
                "change": {"services": {"legal": {"lead_provider": "north"}}},
            }
        )
    )
    programme = load_scenario(scenario).programme
    assert [p.client for p in programme.policies] == ["north", "west"]
    assert programme.expected_provider(programme.service("legal")).id == "north"
    assert programme.service("legal").owner == "north"
    assert "bc-south" not in {o.id for o in programme.options}


def test_a_leaving_lead_council_passes_its_lead_to_the_owner_without_a_default_provider(tmp_path: Path):
    """South leads legal and leaves, with nothing said about legal: without a default provider to
    fall back on, the lead passes to legal's new owner (North, the remaining share), so the exit
    stress test and a bare removal still give a valid programme."""
    from engine.appraisal.scenario import load_scenario

    base = tmp_path / "lead.yaml"
    base.write_text(LEAD.read_text())
    scenario = tmp_path / "south-leaves.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": "South leaves", "base": "lead.yaml", "remove": {"partners": ["south"]}})
    )
    programme = load_scenario(scenario).programme
    legal = programme.service("legal")
    assert (legal.owner, legal.lead_provider) == ("north", "north")
    assert programme.expected_provider(legal).id == "north"


def test_a_rule_may_ask_whether_the_provider_is_the_services_expected_one(lead: Programme):
    from engine.rules.context import option_table

    table = option_table(lead, {})
    expected = dict(
        zip((o.id for _, o in table.rows), table.columns["provider.is_expected_provider"], strict=True)
    )
    today = {"ict-status-quo", "legal-status-quo", "building-control-status-quo"}  # each lead its own
    assert {o for o, yes in expected.items() if yes} == {"ict-north", "legal-south", "bc-west", *today}


def test_a_policy_naming_a_service_its_client_has_no_part_in_is_refused():
    """West's policy may not name legal (South's, shared with North only): it would govern nothing,
    and an exception there would pass with no decision route."""
    data = _data()
    data["exception_policies"][1]["services"] = ["legal"]
    with pytest.raises(InputError) as caught:
        _parse(data)
    assert "neither owns nor shares" in str(caught.value) and "lead.yaml:" in str(caught.value)


def test_outputs_of_a_programme_without_a_default_provider_never_name_one(tmp_path: Path):
    """Report, show and switching values speak of each service's lead council instead."""
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.io.shipped import shipped_rules
    from engine.present.summary import summary_text
    from engine.report.build import build_report
    from engine.report.text import render_markdown
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.switching import switching_values

    (tmp_path / "lead.yaml").write_text(LEAD.read_text())
    (tmp_path / "plan.yaml").write_text("name: plan\nbase: lead.yaml\n")
    result = run_scenario(load_scenario(tmp_path / "plan.yaml"))
    programme = result.loaded.programme
    words = [
        render_markdown(build_report(result, draws=50)),
        summary_text(programme),
        *(v.text() for v in switching_values(programme, load_ruleset(shipped_rules()))),
    ]
    assert not [w for w in words if "default provider" in w]
    assert "lead council" in words[0]


def test_a_scenario_changes_adds_and_removes_further_policies_by_client(tmp_path: Path):
    from engine.appraisal.scenario import load_scenario

    (tmp_path / "lead.yaml").write_text(LEAD.read_text())
    body = {
        "name": "policies",
        "base": "lead.yaml",
        "remove": {"exception_policies": ["west"]},
        "change": {"exception_policies": {"south": {"margin": 0.02}}},
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(body))
    programme = load_scenario(tmp_path / "s.yaml").programme
    assert [(p.client, p.margin) for p in programme.policies] == [("north", 0.05), ("south", 0.02)]
    assert programme.margin_for(programme.service("ict")) == pytest.approx(0.05)
    body = {
        "name": "again",
        "base": "lead.yaml",
        "remove": {"exception_policies": ["west"]},
        "add": {"exception_policies": [{"client": "west", "margin": 0.2, "final_decision": "West Cabinet"}]},
    }
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(body))
    programme = load_scenario(tmp_path / "a.yaml").programme
    assert programme.margin_for(programme.service("ict")) == pytest.approx(0.2)  # West shares ICT


def test_two_findings_at_one_place_are_two_problems_not_alternatives():
    """No default provider, and South with two policies for ICT: both at `exception_policies`,
    each its own problem (review: they read as 'expected A or B')."""
    data = _data()
    data["exception_policies"].append({"client": "south", "final_decision": "again"})
    data["services"][0].pop("lead_provider")
    with pytest.raises(InputError) as caught:
        _parse(data)
    messages = [p.message for p in caught.value.problems]
    assert any("has two exception policies" in m for m in messages)
    assert any(m.startswith("the exception policy needs one partner") for m in messages)
    assert not any(" or `south`" in m for m in messages)
