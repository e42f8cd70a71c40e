"""Funding sources: grants, partners' contributions and capitalisation directions by financial
year — hand-computed money, the budget they relieve, and the objectives that count them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
from openpyxl import load_workbook

from engine.appraisal.finance import Appraisal, plan_finance
from engine.appraisal.public import finance_view, public_plan
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.cli import main
from engine.io.load import load_programme, parse_programme, save_programme
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, PlanStatus, partner_benefits
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.funding import recipients
from engine.programme.model import FundingKind, FundingSource, Programme
from tests.conftest import DATA

D1 = 1 / 1.035  # the Green Book factor of appraisal year 1

GRANT = (
    "  - {id: tca, name: Transformation Challenge Award, kind: grant,\n"
    "     amounts: {2016/17: 12000, 2017/18: 10000}, to: {city: 0.5, county: 0.5}}\n"
)
CONTRIBUTION = (
    "  - {id: county-pays, name: County contribution, kind: contribution, from_partner: county,\n"
    "     amounts: {2017/18: 6000}, services: [hr]}\n"
)
CAPITAL = "  - {id: cap, name: Capitalisation direction, kind: capitalisation, amounts: {2016/17: 4000}}\n"


def _programme(*sources: str, budget: float | None = None, consensus: bool = False) -> Programme:
    """small.yaml over two financial years (2016/17 and 2017/18) with the funding given."""
    text = (DATA / "small.yaml").read_text().replace("periods: 12", "periods: 24")
    if consensus:
        text += "consensus: {partners: [city, county]}\n"
    if budget is not None:
        text += f"budget: {{per_financial_year: {budget}}}\n"
    if sources:
        text += "funding:\n" + "".join(sources)
    return parse_programme(text, "funded.yaml")


def _plan(programme: Programme, *changes: tuple[str, int]) -> Plan:
    out = []
    for option_id, start in changes:
        option = programme.option(option_id)
        out.append(
            Assignment(
                service=option.service,
                option=option.id,
                provider=option.provider,
                start=start,
                duration=option.duration,
            )
        )
    return Plan(programme=programme.id, periods=programme.horizon.periods, assignments=tuple(out))


# ------------------------------------------------------------------ hand-computed money
def test_a_two_year_grant_and_a_contribution_by_hand():
    """The grant (£12,000 then £10,000, half each to City and County) adds 12,000 + 10,000/1.035
    to the programme; the County's £6,000 to the City (the client of HR) moves money only."""
    funded = _programme(GRANT, CONTRIBUTION)
    bare = _programme()
    plan = _plan(funded, ("hr-county", 0))
    with_funding, without = plan_finance(plan, funded), plan_finance(_plan(bare, ("hr-county", 0)), bare)
    assert with_funding.npv == pytest.approx(without.npv + 12000 + 10000 * D1)
    assert with_funding.funding == pytest.approx(22000)
    got = with_funding.by_partner.set_index("partner")["npv"]
    had = without.by_partner.set_index("partner")["npv"]
    assert got["city"] == pytest.approx(had["city"] + 6000 + 5000 * D1 + 6000 * D1)
    assert got["county"] == pytest.approx(5000 * D1 + 6000 - 6000 * D1 + had.get("county", 0.0))
    assert with_funding.by_partner.set_index("partner")["funding"]["county"] == pytest.approx(5000)
    assert got.sum() == pytest.approx(with_funding.npv)
    frame = with_funding.flows.frame().set_index("financial year")
    assert frame.loc["2016/17", "funding"] == pytest.approx(12000)
    assert frame.loc["2017/18", "funding"] == pytest.approx(10000)
    assert frame.loc["2016/17", "one-off net of funding"] == pytest.approx(10000 - 12000)


def test_doing_nothing_keeps_an_unconditional_grant():
    funded = _programme(GRANT)
    assert plan_finance(_plan(funded), funded).npv == pytest.approx(12000 + 10000 * D1)


