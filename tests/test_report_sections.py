"""Sections 8–14 and Appendix 4 read back from Word on every shipped scenario: the legal table
against the hand-written table, the risk register's ratings, each council's staff apart, the
equality answers or "to be completed", the background papers, the MoU; names, never ids."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.io.shipped import shipped_programmes
from engine.present.law import provider_category
from engine.programme.model import DeliveryModel, DeliveryOption, Implications, PartnerKind, Programme
from engine.report.build import build_report
from engine.report.document import PUBLIC_OUTLINE
from engine.report.impacts import TO_COMPLETE, people
from engine.report.word import render_docx
from tests.conftest import ROOT
from tests.test_law import EXPECTED

MINE = ("legal", "risk", "people", "corporate", "cases", "consultation", "background_papers", "appendix_mou")
HEADINGS = {key: f"{number} {title}" for key, number, title in PUBLIC_OUTLINE}
SCENARIOS = sorted(
    path for folder in shipped_programmes() for path in (folder.parent / folder.stem).glob("*.yaml")
)
CONTROLLED = {"council-co": "company controlled", "bt-co": "company not controlled"}
BASIS = {  # the hand-written table's basis, by model and provider class
    (model, CONTROLLED.get(provider, category)): basis
    for (model, provider), (category, basis, _words) in EXPECTED.items()
}

BASIS[("hand_back", "council")] = ()  # the arrangement ends under its exit terms: no new vehicle
BASIS[("shared_service", "own")] = ()  # the owner keeps a service nobody else shares any more


def _class(programme: Programme, option: DeliveryOption) -> str:
    """The provider's class as the hand-written table has it; a company is controlled when every
    council it would serve owns it and no private party does."""
    category = provider_category(programme, option)
    if category != "company":
        return category
    provider = programme.partner(option.provider)
    service = programme.service(option.service)
    served = {service.owner, *service.shares} - {provider.id}
    private = any(programme.partner(o).kind in ("private", "other") for o in provider.owners)
    return (
        "company controlled" if served <= set(provider.owners) and not private else "company not controlled"
    )


def _sections(path: Path) -> dict[str, dict[str, list]]:
    """Each Heading 1's paragraphs (text) and tables (rows of cell text), in document order."""
    document = docx.Document(str(path))
    out: dict[str, dict[str, list]] = {}
    current = None
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            paragraph = Paragraph(child, document)
            style = paragraph.style.name if paragraph.style is not None else ""
            if style == "Heading 1" or paragraph.text == "Report details":
                current = out.setdefault(paragraph.text, {"text": [], "tables": []})
            elif current is not None:
                current["text"].append(paragraph.text)
        elif child.tag.endswith("}tbl") and current is not None:
            grid = Table(child, document)
            current["tables"].append([[cell.text for cell in row.cells] for row in grid.rows])
    return out


def _all_text(section: dict[str, list]) -> str:
    cells = [cell for grid in section["tables"] for row in grid for cell in row]
    return "\n".join(section["text"] + cells)


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def written(request, tmp_path_factory):
    result = run_scenario(load_scenario(request.param))
    path = tmp_path_factory.mktemp("sections") / "report.docx"
    render_docx(build_report(result, draws=40), path)
    return result, _sections(path)


def _ids(programme: Programme) -> set[str]:
    """Tokens a reader must never see: ids with a separator, and model and kind codes."""
    ids = {p.id for p in programme.partners} | {s.id for s in programme.services}
    ids |= {o.id for o in programme.options} | {f"{s.id}-status-quo" for s in programme.services}
    codes = set(DeliveryModel.__args__) | set(PartnerKind.__args__)  # type: ignore[attr-defined]
    return {x for x in ids | codes if re.search(r"[-_]", x)}


@pytest.mark.slow
def test_my_sections_speak_names_not_ids(written):
    result, sections = written
    banned = _ids(result.loaded.programme)
    for key in MINE:
        text = _all_text(sections[HEADINGS[key]])
        assert "`" not in text, key
        tokens = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*", text))
        assert not tokens & banned, (key, tokens & banned)


@pytest.mark.slow
def test_the_legal_table_follows_the_hand_written_table(written):
    result, sections = written
    programme = result.loaded.programme
    legal = sections[HEADINGS["legal"]]
    memo = programme.governance.memorandum if programme.governance else None
    said = any("not a legally binding agreement" in p for p in legal["text"])
    assert said == (memo is not None and not memo.binding)  # nothing said of an MoU the programme lacks
    rows = legal["tables"][0][1:] if legal["tables"] else []
    options = [s.option for o in result.plan.to_frame().get("option", []) for s in programme.stages(str(o))]
    assert len(rows) == len(options)
    for row, option in zip(rows, options, strict=True):
        assert row[0] == programme.service(option.service).name
        assert row[1] == programme.partner(option.provider).name
        assert row[-1] == "for Legal Services to confirm"
        key = (option.model, _class(programme, option))
        if option.shared_officers and key[1] == "council":
            assert row[3] == "Local Government Act 1972 s113"
        else:
            assert row[3] == ("; ".join(BASIS[key]) or "none needed"), key


