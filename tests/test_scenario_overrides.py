"""Scenarios that override any field of any record, add records, remove them, and remove a partner.

Each kind of change, addition and removal gives a validated programme; bad overrides exit 2 with
the scenario file's line and field (tests/data/bad-scenarios, each file stating what it expects);
removing a partner by scenario equals writing the programme without it by hand.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.appraisal.finance import plan_finance
from engine.appraisal.overrides import Additions, Changes, Removals
from engine.appraisal.scenario import Scenario, load_scenario, prepare_scenario, run_scenario
from engine.base.errors import InputError
from engine.cli import main
from engine.io.load import load_programme
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.settings import PlanSettings
from engine.programme.exempt import secret_options
from engine.programme.model import Programme
from engine.programme.synth import random_programme_data
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA, ROOT

SCENARIOS = ROOT / "scenarios"
GLOUCESTER = SCENARIOS / "gloucester-2015.yaml"
ESSEX = SCENARIOS / "essex-2010.yaml"
LANCASTER = SCENARIOS / "lancaster-2011.yaml"
BAD = sorted((DATA / "bad-scenarios").glob("*.yaml"))
RULES = load_ruleset(shipped_rules())


def _scenario(tmp_path: Path, base: Path, body: str, name: str = "what-if") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nbase: {base}\n{body}")
    return path


def _load(tmp_path: Path, base: Path, body: str) -> Programme:
    return load_scenario(_scenario(tmp_path, base, body)).programme


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


# change -----------------------------------------------------------------------------------------
CHANGES: list[tuple[Path, str, Callable[[Programme], bool]]] = [
    (
        GLOUCESTER,
        "change:\n  partners:\n    stroud: {lead_officer: Head of Building Control}\n",
        lambda p: p.partner("stroud").lead_officer == "Head of Building Control",
    ),
    (
        GLOUCESTER,
        "change:\n  services:\n    hr: {annual_cost: 270000, in_scope: false}\n",
        lambda p: p.service("hr").annual_cost == 270000 and not p.service("hr").in_scope,
    ),
    (
        GLOUCESTER,
        "change:\n  options:\n    payroll-county: {duration: 5, earliest_start: 2016-01-01}\n",
        lambda p: (
            p.option("payroll-county").duration == 5
            and str(p.option("payroll-county").earliest_start) == "2016-01-01"
        ),
    ),
    (
        GLOUCESTER,
        "change:\n  resources:\n    pm-days: {capacity: 8, unit_cost: 500}\n",
        lambda p: p.resource("pm-days").capacity == 8 and p.resource("pm-days").unit_cost == 500,
    ),
    (
        GLOUCESTER,
        "change:\n  dependencies:\n    ict -> property: {lag: 2}\n",
        lambda p: next(d.lag for d in p.dependencies if (d.before, d.after) == ("ict", "property")) == 2,
    ),
    (
        GLOUCESTER,
        "change:\n  budget: {per_financial_year: 400000}\n",
        lambda p: p.budget is not None and p.budget.per_financial_year == 400000,
    ),
    (
        GLOUCESTER,
        "change:\n  exception_policy: {margin: 0.1}\n",
        lambda p: p.exception_policy is not None and p.exception_policy.margin == 0.1,
    ),
    (
        ESSEX,
        "change:\n  consensus: {body: Joint Committee}\n",
        lambda p: p.consensus is not None and p.consensus.body == "Joint Committee",
    ),
    (
        GLOUCESTER,
        "change:\n  settings: {max_concurrent_transitions: 3}\n",
        lambda p: p.settings.max_concurrent_transitions == 3,
    ),
    (GLOUCESTER, "change:\n  horizon: {periods: 48}\n", lambda p: p.horizon.periods == 48),
]


@pytest.mark.parametrize(("base", "body", "check"), CHANGES, ids=lambda x: "")
def test_each_kind_of_change_gives_a_validated_programme(tmp_path, base, body, check):
    programme = _load(tmp_path, base, body)
    assert isinstance(programme, Programme) and check(programme)


def test_a_change_never_touches_the_base(tmp_path):
    body = "change:\n  services:\n    hr: {annual_cost: 1}\n"
    loaded = load_scenario(_scenario(tmp_path, GLOUCESTER, body))
    assert loaded.base.service("hr").annual_cost == 262000
    assert loaded.programme.service("hr").annual_cost == 1


def test_a_higher_one_off_cost_raises_the_plans_one_off_cost_by_as_much(tmp_path):
    fixed = "fix_option: {hr: hr-county-s101}\n"
    before = run_scenario(load_scenario(_scenario(tmp_path, GLOUCESTER, fixed, "before")))
    after = run_scenario(
        load_scenario(
            _scenario(
                tmp_path,
                GLOUCESTER,
                fixed + "change:\n  options:\n    hr-county-s101: {one_off_cost: 135000}\n",
                "after",
            )
        )
    )
    assert before.finance is not None and after.finance is not None
    chosen = [{(a.service, a.option) for a in r.plan.plan.assignments} for r in (before, after)]
    assert chosen[0] == chosen[1]  # the same changes (the budget may move their starts)
    hr = {f.finance.by_service.set_index("service").loc["hr", "one_off"] for f in (before, after)}
    assert hr == {35000, 135000}
    assert after.finance.one_off == pytest.approx(before.finance.one_off + 100000)
    assert after.finance.npv < before.finance.npv - 90000  # £100,000 spent in the first year


def test_a_change_of_current_provider_moves_the_status_quo(tmp_path):
    programme = _load(tmp_path, GLOUCESTER, "change:\n  services:\n    hr: {current_provider: glos-cc}\n")
    assert programme.service("hr").provider_now == "glos-cc"
    assert programme.options_for("hr")[0].provider == "glos-cc"  # the implicit status quo
    cleared = _load(tmp_path, GLOUCESTER, "change:\n  services:\n    audit: {current_provider: null}\n")
    assert cleared.service("audit").provider_now == "gcc"


def test_a_changed_mapping_replaces_the_old_one_whole(tmp_path):
    programme = _load(
        tmp_path, ESSEX, "change:\n  services:\n    management: {shares: {brentwood: 0.7, braintree: 0.3}}\n"
    )
    assert programme.service("management").shares == {"brentwood": 0.7, "braintree": 0.3}


# add --------------------------------------------------------------------------------------------
NEW_PARTNER = """add:
  partners:
    - {id: tewkesbury, name: Tewkesbury Borough Council, kind: borough}
  options:
    - {id: payroll-tewkesbury, service: payroll, provider: tewkesbury, model: shared_service,
       one_off_cost: 8000, annual_cost: 36000, duration: 3, demand: {pm-days: 2}}
