"""The law as a table, staff transfer and the risk register, against hand-written expectations."""

from __future__ import annotations

import pandas as pd
import pytest

from engine.base.errors import SsplanError
from engine.io.load import parse_programme
from engine.present.law import CONFIRM, legal_basis, provider_category
from engine.present.register import register
from engine.present.transfer import path_transfer, stage_transfers, transfer
from engine.programme.model import Programme
from engine.scoring.switching import SwitchingValue
from tests.conftest import ROOT

S101 = "Local Government Act 1972 s101"
S102 = "Local Government Act 1972 s102"
S113 = "Local Government Act 1972 s113"
GOODS = "Local Authorities (Goods and Services) Act 1970"
POWER = "Localism Act 2011 s1"
COMPANY = "Localism Act 2011 s4 (trading through a company)"
CONTRACT = "Public Contracts Regulations 2015 (competition)"
TECKAL = "Public Contracts Regulations 2015 reg 12(1)/(4)"
COOPERATION = "Public Contracts Regulations 2015 reg 12(7)"

# (delivery model, provider) -> (provider category, the provisions relied on, words the procurement
# column must hold).  Written by hand from the statutes, not from the code.  The buyer is the City.
EXPECTED = {
    ("s101_delegation", "county"): ("council", (S101,), ["not a public contract"]),
    ("shared_service", "county"): ("council", (S101, S102), ["reg 12(7)"]),
    ("commissioned", "county"): (
        "council",
        (S101, GOODS, COOPERATION),
        ["all three conditions", "less than 20 %", "City Council does not control County Council"],
    ),
    ("commercial_contract", "county"): (
        "council",
        (GOODS, CONTRACT),
        [
            "City Council does not control County Council",
            "doubtful for a service bought on a commercial basis",
        ],
    ),
    ("outsourced", "county"): ("council", (GOODS, CONTRACT), ["does not control"]),
    ("outsourced", "firm"): ("private", (CONTRACT,), ["competition"]),
    ("commercial_contract", "firm"): ("private", (CONTRACT,), ["competition"]),
    ("s101_delegation", "firm"): ("private", (CONTRACT,), ["competition"]),
    ("outsourced", "council-co"): ("company", (POWER, TECKAL), ["may apply", "over 80 %"]),
    ("joint_venture", "council-co"): ("company", (POWER, COMPANY, TECKAL), ["may apply"]),
    ("outsourced", "bt-co"): (
        "company",
        (POWER, CONTRACT),
        ["City Council does not control Partner Co", "Firm Ltd, a private party, holds shares in Partner Co"],
    ),
    ("joint_venture", "bt-co"): ("company", (POWER, COMPANY, CONTRACT), ["a private party, holds shares"]),
    ("in_house", "city"): ("own", (), ["none needed"]),
}


def _programme(models: dict[tuple[str, str], str] | None = None, **service: object) -> Programme:
    """A City that owns one service, with one option per (model, provider) of ``EXPECTED``."""
    options = [
        {
            "id": f"o{i}",
            "service": "svc",
            "provider": provider,
            "model": model,
            "annual_cost": 1000,
            "duration": 1,
        }
        for i, (model, provider) in enumerate(models or EXPECTED)
    ]
    return Programme.model_validate(
        {
            "id": "law",
            "name": "Law",
            "horizon": {"start": "2016-04-01", "period": "month", "periods": 12},
            "partners": [
                {"id": "city", "name": "City Council", "kind": "city"},
                {"id": "county", "name": "County Council", "kind": "county"},
                {"id": "firm", "name": "Firm Ltd", "kind": "private"},
                {
                    "id": "council-co",
                    "name": "Council Co",
                    "kind": "joint_venture",
                    "owners": ["city", "county"],
                },
                {"id": "bt-co", "name": "Partner Co", "kind": "joint_venture", "owners": ["county", "firm"]},
            ],
            "services": [
                {"id": "svc", "name": "Service", "owner": "city", "annual_cost": 2000, "fte": 10, **service}
            ],
            "options": options,
        }
    )


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_the_basis_for_each_model_and_provider_is_the_hand_written_one(key):
    programme = _programme()
    option = programme.options[list(EXPECTED).index(key)]
    category, basis, words = EXPECTED[key]
    found = legal_basis(programme, option)
    assert provider_category(programme, option) == category
    assert found.basis == basis
    for w in words:
        assert w in found.procurement
    assert "Teckal" not in found.procurement or category != "private"