@pytest.mark.slow
def test_the_risk_register_rates_likelihood_times_impact(written):
    _, sections = written
    grid = sections[HEADINGS["risk"]]["tables"][0]
    assert grid[0] == ["risk", "likelihood", "impact", "rating", "mitigation", "owner"]
    ratings = []
    for row in grid[1:]:
        likelihood, impact = int(row[1]), int(row[2])
        assert 1 <= likelihood <= 5 and 1 <= impact <= 5
        assert row[3].startswith(f"{likelihood * impact} (")
        assert row[4] and row[5]
        ratings.append(likelihood * impact)
    assert ratings == sorted(ratings, reverse=True) and len(ratings) >= 3


@pytest.mark.slow
def test_equality_answers_flow_through_or_say_to_be_completed(written):
    result, sections = written
    answers = result.loaded.programme.implications.equality
    grid = sections[HEADINGS["people"]]["tables"][0]
    given = [
        answers.affected,
        answers.discrimination,
        answers.opportunity,
        answers.relations,
        answers.outcome,
    ]
    assert [row[1] for row in grid[1:6]] == [a or TO_COMPLETE for a in given]


@pytest.mark.slow
def test_each_council_counts_only_its_own_staff(written):
    result, sections = written
    programme = result.loaded.programme
    text = "\n".join(sections[HEADINGS["people"]]["text"])
    grids = sections[HEADINGS["people"]]["tables"]
    if len(grids) < 2:
        assert "No service changes" in text
        return
    staff = grids[1][1:]
    by_employer: dict[str, float] = {}
    for row in staff:
        if row[2] != "unknown":
            by_employer[row[1]] = by_employer.get(row[1], 0.0) + float(row[2])
    for name, total in by_employer.items():
        assert f"{name}: {total:g} FTE" in text or f"{name}: at least {total:g} FTE" in text
    if programme.policies:
        ours = programme.partner(programme.policies[0].client).name
        if ours in by_employer:
            assert f"Staff of this council in the services that change: {ours}:" in text


@pytest.mark.slow
def test_background_papers_and_the_mou_appendix(written):
    result, sections = written
    programme = result.loaded.programme
    papers = "\n".join(sections[HEADINGS["background_papers"]]["text"])
    assert "section 100D" in papers
    for source in programme.sources:
        assert source.title in papers
    mou = "\n".join(sections[HEADINGS["appendix_mou"]]["text"])
    facts = programme.implications
    memo = programme.governance.memorandum if programme.governance else None
    if memo is not None and memo.text:
        assert memo.text.split("\n\n")[0] in mou
    else:
        assert "to be attached" in mou
    officers = "\n".join(sections[HEADINGS["consultation"]]["text"])
    assert (facts.s151_comments or "To be completed by the Section 151 Officer") in officers
    assert (facts.monitoring_officer_comments or "To be completed by the Monitoring Officer") in officers


def test_the_shipped_facts_reach_the_report(gloucester, lancaster):
    assert "OJEU notice" in (lancaster.partner("oneconnect").procurement or "")
    assert gloucester.governance and gloucester.governance.memorandum
    assert "binding legal effect" in (gloucester.governance.memorandum.text or "")
    assert gloucester.implications.equality.outcome


def test_equality_answers_given_are_printed(tmp_path):
    result = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"))
    programme = result.loaded.programme
    answers = {"affected": "Staff of the City Council who transfer", "screened_by": "HR lead"}
    facts = Implications.model_validate(
        {**programme.implications.model_dump(), "equality": answers, "redundancy_cost": 120000}
    )
    changed = programme.model_copy(update={"implications": facts})
    again = replace(result, loaded=replace(result.loaded, programme=changed))
    text = "\n".join(
        b.text if b.kind != "table" else "\n".join(" | ".join(r) for r in b.rows)
        for b in people(again).blocks
    )
    assert "Staff of the City Council who transfer" in text and "HR lead" in text
    assert "Redundancy costs: £120,000." in text and "Pension strain" in text and "to be assessed" in text
    assert text.count(TO_COMPLETE) == 5  # four answers and the date


def test_the_readme_documents_every_new_field():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| implications \| `(\w+)` \|", readme, flags=re.M)
    provenance = {"source", "illustrative", "notes"}
    assert rows == [f for f in Implications.model_fields if f not in provenance]
    from engine.programme.model import RiskEntry

    risks = re.findall(r"^\| risk \| `(\w+)` \|", readme, flags=re.M)
    assert risks == [f for f in RiskEntry.model_fields if f not in provenance]
    for record, field in (("partner", "procurement"), ("service", "staff"), ("service", "licensing")):
        assert f"| {record} | `{field}` |" in readme
    assert "| option | `shared_officers` |" in readme