"""


def test_a_new_partner_and_its_option_are_added(tmp_path):
    programme = _load(tmp_path, GLOUCESTER, NEW_PARTNER)
    assert programme.partner("tewkesbury").kind == "borough"
    assert programme.option("payroll-tewkesbury").provider == "tewkesbury"
    assert programme.is_exception(programme.option("payroll-tewkesbury"))


ADDITIONS: list[tuple[Path, str, Callable[[Programme], bool]]] = [
    (
        GLOUCESTER,
        "add:\n  services:\n    - {id: legal, name: Legal, owner: gcc, annual_cost: 200000}\n"
        "  options:\n    - {id: legal-county, service: legal, provider: glos-cc, model: shared_service, "
        "annual_cost: 180000, duration: 4}\n"
        "  dependencies:\n    - {before: hr, after: legal}\n",
        lambda p: (
            p.service("legal").owner == "gcc"
            and p.option("legal-county").service == "legal"
            and any((d.before, d.after) == ("hr", "legal") for d in p.dependencies)
        ),
    ),
    (
        GLOUCESTER,
        "add:\n  resources:\n    - {id: legal-days, name: Legal days, capacity: 5}\n",
        lambda p: p.resource("legal-days").capacity == 5,
    ),
    (
        ESSEX,
        "add:\n  budget: {per_financial_year: 500000}\n",
        lambda p: p.budget is not None and p.budget.per_financial_year == 500000,
    ),
    (
        ESSEX,
        "change:\n  partners:\n    essex-cc: {default_provider: true}\n"
        "add:\n  exception_policy: {client: brentwood, final_decision: Brentwood Cabinet}\n",
        lambda p: p.exception_policy is not None and p.exception_policy.client == "brentwood",
    ),
    (
        GLOUCESTER,
        "add:\n  consensus: {partners: [gcc, glos-cc]}\n",
        lambda p: p.consensus is not None and p.consensus.partners == ("gcc", "glos-cc"),
    ),
]


@pytest.mark.parametrize(("base", "body", "check"), ADDITIONS, ids=lambda x: "")
def test_each_kind_of_addition_gives_a_validated_programme(tmp_path, base, body, check):
    assert check(_load(tmp_path, base, body))


# remove -----------------------------------------------------------------------------------------
REMOVALS: list[tuple[Path, str, Callable[[Programme], bool]]] = [
    (
        GLOUCESTER,
        "remove:\n  options: [hr-bureau]\n",
        lambda p: [o.id for o in p.options_for("hr")] == ["hr-status-quo", "hr-county-s101"],
    ),
    (
        GLOUCESTER,
        "remove:\n  services: [ict]\n",
        lambda p: (
            "ict" not in {s.id for s in p.services}
            and not any(o.service == "ict" for o in p.options)
            and not any("ict" in (d.before, d.after) for d in p.dependencies)
        ),
    ),
    (
        GLOUCESTER,
        "remove:\n  dependencies: [hr->payroll]\n",
        lambda p: (
            [(d.before, d.after) for d in p.dependencies] == [("ict", "finance-admin"), ("ict", "property")]
        ),
    ),
    (
        ESSEX,
        "remove:\n  resources: [team-days]\n"
        "change:\n  options:\n"
        + "".join(
            f"    {o}: {{demand: {{joint-pm-days: 5}}}}\n"
            for o in (
                "regulatory-hub-county",
                "regulatory-hub-braintree",
                "procurement-coe",
                "shared-management",
                "budget-sync",
            )
        ),
        lambda p: [r.id for r in p.resources] == ["joint-pm-days"],
    ),
    (GLOUCESTER, "remove: {budget: true}\n", lambda p: p.budget is None),
    (GLOUCESTER, "remove: {exception_policy: true}\n", lambda p: p.exception_policy is None),
    (ESSEX, "remove: {consensus: true}\n", lambda p: p.consensus is None),
]


@pytest.mark.parametrize(("base", "body", "check"), REMOVALS, ids=lambda x: "")
def test_each_kind_of_removal_gives_a_validated_programme(tmp_path, base, body, check):
    assert check(_load(tmp_path, base, body))


# a partner leaves -------------------------------------------------------------------------------
def test_a_partner_leaving_a_consensus_partnership(tmp_path):
    programme = _load(tmp_path, ESSEX, "remove:\n  partners: [brentwood]\n")
    assert [p.id for p in programme.partners] == ["braintree", "essex-cc"]  # its weights went with it
    assert programme.service("regulatory-services").shares == pytest.approx(
        {"braintree": 0.3 / 0.8, "essex-cc": 0.5 / 0.8}
    )
    assert programme.service("management").shares == {"braintree": 1.0}
    assert programme.consensus is not None and programme.consensus.partners == ("braintree", "essex-cc")
    team = programme.resource("team-days")
    assert team.funding[0].by == ("braintree", "essex-cc")


def test_the_scenario_may_give_the_new_shares_and_owner(tmp_path):
    body = (
        "remove:\n  partners: [essex-cc]\n"
        "change:\n"
        "  resources:\n    joint-pm-days: {funding: [{by: [braintree]}]}\n"
        "  services:\n    procurement: {owner: brentwood, shares: {braintree: 0.4, brentwood: 0.6}}\n"
    )
    programme = _load(tmp_path, ESSEX, body)
    assert programme.service("procurement").owner == "brentwood"
    assert programme.service("procurement").shares == {"braintree": 0.4, "brentwood": 0.6}
    # not given: the largest remaining share owns it, shares re-split pro rata
    assert programme.service("regulatory-services").owner == "braintree"
    regulatory = programme.service("regulatory-services")
    assert regulatory.shares == pytest.approx({"braintree": 0.6, "brentwood": 0.4})
    assert {o.provider for o in programme.options} == {"braintree"}  # Essex CC's options went


def test_the_county_leaving_gloucester(tmp_path):
    body = (
        "remove:\n  partners: [glos-cc]\n  exception_policy: true\n"
        "change:\n  resources:\n    ameo-days: {funding: [{by: [gcc]}]}\n"
    )
    programme = _load(tmp_path, GLOUCESTER, body)
    assert "community-engagement" not in {s.id for s in programme.services}  # it owned it alone
    assert programme.service("audit").current_provider is None  # back to the City
    assert programme.service("audit").provider_now == "gcc"
    assert "glos-cc" not in {o.provider for o in programme.options}
    assert programme.resource("pm-days").funding[0].by == ("gcc",)
    assert programme.exception_policy is None


def test_a_joint_venture_keeps_its_other_owner(tmp_path):
    programme = _load(tmp_path, LANCASTER, "remove:\n  partners: [bt]\n")
    assert programme.partner("oneconnect").owners == ("lancs-cc",)


# bad scenarios ----------------------------------------------------------------------------------
def _expected(path: Path) -> tuple[list[str], list[int], list[str]]:
    text = path.read_text()
    return (
        re.findall(r"^# expect: (.*)$", text, flags=re.M),
        [int(n) for n in re.findall(r"^# line: (\d+)$", text, flags=re.M)],
        re.findall(r"^# field: (.*)$", text, flags=re.M),
    )


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_scenario_exits_2_naming_file_line_and_field(capsys, path: Path):
    expects, lines, fields = _expected(path)
    assert expects and lines, f"{path.name} states no expected error"
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and "Traceback" not in err and out == ""
    for expected in expects:
        assert expected in err
    for line in lines:
        assert re.search(rf"{re.escape(str(path))}:{line}(:\d+)?: ", err), err
    for field in fields:
        assert f": {field}: " in err, err
    assert "unknown field `base`" not in err  # read as a scenario, not as a programme


def test_several_problems_are_told_in_one_pass():
    path = DATA / "bad-scenarios" / "several.yaml"
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert all(p.file == str(path) for p in problems)
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert {16, 17, 18, 20, 23} <= {p.line for p in problems}


def test_a_scenario_without_a_file_names_its_fields():
    """The app's what-if has no file: its problems still name the scenario's field."""
    scenario = Scenario(
        name="on screen",
        base="(on screen)",
        change={"options": {"hr-county": {"duration": "two"}}},  # type: ignore[arg-type]
    )
    small = Programme.model_validate(_small_data())
    with pytest.raises(InputError) as caught:
        prepare_scenario(scenario, small, RULES, Path("on-screen.yaml"))
    assert [p.field for p in caught.value.problems] == ["change.options.hr-county.duration"]


def _small_data() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((DATA / "small.yaml").read_text())


def test_shorthand_problems_name_their_line(tmp_path):
    path = _scenario(tmp_path, GLOUCESTER, "capacities:\n  pm-dayz: {capacity: 3}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "capacities.pm-dayz")]


# validate ---------------------------------------------------------------------------------------
def test_validate_passes_on_every_shipped_scenario_file(capsys):
    files = sorted(SCENARIOS.glob("*/*.yaml"))
    code, out, err = run(capsys, "validate", *map(str, files))
    assert code == 0, err
    assert out.count(": ok (scenario `") == len(files)


# the shipped example ----------------------------------------------------------------------------
def test_county_savings_of_8_5_percent_not_15(capsys):
    lower = load_scenario(SCENARIOS / "gloucester-2015" / "county-savings-lower.yaml")
    county = [o for o in lower.programme.options if o.provider == "glos-cc"]
    for option in county:
        service = lower.programme.service(option.service)
        assert option.annual_cost == pytest.approx(service.annual_cost * 0.915)
        assert option.annual_cost > lower.base.option(option.id).annual_cost
    first = run_scenario(load_scenario(SCENARIOS / "gloucester-2015" / "county-first.yaml"))
    result = run_scenario(lower)
    assert first.finance is not None and result.finance is not None
    assert result.finance.npv < first.finance.npv - 500000
    chosen = result.plan.plan.by_service()
    # the County still takes HR, payroll, ICT and property, saving 8.5 % a year on each
    county_saving = sum(
        lower.programme.service(s).annual_cost - lower.programme.option(chosen[s].option).annual_cost
        for s in ("hr", "payroll", "ict", "property")
    )
    assert county_saving == pytest.approx(0.085 * (262000 + 48000 + 1150000 + 540000))
    # and Civica's finance offer now beats the County's by the MoU margin: an exception
    assert chosen["finance-admin"].option == "finance-civica"


# property: a partner removed by scenario is the programme written without it -------------------
def _enriched(seed: int, services: int) -> dict[str, Any]:
    """A generated programme in which `p2` shares, owns, provides today and funds."""
    data = random_programme_data(seed, services=services, options_per_service=2, periods=12, partners=4)
    rng = random.Random(seed)
    data["partners"][2]["weights"] = {"cost": 3.0, "impact": 1.0}
    data["services"][0]["owner"] = "p0"
    for service in data["services"][1:]:
        roll = rng.random()
        if roll < 0.25:
            service.update(owner="p2", shares={"p2": 0.5, "p3": 0.3, "p0": 0.2})
        elif roll < 0.45:
            service.update(owner="p2")
            service.pop("shares", None)
        elif roll < 0.7:
            service["shares"] = {service["owner"]: 0.6, "p2": 0.4} if service["owner"] != "p2" else {}
        if rng.random() < 0.3 and service["owner"] != "p2":
            service["current_provider"] = "p2"
    for pool in data["resources"]:
        for tranche in pool.get("funding", ()):
            tranche["by"] = [*tranche["by"], "p2"]
    if rng.random() < 0.5:
        data["consensus"] = {"partners": ["p0", "p1", "p2"]}
    return data


def _written_without_p2(data: dict[str, Any]) -> dict[str, Any]:
    """The same programme as an officer would write it without `p2` (independent of the engine)."""
    out = copy.deepcopy(data)
    out["partners"] = [p for p in out["partners"] if p["id"] != "p2"]
    gone = {s["id"] for s in out["services"] if s["owner"] == "p2" and set(s.get("shares") or {}) <= {"p2"}}
    kept = []
    for service in out["services"]:
        if service["id"] in gone:
            continue
        shares = service.get("shares") or {}
        if "p2" in shares:
            left = 1 - shares["p2"]
            service["shares"] = {k: v / left for k, v in shares.items() if k != "p2"}
        if service["owner"] == "p2":
            service["owner"] = sorted(service["shares"].items(), key=lambda kv: -kv[1])[0][0]
        if service.get("current_provider") == "p2":
            del service["current_provider"]
        kept.append(service)
    out["services"] = kept
    out["options"] = [o for o in out["options"] if o["provider"] != "p2" and o["service"] not in gone]
    out["dependencies"] = [
        d for d in out["dependencies"] if d["before"] not in gone and d["after"] not in gone
    ]
    for pool in out["resources"]:
        for tranche in pool.get("funding", ()):
            tranche["by"] = [p for p in tranche["by"] if p != "p2"]
    if "consensus" in out:
        out["consensus"]["partners"] = ["p0", "p1"]
    out["name"] = f"{data['name']}: without p2"
    return out


def _same_shares(a: Programme, b: Programme) -> None:
    assert [s.id for s in a.services] == [s.id for s in b.services]
    for x, y in zip(a.services, b.services, strict=True):
        assert x.shares == pytest.approx(y.shares)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), services=st.integers(2, 5))
def test_removing_a_partner_by_scenario_equals_writing_the_programme_without_it(seed: int, services: int):
    data = _enriched(seed, services)
    base = Programme.model_validate(data)
    scenario = Scenario(name="without p2", base="(generated)", remove=Removals(partners=("p2",)))
    loaded = prepare_scenario(scenario, base, RULES, Path("without-p2.yaml"))
    by_hand = Programme.model_validate(_written_without_p2(data))
    _same_shares(loaded.programme, by_hand)
    strip: Any = {"services": {"__all__": {"shares"}}}
    assert loaded.programme.model_dump(exclude=strip) == by_hand.model_dump(exclude=strip)
    plan_settings = PlanSettings(time_limit=20)
    plans = [solve(p, plan_settings, score(p, RULES)) for p in (loaded.programme, by_hand)]
    assert plans[0].status == plans[1].status
    if plans[0].plan is None:
        return
    assert plans[0].plan.assignments == plans[1].plan.assignments
    finance = [plan_finance(r.plan, p) for r, p in zip(plans, (loaded.programme, by_hand), strict=True)]  # type: ignore[arg-type]
    assert finance[0].npv == pytest.approx(finance[1].npv)
    assert finance[0].one_off == pytest.approx(finance[1].one_off)
    rows = [f.by_partner.set_index("partner")["npv"].to_dict() for f in finance]
    assert rows[0] == pytest.approx(rows[1])
    assert "p2" not in rows[0]


# the README says what the code does ----------------------------------------------------------------
def _scenario_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[
        text.index("## Scenarios, finance and comparison") : text.index("Finance follows the Green Book")
    ]


def test_the_readme_table_names_every_kind_of_change_addition_and_removal():
    rows = dict(re.findall(r"^\| `(change|add|remove)` \| (.*) \|$", _scenario_section(), flags=re.M))
    models = {"change": Changes, "add": Additions, "remove": Removals}
    assert set(rows) == set(models)
    for section, model in models.items():
        assert re.findall(r"`(\w+)`", rows[section]) == list(model.model_fields), section


def test_the_readme_examples_do_what_it_says(tmp_path, capsys, monkeypatch):
    blocks = re.findall(r"```(yaml)?\n(.*?)```", _scenario_section(), flags=re.S)
    example = load_scenario(_scenario(tmp_path, GLOUCESTER, blocks[0][1])).programme
    assert example.option("ict-county").annual_cost == 1052250
    assert "stroud" not in {p.id for p in example.partners} and example.budget is None
    (tmp_path / "small.yaml").write_text((DATA / "small.yaml").read_text())
    (tmp_path / "what-if.yaml").write_text(blocks[1][1])
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "validate", "what-if.yaml")
    assert code == 2 and err.splitlines() == blocks[2][1].splitlines()


def test_compare_names_the_overrides_as_the_reason(tmp_path):
    from engine.appraisal.compare import NOT_IN_PROGRAMME, compare

    reference = run_scenario(load_scenario(SCENARIOS / "gloucester-2015" / "county-first.yaml"))
    body = "remove:\n  partners: [stroud]\n  services: [ict]\nexclude_options: [hr-county-s101]\n"
    other = run_scenario(load_scenario(_scenario(tmp_path, GLOUCESTER, body)))
    comparison = compare([reference, other])
    assert comparison.choices.at["ict", "what-if"] == NOT_IN_PROGRAMME
    reasons = {c["service"]: c["reason"] for c in comparison.changes}
    assert reasons["ict"] == reasons["building-control"]
    assert reasons["ict"] == "the what-if changes, adds or removes this service or one of its options"
    assert reasons["hr"] == "an option of this service is excluded"


def test_an_added_record_may_be_changed_and_a_leaving_partners_service_kept(tmp_path):
    body = NEW_PARTNER + "change:\n  options:\n    payroll-tewkesbury: {annual_cost: 33000}\n"
    assert _load(tmp_path, GLOUCESTER, body).option("payroll-tewkesbury").annual_cost == 33000
    kept = (
        "remove:\n  partners: [glos-cc]\n  exception_policy: true\n"
        "change:\n  resources:\n    ameo-days: {funding: [{by: [gcc]}]}\n"
        "  services:\n    community-engagement: {owner: gcc}\n"
    )
    programme = _load(tmp_path, GLOUCESTER, kept)
    assert programme.service("community-engagement").owner == "gcc"
    assert [o.id for o in programme.options_for("community-engagement")] == [
        "community-engagement-status-quo",
        "engagement-by-city",
    ]


def test_brentwood_leaving_essex_shares_its_part_out_and_compares_as_json(capsys):
    import json

    leaves = SCENARIOS / "essex-2010" / "brentwood-leaves.yaml"
    result = run_scenario(load_scenario(leaves))
    assert result.finance is not None
    assert set(result.finance.by_partner["partner"]) == {"braintree", "essex-cc"}
    code, out, _ = run(
        capsys, "compare", str(SCENARIOS / "essex-2010" / "baseline.yaml"), str(leaves), "--format", "json"
    )

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    summary = json.loads(out, parse_constant=refuse)["summary"]
    assert code == 0 and summary[1]["NPV for Brentwood Borough Council (£)"] is None
    assert summary[0]["NPV (£)"] == summary[1]["NPV (£)"]  # the same changes, shared by two


def test_a_what_if_cannot_lift_a_confidential_marking(tmp_path, capsys):
    """The base marks hr-bureau's prices exempt: a scenario that changes `exempt` away is refused
    at its line, and the public report never prints the price."""
    body = "fix_option: {hr: hr-bureau}\nchange:\n  options:\n    hr-bureau: {exempt: []}\n"
    path = _scenario(tmp_path, GLOUCESTER, body)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:6:" in out + err and "cannot make a confidential figure public" in out + err


def test_a_record_removed_and_added_again_keeps_the_bases_markings(tmp_path):
    base = load_programme(GLOUCESTER)
    bureau = base.option("hr-bureau")
    again = bureau.model_dump(mode="json", exclude={"exempt"}, exclude_defaults=True)
    body = "remove: {options: [hr-bureau]}\nadd:\n  options:\n    - " + json.dumps(again) + "\n"
    programme = _load(tmp_path, GLOUCESTER, body)
    assert set(programme.option("hr-bureau").exempt) == set(bureau.exempt)
    assert "hr-bureau" in secret_options(programme)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "remove: {partners: [hr-bureau]}\nfix_provider: {hr: hr-bureau}\n",
            "unknown partner `hr-bureau` (removed",
        ),
        (
            "remove: {options: [hr-bureau]}\nfix_option: {hr: hr-bureau}\n",
            "unknown option `hr-bureau` (removed",
        ),
        (
            "exclude_options: [hr-bureau]\nfix_option: {hr: hr-bureau}\n",
            "unknown option `hr-bureau` (removed",
        ),
        ("fix_provider: {hr: nobody}\n", "unknown partner `nobody`"),
        ("fix_option: {hr: payroll-bureau}\n", "option `payroll-bureau` is not an option of service `hr`"),
    ],
    ids=["removed partner", "removed option", "excluded option", "unknown partner", "another service's"],
)
def test_a_plan_control_naming_what_is_not_there_is_located(tmp_path, capsys, body: str, message: str):
    path = _scenario(tmp_path, GLOUCESTER, body)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and message in out + err
    assert f"{path}:" in out + err


def test_the_default_provider_leaving_under_further_policies_is_refused_at_the_removal(tmp_path, capsys):
    """The small programme's policy moved to `exception_policies`: the County leaving is refused at
    the removal's line, as with `exception_policy` (review: it had no line and a false hint)."""
    data = yaml.safe_load((DATA / "small.yaml").read_text())
    data["exception_policies"] = [data.pop("exception_policy")]
    base = tmp_path / "small2.yaml"
    base.write_text(yaml.safe_dump(data))
    path = _scenario(tmp_path, base, "remove: {partners: [county]}\n")
    code, out, err = run(capsys, "validate", str(path))
    assert (
        code == 2 and f"{path}:3:" in out + err and "default provider the exception policy needs" in out + err
    )


def test_a_problem_the_scenario_causes_elsewhere_names_the_overrides_lines(tmp_path, capsys):
    """Clearing building control's lead leaves West's policy with no expected provider: the base
    was valid there, so the message points at the override (review: it said the scenario had left
    that record as the base has it)."""
    body = "change:\n  services:\n    building-control: {lead_provider: null}\n"
    path = _scenario(tmp_path, DATA / "lead-councils.yaml", body)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and "one of the scenario's overrides (line 5) leaves it so" in out + err
