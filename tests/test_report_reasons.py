"""Section 4's reasons against the figures they print, plain English in the sections this feature
writes, officer rounding and figure provenance."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from engine.appraisal.alternatives import compare_alternative
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.io.load import load_programme
from engine.present.money import field_basis, officer_pounds
from engine.report.alternatives import verdict
from engine.report.run import write_report
from tests.conftest import REPORT_BASELINES, ROOT

SCENARIOS = ROOT / "scenarios"
BASELINES = REPORT_BASELINES
PAIRS = [
    (programme, base, other.name)
    for programme, base in BASELINES.items()
    for other in sorted((SCENARIOS / programme).glob("*.yaml"))
    if other.name != base
]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2_199_491.78, "£2.20 m"),
        (229_000, "£229,000"),
        (228_612.4, "£229,000"),
        (999_600, "£1.00 m"),
        (450.4, "£450"),
        (0.2, "£0"),
        (-163_400, "−£163,000"),
        (-0.3, "£0"),
    ],
)
def test_money_is_rounded_as_officers_write_it(value, text):
    assert officer_pounds(value) == text


def test_the_figures_the_sources_give_say_so():
    programme = load_programme(SCENARIOS / "gloucester-2015.yaml")
    hr, payroll = programme.option("hr-county-s101"), programme.option("payroll-county")
    web = next(s.title for s in programme.sources if s.id == "county-web")
    assert field_basis(programme, hr, "annual_cost").words() == f"source: {web}"
    assert field_basis(programme, payroll, "annual_cost").words() == f"source: {web}"
    assert field_basis(programme, hr, "one_off_cost").words() == "illustrative"
    assert web in field_basis(programme, programme.service("communications"), "annual_cost").words()
    assert field_basis(programme, programme.service("hr"), "annual_cost").illustrative


@pytest.mark.parametrize("programme", list(BASELINES))
def test_the_value_compared_is_the_value_objective(programme):
    """Both plans' value is what the value objective counts (gain discounted by when it arrives):
    for the recommendation itself it is the planner's own objective value."""
    result = run_scenario(load_scenario(SCENARIOS / programme / BASELINES[programme]))
    value = next(m for m in compare_alternative(result, result, True).measures if m.key == "value")
    assert value.ours == pytest.approx(result.plan.objective_value, rel=1e-9)
    assert value.theirs == value.ours


def _amount(text: str) -> float:
    sign = -1 if text.startswith("−") else 1
    number = text.lstrip("−£").replace(",", "")
    return sign * (float(number[:-2]) * 1e6 if number.endswith(" m") else float(number))


NUMBER = r"(−?£[\d,]+(?:\.\d+)?(?: m)?|\d+(?:\.\d+)?)"
FIGURE = re.compile(rf"(?:^|; |: |\(|, but )(?:its )?([^;:(]+?) {NUMBER} against {NUMBER}")


@pytest.mark.slow
@pytest.mark.parametrize(("programme", "base", "other"), PAIRS)
def test_every_reason_agrees_with_the_figures_it_prints(programme, base, other):
    """A rejection names only figures on which the alternative is worse; anything it is better on is
    said with why; an alternative better on every measure that differs is the recommendation's
    stated weakness, never simply rejected."""
    ours = run_scenario(load_scenario(SCENARIOS / programme / base))
    theirs = run_scenario(load_scenario(SCENARIOS / programme / other))
    for exempt in (False, True):
        alt = compare_alternative(ours, theirs, exempt)
        text = verdict(alt, ours.plan.objective, exempt)
        if not alt.feasible:
            assert text.startswith("Rejected: no plan")
            continue
        rejected, _, rest = text.partition(" It is better on ")
        if text.startswith("Not rejected"):
            rejected, rest = "", text
        lower = {m.label: m.lower_is_better for m in alt.measures}
        for part, worse in ((rejected, True), (rest, False)):
            for label, theirs_text, ours_text in FIGURE.findall(part.replace("It is better on ", ": ")):
                label = label.strip()
                assert label in lower, (label, text)
                a, b = _amount(theirs_text), _amount(ours_text)
                assert a != b, text
                alternative_better = (a < b) if lower[label] else (a > b)
                assert alternative_better != worse, (label, text)
        if text.startswith("Rejected"):
            assert FIGURE.search(rejected) or "MoU test" in rejected, text
        if "Not rejected" in text:
            assert "weakness of the recommendation" in text
        if not exempt and alt.withheld:
            assert "£" not in text  # money resting on a confidential price stays in the exempt appendix


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reasons")
    out = {}
    for programme, base in BASELINES.items():
        others = [SCENARIOS / programme / o for p, b, o in PAIRS if p == programme]
        out[programme] = folder / f"{programme}.docx"
        write_report(SCENARIOS / programme / base, out[programme], compare=others, draws=20)
    return out