def test_a_contribution_changes_no_total():
    funded, bare = _programme(CONTRIBUTION), _programme()
    assert plan_finance(_plan(funded, ("hr-county", 0)), funded).npv == pytest.approx(
        plan_finance(_plan(bare, ("hr-county", 0)), bare).npv
    )
    assert recipients(funded, funded.funding[0]) == {"city": 1.0}


def test_capitalisation_moves_spend_to_capital_and_leaves_the_npv():
    """HR's £10,000 one-off cost (2016/17): £4,000 met from capital, £6,000 from revenue."""
    funded, bare = _programme(CAPITAL), _programme()
    mine = plan_finance(_plan(funded, ("hr-county", 0)), funded)
    assert mine.npv == pytest.approx(plan_finance(_plan(bare, ("hr-county", 0)), bare).npv)
    frame = mine.flows.frame().set_index("financial year")
    assert frame.loc["2016/17", "capitalised"] == pytest.approx(4000)
    assert frame.loc["2016/17", "revenue one-off"] == pytest.approx(6000)
    assert frame.loc["2017/18", "capitalised"] == 0
    assert mine.capitalised == pytest.approx(4000)


def test_without_funding_the_finance_frame_is_as_before():
    bare = _programme()
    frame = plan_finance(_plan(bare, ("hr-county", 0)), bare).flows.frame()
    assert list(frame.columns) == ["financial year", "one-off costs", "savings", "net"]


# ------------------------------------------------------------------ the budget
@pytest.mark.parametrize(
    ("sources", "fits"),
    [((), False), ((GRANT,), True), ((CAPITAL.replace("4000", "6000"),), True), ((CONTRIBUTION,), False)],
    ids=["none", "grant", "capitalisation", "contribution"],
)
def test_a_grant_or_capitalisation_raises_the_years_budget_and_the_verifier_agrees(sources, fits):
    """HR's county option is fixed; its £10,000 over two months (£5,000 a month, whichever years
    they fall in) does not fit a £4,000 budget unless funding adds to it (a grant £12,000 and
    £10,000, a direction £6,000 in 2016/17, where both months then fit); a contribution adds
    nothing."""
    programme = _programme(*sources, budget=4000)
    settings = PlanSettings(objective="savings", fix_option={"hr": "hr-county"}, time_limit=30)
    result = solve(programme, settings)
    assert (result.plan is not None) is fits
    assert result.status == (PlanStatus.OPTIMAL if fits else PlanStatus.INFEASIBLE)
    late = _plan(programme, ("hr-county", 0))  # both months of HR in 2016/17
    problems = verify(late, programme, settings)
    assert (not any("one-off budget" in p for p in problems)) is fits


# ------------------------------------------------------------------ the objectives
def test_the_savings_objective_is_plan_finances_npv_with_funding():
    programme = _programme(GRANT, CONTRIBUTION, CAPITAL)
    result = solve(programme, PlanSettings(objective="savings", time_limit=30))
    assert result.plan is not None and result.objective_value is not None
    assert result.objective_value == pytest.approx(
        plan_finance(result.plan, programme).npv, rel=1e-6, abs=1.0
    )
    assert result.bound is not None and result.bound >= result.objective_value - 1.0


def test_maxmin_counts_each_partners_funding():
    """The County pays £6,000 to the City: the worst-off partner's NPV counts it."""
    programme = _programme(GRANT, CONTRIBUTION, consensus=True)
    result = solve(programme, PlanSettings(objective="maxmin", time_limit=30))
    assert result.plan is not None and result.objective_value is not None
    money = partner_benefits(result.plan, programme)
    total = plan_finance(result.plan, programme).npv
    assert result.objective_value == pytest.approx(min(money.values()) + 1e-6 * total, abs=1e-3)
    assert set(money) == {"city", "county"}


def test_consensus_compares_with_doing_nothing_under_the_same_funding():
    """The County's contribution is paid whatever the plan, so it never makes the County 'worse
    off than the status quo': the consensus test leaves funding out on both sides."""
    programme = _programme(CONTRIBUTION, consensus=True)
    result = solve(programme, PlanSettings(objective="savings", consensus=True, time_limit=30))
    assert result.plan is not None
    assert partner_benefits(result.plan, programme, funding=False)["county"] >= -1e-6