def test_shared_officers_are_s113_and_move_nobody():
    programme = _programme({("shared_service", "county"): "x"})
    option = programme.options[0].model_copy(update={"shared_officers": True})
    assert legal_basis(programme, option).basis == (S113,)
    assert not transfer(programme, option).likely


def test_licensing_functions_cannot_be_delegated_under_s101():
    programme = _programme({("shared_service", "county"): "x"}, licensing=True)
    notes = legal_basis(programme, programme.options[0]).notes
    assert any("Licensing Act 2003" in n and "s101" in n and "s113" in n for n in notes)
    plain = _programme({("shared_service", "county"): "x"})
    assert legal_basis(plain, plain.options[0]).notes == ()


def test_lancaster_teckal_fails_on_both_counts_and_the_ojeu_notice_is_the_route(lancaster):
    found = legal_basis(lancaster, lancaster.option("ict-oneconnect"))
    assert found.basis == (POWER, CONTRACT)
    assert "Lancaster City Council does not control OneConnect Limited" in found.procurement
    assert "BT, a private party, holds shares in OneConnect Limited" in found.procurement
    assert "OJEU notice" in found.procurement and CONFIRM in found.procurement
    move = transfer(lancaster, lancaster.option("ict-oneconnect"))
    assert move.likely and move.moving == {"lancaster": 38} and "admission agreement" in move.pensions


def test_gloucester_payroll_is_bought_not_teckal_and_hr_is_delegated(gloucester):
    payroll = legal_basis(gloucester, gloucester.option("payroll-county"))
    assert payroll.basis == (GOODS, CONTRACT)
    assert "does not apply" in payroll.procurement and "reg 12(7) is doubtful" in payroll.procurement
    assert legal_basis(gloucester, gloucester.option("hr-county-s101")).basis == (S101,)


def test_essex_hubs_move_the_other_councils_staff_and_shared_management_moves_none(essex):
    hub = transfer(essex, essex.option("regulatory-hub-county"))
    assert hub.likely
    assert hub.moving == {"braintree": 28.5, "brentwood": 19} and hub.staying == {"essex-cc": 47.5}
    basis = legal_basis(essex, essex.option("regulatory-hub-county"))
    assert basis.basis == (S101, S102) and any("Licensing Act 2003" in n for n in basis.notes)
    management = essex.option("shared-management")
    assert not transfer(essex, management).likely
    assert legal_basis(essex, management).basis == (S113,)


def test_a_hand_back_ends_the_arrangement_and_brings_the_hosts_staff_back():
    programme = _programme(
        {("hand_back", "city"): "x"},
        shares={"city": 0.5, "county": 0.5},
        current_provider="county",
        staff={"county": 10},
    )
    option = programme.options[0]
    found = legal_basis(programme, option)
    assert found.basis == () and "exit terms" in found.arrangement
    move = transfer(programme, option)
    assert move.likely and move.moving == {"county": 10} and "COSOP" in move.reason


def test_a_staged_change_moves_the_staff_again_and_counts_them_once():
    programme = _programme({("shared_service", "county"): "x", ("joint_venture", "council-co"): "y"})
    first, second = programme.options
    second = second.model_copy(update={"follows": first.id})
    stages = stage_transfers(programme, [first, second])
    assert stages[0].moving == {"city": 10} and stages[1].moving == {"county": 10}
    assert "admission agreement" in stages[1].pensions
    whole = path_transfer(programme, [first, second])
    assert whole.moving == {"city": 10} and whole.staying == {}
    assert whole.reason.count("; then ") == 1


def test_status_quo_moves_nobody(gloucester):
    assert not transfer(gloucester, gloucester.option("hr-status-quo")).likely


def test_staff_by_employer_must_add_up_and_name_partners():
    with pytest.raises(ValueError) as problem:
        _programme({("in_house", "city"): "x"}, staff={"city": 4, "nobody": 3})
    text = str(problem.value)
    assert "staff add up to 7 FTE; expected its fte, 10" in text and "unknown partner `nobody`" in text