def _section(path: Path, number: str, following: str) -> str:
    lines = [p.text for p in docx.Document(str(path)).paragraphs]
    start = next(i for i, t in enumerate(lines) if t.startswith(f"{number} "))
    end = next(i for i, t in enumerate(lines) if t.startswith(f"{following} "))
    return "\n".join(lines[start:end])


@pytest.mark.slow
@pytest.mark.parametrize("programme", list(BASELINES))
def test_alternatives_reasons_and_money_speak_plain_english(reports, programme):
    """No internal id, backtick, solver name, seed or model-kind token in sections 4, 5 and 7, and
    the short list names each of its four entries, doing nothing once."""
    loaded = load_programme(SCENARIOS / f"{programme}.yaml")
    ids = {r.id for r in (*loaded.services, *loaded.options, *loaded.partners, *loaded.resources)}
    tokens = {i for i in ids if "-" in i or "_" in i} | {"highs", "cbc", "seed", "joint_venture", "`"}
    path = reports[programme]
    for number, following in (("4.0", "5.0"), ("5.0", "6.0"), ("7.0", "8.0")):
        text = _section(path, number, following)
        words = set(re.findall(r"[\w`-]+", text)) | ({"`"} if "`" in text else set())
        assert not (words & tokens), (number, words & tokens)
    section_4 = _section(path, "4.0", "5.0")
    entries = ("Business as usual (doing nothing)", "Do minimum", "Preferred way forward", "More ambitious")
    assert all(entry in section_4 for entry in entries)
    assert section_4.count("doing nothing") == 2  # the short list's lead and its one entry


@pytest.mark.slow
def test_lancaster_public_finance_is_never_a_false_zero(reports):
    text = _section(reports["lancaster-2011"], "7.0", "8.0")
    assert "£0" not in text and "0.0 years" not in text
    assert "exempt appendix" in text and "OneConnect Limited" in text


def _body(path: Path) -> str:
    """Every paragraph and table cell before Appendix 1 (the appendices may cite ids and pennies)."""
    document = docx.Document(str(path))
    parts: list[str] = []
    for child in document.element.body.iterchildren():
        text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
        if child.tag.endswith("}p") and text.startswith("Appendix 1"):
            break
        parts.append(text)
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("programme", list(BASELINES))
def test_the_whole_body_speaks_names_not_ids(reports, programme):
    """Issue 17's read-back: no backtick, no code token and no record id in any section of the body.

    Ids that are ordinary words ("payroll", "legal") cannot be told from English, so the check is on
    ids that no sentence would contain: with a hyphen, an underscore or a digit."""
    body = _body(reports[programme])
    loaded = load_programme(SCENARIOS / f"{programme}.yaml")
    ids = {
        x.id
        for x in (*loaded.services, *loaded.options, *loaded.partners, *loaded.resources)
        if re.search(r"[-_0-9]", x.id)
    }
    assert ids, "the programme has ids a sentence would not contain, so the check can fail"
    tokens = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9]", body))
    assert not tokens & ids, sorted(tokens & ids)
    assert "`" not in body
    for code in ("is_status_quo", "??", "joint_venture", "s101_delegation", "highs", "seed "):
        assert code not in body, code


@pytest.mark.slow
@pytest.mark.parametrize("programme", list(BASELINES))
def test_the_exception_justifications_speak_names(reports, programme):
    """Appendix 3 is prose for members: each exception and what it is weighed against by name (the
    model and its provider), never by the file's ids; the draws counted with a separator."""
    text = _section(reports[programme], "Appendix 3", "Appendix 4")
    loaded = load_programme(SCENARIOS / f"{programme}.yaml")
    ids = {x.id for x in (*loaded.options, *loaded.partners) if re.search(r"[-_0-9]", x.id)}
    assert not set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9]", text)) & ids
    if programme == "gloucester-2015":
        assert "Human Resources and related transactional services: outsourced with Private HR" in text
        assert "weighed against the s101 delegation with Gloucestershire County Council" in text


@pytest.mark.slow
@pytest.mark.parametrize("programme", list(BASELINES))
def test_no_part_of_the_report_gives_a_command_or_rule_syntax(reports, programme):
    """The appendices may cite ids, but never a command line or the rule language: the note on
    assumed values read "(`?? default`); `ssplan score --strict` refuses them" in every report."""
    document = docx.Document(str(reports[programme]))
    text = "\n".join(
        "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
        for child in document.element.body.iterchildren()
    )
    assert re.search(r"produced by: ssplan \d", text)  # the provenance names the program, rightly
    commands = r"ssplan (score|plan|report|validate|compare|progress|exit|show|sensitivity|switching)\b"
    assert not re.findall(commands, text)
    for code in ("--strict", "--include-exempt", "??", "`"):
        assert code not in text, code