def test_funding_in_a_quarterly_later_year_is_discounted_by_its_year():
    programme = _programme(GRANT.replace("2017/18: 10000", "2017/18: 0"))
    assert plan_finance(_plan(programme), programme, Appraisal(rate=0.1)).npv == pytest.approx(12000)


# ------------------------------------------------------------------ files
def test_funding_round_trips_through_yaml_and_xlsx(tmp_path):
    programme = _programme(GRANT, CONTRIBUTION, CAPITAL.replace("}}", "}, exempt: [amounts]}"))
    book, again = tmp_path / "book.xlsx", tmp_path / "again.yaml"
    save_programme(programme, book)
    assert load_workbook(book)["funding_sources"]["A1"].value == "id"
    assert load_programme(book) == programme
    save_programme(load_programme(book), again)
    assert load_programme(again) == programme
    assert load_programme(again).funding[2].exempt == ("amounts",)


def test_a_bad_funding_cell_names_its_sheet_row_and_column(tmp_path):
    book = tmp_path / "book.xlsx"
    save_programme(_programme(GRANT), book)
    wb = load_workbook(book)
    sheet = wb["funding_sources"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("kind") + 1, value="loan")
    wb.save(book)
    with pytest.raises(InputError) as caught:
        load_programme(book)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.field) == (
        "funding_sources",
        2,
        "C",
        "funding[tca].kind",
    )


# ------------------------------------------------------------------ scenarios
def _base(tmp_path) -> Path:
    text = (DATA / "small.yaml").read_text().replace("periods: 12", "periods: 24")
    text += "funding:\n" + GRANT + CONTRIBUTION.replace("from_partner: county", "from_partner: other")
    path = tmp_path / "funded.yaml"
    path.write_text(text)
    return path


def _what_if(tmp_path, body: str) -> Path:
    path = tmp_path / "what-if.yaml"
    path.write_text(f"name: what-if\nbase: {_base(tmp_path)}\n{body}")
    return path


def test_a_scenario_changes_adds_and_removes_funding(tmp_path):
    body = (
        "change:\n  funding:\n    tca: {amounts: {2016/17: 1000}}\n"
        "add:\n  funding:\n" + CAPITAL + "remove:\n  funding: [county-pays]\n"
    )
    programme = load_scenario(_what_if(tmp_path, body)).programme
    assert [(s.id, dict(s.amounts)) for s in programme.funding] == [
        ("tca", {"2016/17": 1000.0}),
        ("cap", {"2016/17": 4000.0}),
    ]


def test_a_bad_funding_override_is_located_in_the_scenario(tmp_path):
    body = "change:\n  funding:\n    tca: {amounts: {2030/31: 1000}}\n    nope: {name: x}\n"
    path = _what_if(tmp_path, body)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert all(p.file == str(path) for p in problems)
    text = str(caught.value)
    assert "unknown funding source `nope`" in text and "`2030/31` is not a financial year" in text
    assert sorted(p.line for p in problems) == [5, 6]


def test_a_partner_that_leaves_takes_its_contributions_and_its_receipts_are_re_split(tmp_path):
    """`other` pays a contribution (it goes) and receives a third of the grant (the City and the
    County now receive it half each)."""
    base = _base(tmp_path)
    base.write_text(
        base.read_text().replace("to: {city: 0.5, county: 0.5}", "to: {city: 0.25, county: 0.25, other: 0.5}")
    )
    path = tmp_path / "leave.yaml"
    path.write_text(f"name: leave\nbase: {base}\nremove:\n  partners: [other]\n")
    programme = load_scenario(path).programme
    assert [s.id for s in programme.funding] == ["tca"]
    assert programme.funding[0].to == {"city": 0.5, "county": 0.5}