def test_a_file_whose_staff_do_not_add_up_gets_a_located_error():
    text = (ROOT / "tests" / "data" / "small.yaml").read_text(encoding="utf-8")
    bad = text.replace("fte: 3}", "fte: 3, staff: {city: 2}}")
    assert bad != text
    with pytest.raises(SsplanError) as problem:
        parse_programme(bad, "small.yaml")
    message = str(problem.value)
    assert (
        message.startswith("small.yaml:9:")
        and "services[hr].staff" in message
        and "add up to 2 FTE" in message
    )


# ---------------------------------------------------------------------------------- register
def _stability(*pairs: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"service": s, "P(same recommendation)": p} for s, p in pairs])


def test_register_rates_likelihood_times_impact_highest_first(gloucester):
    changes = ["hr-county-s101", "payroll-county", "ict-county"]
    rows = register(gloucester, changes, _stability(), [], capacity_tight=True)
    assert [r.rating for r in rows] == sorted((r.likelihood * r.impact for r in rows), reverse=True)
    text = " ".join(r.risk for r in rows)
    for word in ("do not support", "arrangement ends", "Personal data", "VAT", "Capacity"):
        assert word in text
    capacity = next(r for r in rows if r.risk.startswith("Capacity"))
    assert (capacity.likelihood, capacity.impact, capacity.band) == (4, 3, "high")
    ict = next(r for r in rows if "ICT" in r.risk)
    assert ict.likelihood == 4  # the ICT option's delivery risk is high


def test_register_bands():
    from engine.present.register import RiskRow

    assert [RiskRow("r", li, im, "", "").band for li, im in ((2, 2), (3, 3), (4, 4), (5, 4))] == [
        "low",
        "medium",
        "high",
        "very high",
    ]


def test_the_programmes_own_risks_replace_the_defaults(gloucester):
    entry = {"risk": "Members change", "likelihood": 5, "impact": 5, "mitigation": "brief them"}
    other = {"risk": "Key staff leave", "likelihood": 2, "impact": 3, "services": ["hr", "ict"]}
    programme = gloucester.model_copy(update={"risks": (other, entry)})
    rows = register(programme, ["hr-county-s101"], _stability(), [], capacity_tight=False)
    assert [r.risk for r in rows] == [
        "Members change",
        "Key staff leave (Human Resources and related transactional services, ICT)",
    ]
    assert [r.rating for r in rows] == [25, 6] and rows[1].mitigation == "to be set"
    assert rows[0].owner.startswith("Corporate Director")


def test_sensitivity_and_close_switching_values_enter_the_register(gloucester):
    stability = _stability(("hr", 0.6), ("payroll", 0.95))
    close = SwitchingValue("hr", "hr-bureau", "hr-bureau", "exception", False, 100000.0, 104000.0)
    far = SwitchingValue("payroll", "payroll-bureau", "payroll-bureau", "exception", False, 100.0, 150.0)
    never = SwitchingValue("ict", "ict-county", "ict-county", "exception", True, 100.0, None)
    rows = register(gloucester, [], stability, [close, far, never], capacity_tight=False)
    unstable = [r for r in rows if "under other weights" in r.risk]
    assert len(unstable) == 1 and "40%" in unstable[0].risk and unstable[0].likelihood == 3
    flips = [r for r in rows if "becomes the recommendation" in r.risk]
    assert len(flips) == 1 and flips[0].likelihood == 4 and "£100,000 to £104,000" in flips[0].risk
    assert "hr-bureau" not in flips[0].risk  # names, not ids


def test_a_risk_out_of_scale_or_naming_an_unknown_service_is_refused_with_all_problems():
    text = (ROOT / "tests" / "data" / "small.yaml").read_text(encoding="utf-8")
    risks = "  - {risk: Delay, likelihood: 6, impact: 2}\n"
    risks += "  - {risk: Loss, likelihood: 2, impact: 2, services: [nope]}\n"
    bad = text + "risks:\n" + risks
    with pytest.raises(SsplanError) as problem:
        parse_programme(bad, "small.yaml")
    message = str(problem.value)
    assert "small.yaml:21:" in message and "risks[1].likelihood: expected a number ≤ 5, got 6" in message
    assert (
        "small.yaml:22:" in message
        and "risks[2].services[1]: risk references unknown service `nope`" in message
    )
