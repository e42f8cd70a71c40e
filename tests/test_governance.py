"""Governance as data: each council's own decision, the MoU as it is, a flexible Word template.

Read back with python-docx from the reports of the three shipped partnerships.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import docx
import pytest

from engine.appraisal.compare import compare
from engine.appraisal.evidence import gather
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.io.load import load_programme
from engine.present.money import officer_pounds
from engine.programme.model import Governance, Memorandum, ProgrammeGovernance
from engine.report.build import build_report
from engine.report.council import audience, key_decision
from engine.report.figures import finance_view
from engine.report.run import write_report
from engine.report.word import render_docx
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
GLOUCESTER = SCENARIOS / "gloucester-2015" / "county-first.yaml"
ESSEX = SCENARIOS / "essex-2010" / "consensus.yaml"
LANCASTER = SCENARIOS / "lancaster-2011" / "baseline.yaml"
DRAWS = 30


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for grid in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in grid.rows]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def runs():
    out = {}
    for key, path in (("gloucester", GLOUCESTER), ("essex", ESSEX), ("lancaster", LANCASTER)):
        result = run_scenario(load_scenario(path))
        out[key] = (result, gather(result, draws=DRAWS, seed=0))
    return out


def _docx(runs, key: str, folder: Path, council: str | None = None, template: Path | None = None) -> Path:
    result, evidence = runs[key]
    report = build_report(result, draws=DRAWS, evidence=evidence, council=council)
    path = folder / f"{key}-{council or 'default'}.docx"
    render_docx(report, path, template)
    return path


def test_the_readme_documents_every_governance_field():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    provenance = {"source", "illustrative", "notes"}
    for record, model in (
        ("partner governance", Governance),
        ("programme governance", ProgrammeGovernance),
        ("memorandum", Memorandum),
    ):
        rows = re.findall(rf"^\| {record} \| `(\w+)` \| .* \|$", readme, flags=re.M)
        assert rows == [f for f in model.model_fields if f not in provenance], record


def test_gloucester_resolves_for_the_city_cabinet_after_scrutiny(runs, tmp_path):
    text = _text(_docx(runs, "gloucester", tmp_path))
    assert (
        "Overview & Scrutiny Committee is asked to note the report and to make any recommendations to "
        "Cabinet for consideration." in text
    )
    assert (
        "Cabinet is asked to RESOLVE, subject to consideration of the recommendations from Overview" in text
    )
    assert (
        "To authorise the Director of Services & Neighbourhoods to adjust the dates in the plan as "
        "appropriate in consultation with the Cabinet Member for Performance & Resources." in text
    )
    assert "The start dates are indicative: each service comes back to Cabinet with its own business" in text
    # the County's commissioning decision is noted as the County's, not agreed by the City
    assert "are for Gloucestershire County Council to decide through its own decision-making" in text
    # something is exempt: the press are excluded for the appendix (Schedule 12A paragraph 3)
    assert "That the press and public be excluded" in text and "paragraph 3 of Part 1 of Schedule 12A" in text
    assert "Overview & Scrutiny Committee, 15 June 2015; Cabinet, 17 June 2015" in text


def test_the_mou_is_described_as_it_is(runs, tmp_path):
    gloucester = _text(_docx(runs, "gloucester", tmp_path))
    assert "is not legally binding" in gloucester
    assert "“By exception, it is agreed that where both sides recognise that greater value" in gloucester
    assert "The programme reads 'greater value recognised by both sides' as a net present value" in gloucester
    lancaster = _text(_docx(runs, "lancaster", tmp_path))
    assert "Under the Memorandum of Understanding OneConnect" not in lancaster
    assert "the Memorandum of Understanding names no default provider" in lancaster
    assert "the programme's decision route for such a case is" in lancaster
    essex = _text(_docx(runs, "essex", tmp_path))
    assert "default provider" not in essex.split("3.0 Background")[0]  # 1.2 promises no justification
    for text in (gloucester, lancaster, essex):
        assert "MoU requires" not in text and "scores at least" not in text


def test_each_essex_council_resolves_subject_to_the_others(runs, tmp_path):
    result, _ = runs["essex"]
    programme = result.loaded.programme
    summary = compare([result]).summary.iloc[0]
    names = {p.id: p.name for p in programme.partners}
    for council in programme.consensus.partners:
        text = _text(_docx(runs, "essex", tmp_path, council))
        others = " and ".join(n for p, n in names.items() if p != council)
        assert (
            f"{names[council]}'s Cabinet is asked to RESOLVE, subject to the agreement of the Leaders' Board "
            f"and the decisions of {others} through their own decision-making:" in text
        )
        for name in names.values():  # the consensus table: compare's own figures
            npv = officer_pounds(summary[f"NPV for {name} (£)"])  # rounded as officers write it
            value = f"{summary[f'value for {name} (own weights)']:.3f}"
            assert f"{name} | {npv} | {value} |" in text
        assert "NOT FOR PUBLICATION" not in text and "press and public be excluded" not in text


def test_nothing_exempt_means_no_exempt_appendix(tmp_path, capsys):
    written = write_report(ESSEX, tmp_path / "r.md", exempt_out=tmp_path / "x.md", draws=DRAWS)
    assert written == [tmp_path / "r.md"] and not (tmp_path / "x.md").exists()
    assert "nothing in the programme is exempt" in capsys.readouterr().err


def test_the_exempt_appendix_carries_the_public_interest_test(runs, tmp_path):
    result, evidence = runs["gloucester"]
    report = build_report(result, draws=DRAWS, evidence=evidence, exempt=True)
    path = tmp_path / "exempt.docx"
    render_docx(report, path)
    text = _text(path)
    assert "Public interest test:" in text and "Cabinet is asked to exclude the press and public" in text
    assert docx.Document(str(path)).core_properties.subject.endswith("NOT FOR PUBLICATION")


def test_key_decision_is_derived_from_the_threshold(runs):
    result, _ = runs["gloucester"]
    who = audience(result.loaded.programme)
    money = finance_view(result, include_exempt=False)
    # by hand: the City's one-off costs are £497,000 and its annual savings £417,000
    row = money.by_partner.set_index("partner").loc["gcc"]
    assert (row["one_off"], row["annual_saving"]) == (497000.0, 417000.0)
    stated, _ = key_decision(result, who, money)  # the scenario's author says No; the check says why
    assert stated.startswith("No (as the report's author states; the figures suggest yes:")
    unstated = dataclasses.replace(
        result,
        loaded=dataclasses.replace(
            result.loaded,
            scenario=result.loaded.scenario.model_copy(
                update={"report": result.loaded.scenario.report.model_copy(update={"key_decision": None})}
            ),
        ),
    )
    answer, plan = key_decision(unstated, who, money)
    assert answer == (
        "Yes (Gloucester City Council's one-off costs of £497,000 reach the constitution's threshold of "
        "£100,000)"
    )
    assert plan.startswith("Required: a key decision must be on the Forward Plan 28 clear days before")
    for threshold, expected in ((497000.0, "Yes"), (497001.0, "No"), (None, "To be confirmed")):
        governance = who.governance.model_copy(update={"key_decision_threshold": threshold})
        answer, _ = key_decision(unstated, dataclasses.replace(who, governance=governance), money)
        assert answer.split(" (")[0] == expected


def test_document_properties_come_from_the_report(runs, tmp_path):
    props = docx.Document(str(_docx(runs, "gloucester", tmp_path))).core_properties
    assert props.title == "Partnership working with Gloucestershire County Council"
    assert props.author == "Martin Shields, Corporate Director Services & Neighbourhoods"
    assert props.subject == "Report to Gloucester City Council Cabinet"


def test_a_council_template_drops_reorders_and_adds_sections(runs, tmp_path):
    template = docx.Document()
    template.add_paragraph("{{ header.subject }}")
    template.add_heading("Decisions sought", level=1)
    template.add_paragraph("{{p recommendations }}")
    template.add_heading("{{ headings.purpose }}", level=1)
    template.add_paragraph("{{p purpose }}")
    template.add_heading("Section 151 Officer comments", level=1)  # the council's own section
    template.add_paragraph("To be completed by the Section 151 Officer.")
    template.add_paragraph("{%p if sections.risk %}")
    template.add_paragraph("{{p risk }}")
    template.add_paragraph("{%p endif %}")
    template.add_paragraph("{{p climate_change }}")  # a section this report does not have
    template.add_paragraph("Omitted: {{ omitted }}")
    path = tmp_path / "house.docx"
    template.save(str(path))
    result, evidence = runs["gloucester"]
    out = tmp_path / "house-report.docx"
    warned = "\n".join(render_docx(build_report(result, draws=DRAWS, evidence=evidence), out, path))
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    text = "\n".join(paragraphs)
    recommend = next(i for i, p in enumerate(paragraphs) if "is asked to RESOLVE" in p)
    purpose = next(i for i, p in enumerate(paragraphs) if p.startswith("1.1 To seek"))
    assert recommend < purpose and "1.0 Purpose of Report" in paragraphs
    assert "To be completed by the Section 151 Officer." in text and "9.1 " in text
    omitted = re.search(r"^Omitted: (.*)$", text, flags=re.M).group(1)
    assert "3.0 Background and Key Issues" in omitted and "7.0 Financial Implications" in omitted
    assert "2.0 Recommendations" not in omitted and "9.0 Risk" not in omitted
    assert "does not place these sections, so they are omitted: 3.0 Background" in warned
    assert "names tags the report does not have (left empty): climate_change" in warned


def test_for_names_a_partner_or_is_refused(tmp_path, capsys):
    from tests.test_cli import run

    code, _, err = run(capsys, "report", str(ESSEX), "--out", str(tmp_path / "r.md"), "--for", "brentwod")
    assert code == 2 and "no partner `brentwod` in the programme (did you mean `brentwood`?)" in err
    assert not (tmp_path / "r.md").exists()


@pytest.mark.slow
def test_for_each_writes_one_report_per_council(tmp_path):
    written = write_report(ESSEX, tmp_path / "r.md", draws=DRAWS, council="each")
    assert [p.name for p in written] == ["r-braintree.md", "r-brentwood.md", "r-essex-cc.md"]
    assert "Brentwood Borough Council's Cabinet is asked to RESOLVE" in written[1].read_text()


def test_the_executive_resolves_where_a_council_has_one(runs, tmp_path):
    result, evidence = runs["lancaster"]
    programme = result.loaded.programme
    council = programme.partner("lancaster")
    governance = council.governance.model_copy(update={"body": "executive", "name": None})
    changed = programme.model_copy(
        update={
            "partners": tuple(
                p.model_copy(update={"governance": governance}) if p.id == "lancaster" else p
                for p in programme.partners
            )
        }
    )
    who = audience(changed)
    assert who.body == "the Executive" and who.body_title == "The Executive"
    lancaster = dataclasses.replace(result, loaded=dataclasses.replace(result.loaded, programme=changed))
    report = build_report(lancaster, draws=DRAWS, evidence=evidence)
    recommendations = next(s for s in report.sections if s.key == "recommendations")
    assert recommendations.blocks[-1].text == "The Executive is asked to RESOLVE:"
    assert "submitted to the Executive in respect of each service" in recommendations.blocks[-1].items[-1]


def test_an_unknown_lead_council_is_a_located_error(tmp_path):
    source = (ROOT / "tests" / "data" / "small.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(source.rstrip("\n") + "\ngovernance:\n  lead: nobody\n")
    with pytest.raises(
        InputError, match=r"bad\.yaml:\d+:\d+: governance\.lead: governance references unknown"
    ):
        load_programme(bad)


def test_the_county_report_agrees_only_the_countys_own_change(runs, tmp_path):
    text = _text(_docx(runs, "gloucester", tmp_path, "Gloucestershire County Council"))
    assert "Gloucestershire County Council Cabinet, date to be set" in text  # not the City's meetings
    agree = next(line for line in text.splitlines() if "To agree the High Level Implementation Plan" in line)
    assert "for Gloucestershire County Council's services, which changes 1 service in this order: " in agree
    assert "Community engagement for the County in the City" in agree and "Payroll" not in agree
    assert "are for Gloucester City Council to decide through its own decision-making" in text
    assert "Overview & Scrutiny" not in text.split("3.0 Background")[0]  # the City's committee
    assert "Key decision: | To be confirmed (no key-decision threshold is recorded" in text


def test_a_lead_council_that_leaves_hands_the_report_to_the_next(tmp_path):
    scenario = tmp_path / "leaves.yaml"
    base = SCENARIOS / "essex-2010.yaml"
    scenario.write_text(f"name: Braintree leaves\nbase: {base}\nremove: {{partners: [braintree]}}\n")
    programme = load_scenario(scenario).programme
    assert programme.governance.lead is None
    who = audience(programme)
    assert who.council.id == "brentwood" and [p.id for p in who.others] == ["essex-cc"]


WHAT_IFS = sorted(SCENARIOS.glob("*/*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", WHAT_IFS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_council_agrees_only_its_own_changes(path):
    """Over every shipped what-if and every council of its partnership: each change in the plan is
    agreed by exactly the councils whose service it is and noted by the others, the body asked is
    the council's own, and the press are excluded only when something is exempt."""
    from engine.report.council import councils, own_services
    from engine.report.resolutions import has_exempt, recommendation_blocks

    result = run_scenario(load_scenario(path))
    programme = result.loaded.programme
    schedule = result.plan.to_frame()
    for council in councils(programme):
        who = audience(programme, council.id)
        resolve = recommendation_blocks(result, who)[-1]
        assert who.body.removeprefix("the ") in resolve.text and "is asked to RESOLVE" in resolve.text
        assert (programme.consensus is not None) == ("subject to the agreement of" in resolve.text)
        agree = next((r for r in resolve.items if "To agree the High Level" in r), "")
        noted = " ".join(r for r in resolve.items if "to decide through its own decision-making" in r)
        mine = own_services(programme, council)
        for _, row in schedule.iterrows():
            name = f"{row['service_name']} ("
            assert (name in agree) == (row["service"] in mine), (council.id, row["service"])
            assert (name in noted) == (row["service"] not in mine), (council.id, row["service"])
        excluded = any("press and public be excluded" in r for r in resolve.items)
        assert excluded == has_exempt(programme)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("gloucester-2015", "the MoU names the default provider"),
        ("lancaster-2011", "the default provider is the programme's assumption, not named in the MoU"),
    ],
)
def test_show_says_whose_the_default_provider_is(name, said):
    """`ssplan show` words the exception rule as the report does: the margin is the programme's
    reading, and a default provider the MoU does not name is the programme's assumption."""
    from engine.present.summary import summary_text

    text = " ".join(summary_text(load_programme(ROOT / "scenarios" / f"{name}.yaml"), width=400).split())
    assert said in text
    assert "the margin is the programme's reading of the MoU's 'greater value'" in text