def test_a_partner_that_alone_received_a_source_takes_it(tmp_path):
    base = _base(tmp_path)
    text = base.read_text().replace("to: {city: 0.5, county: 0.5}", "to: {other: 1}")
    base.write_text(text)
    path = tmp_path / "leave.yaml"
    path.write_text(f"name: leave\nbase: {base}\nremove:\n  partners: [other]\n")
    assert load_scenario(path).programme.funding == ()


# ------------------------------------------------------------------ outputs and the public view
FUNDED = DATA / "funded.yaml"


def _funded_scenario(tmp_path, objective: str = "savings", extra: str = "") -> Path:
    path = tmp_path / f"{objective}.yaml"
    path.write_text(f"name: Funded, {objective}\nbase: {FUNDED}\nobjective: {objective}\n{extra}")
    return path


def _run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out + err


def test_show_lists_the_funding_and_withholds_exempt_amounts(capsys):
    code, out = _run(capsys, "show", str(FUNDED))
    assert code == 0
    assert "county-pays" in out and "capitalisation" in out and "outside the" in out
    assert "2016/17: £3,000" in out and "12,345" not in out and "4,321" not in out
    assert "grants and capitalisation directions add to its budget" in out
    code, out = _run(capsys, "show", str(FUNDED), "--include-exempt")
    assert "2016/17: £12,345;" in out and "2017/18: £6,789" in out


def test_the_public_finance_leaves_exempt_funding_out_and_names_it(tmp_path):
    result = run_scenario(load_scenario(_funded_scenario(tmp_path)))
    assert result.finance is not None and result.plan.plan is not None
    full, public = finance_view(result, True), finance_view(result, False)
    assert full is not None and public is not None
    grant = 12345 + 6789 / 1.035
    assert full.npv == pytest.approx(public.npv + grant)
    assert public.funding_withheld == ["Transformation Challenge Award", "County contribution to HR"]
    assert full.funding_withheld == []
    assert public.by_year["funding"].sum() == 0 and full.by_year["funding"].sum() == pytest.approx(19134)
    shown = public_plan(result.plan, False, result.scores)
    assert shown.objective_value is None and "exempt funding" in shown.notice
    assert public_plan(result.plan, True, result.scores).objective_value == pytest.approx(full.npv, abs=1.0)


def test_compare_states_the_funding_by_year_net_and_capitalised(tmp_path, capsys):
    county = _funded_scenario(tmp_path, extra="fix_option: {hr: hr-county}\n")
    code, out = _run(capsys, "compare", str(county), "--include-exempt", "--format", "json")
    assert code == 0
    row = json.loads(out)["summary"][0]
    assert row["funding 2016/17 (£)"] == pytest.approx(12345)
    assert row["one-off cost net of funding (£)"] == pytest.approx(row["one-off cost (£)"] - 19134)
    assert row["one-off cost (£)"] == pytest.approx(10000)
    assert row["capitalised (£)"] == pytest.approx(3000)  # HR's £10,000 is spent in 2016/17


@pytest.mark.slow
def test_the_report_names_the_funding_sources(tmp_path, capsys):
    report = tmp_path / "report.md"
    code, _ = _run(capsys, "report", str(_funded_scenario(tmp_path)), "--out", str(report))
    text = report.read_text()
    assert code == 0
    assert "Transformation Challenge Award, a grant to City Council (60%) and County Council (40%)" in text
    assert "Capitalisation direction, a capitalisation direction for one-off costs: £3,000 in 2016/17" in text
    assert "12,345" not in text and "| funding |" in text


def test_the_readme_table_names_every_field_of_a_funding_source():
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| funding \| `(\w+)` \| (.*) \|$", readme, flags=re.M)
    provenance = {"source", "illustrative", "notes"}
    assert [f for f, _ in rows] == [f for f in FundingSource.model_fields if f not in provenance]
    kinds = next(text for f, text in rows if f == "kind")
    assert re.findall(r"`(\w+)`", kinds) == list(get_args(FundingKind))
