"""Loading YAML programmes: shipped files, round trips, and every kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.base.errors import InputError, SsplanError
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from tests.conftest import DATA, SHIPPED

BAD = sorted(p for p in (DATA / "bad").iterdir() if p.suffix == ".yaml")


def test_three_partnerships_are_shipped():
    assert {p.stem for p in SHIPPED} >= {"gloucester-2015", "essex-2010", "lancaster-2011"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_programme_round_trips_through_yaml(path: Path):
    programme = load_programme(path)
    text = dump_programme(programme)
    again = parse_programme(text, "dumped.yaml")
    assert again == programme
    assert dump_programme(again) == text  # the dump is a fixed point


def _expectations(path: Path) -> tuple[list[str], int | None]:
    sidecar = path.with_suffix(".expect")
    if sidecar.exists():
        return sidecar.read_text().splitlines(), None
    text = path.read_text(encoding="utf-8")
    expects = re.findall(r"^# expect: (.*)$", text, flags=re.M)
    line = re.search(r"^# line: (\d+)$", text, flags=re.M)
    return expects, int(line.group(1)) if line else None


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_input_gives_located_error(path: Path):
    expects, line = _expectations(path)
    assert expects, f"{path.name} states no expected error"
    with pytest.raises(InputError) as caught:
        load_programme(path)
    message = str(caught.value)
    for expected in expects:
        assert expected in message
    assert all(p.file == str(path) for p in caught.value.problems)
    if line is not None:
        assert line in [p.line for p in caught.value.problems], message


def test_every_problem_is_reported_not_only_the_first():
    text = (DATA / "small.yaml").read_text()
    text = text.replace("annual_cost: 40000", "annual_cost: -1").replace("periods: 12", "periods: x")
    text = text.replace("kind: district", "kind: parish")
    with pytest.raises(InputError) as caught:
        parse_programme(text, "many.yaml")
    fields = [p.field for p in caught.value.problems]
    assert fields == ["horizon.periods", "partners[other].kind", "services[payroll].annual_cost"]


def test_missing_file_and_unknown_suffix(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        load_programme(tmp_path / "absent.yaml")
    odd = tmp_path / "programme.txt"
    odd.write_text("id: x")
    with pytest.raises(InputError, match=r"unknown file type `\.txt`"):
        load_programme(odd)


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(InputError, match="expands to more than"):
        parse_programme("\n".join(lines), "bomb.yaml")


def test_deep_nesting_is_an_input_error():
    with pytest.raises(InputError):
        parse_programme("a: " + "[" * 5000 + "]" * 5000, "deep.yaml")


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path, small):
    target = tmp_path / "out.yaml"
    target.write_text("previous content")
    save_programme(small, target)
    assert load_programme(target) == small
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_failed_save_keeps_the_previous_file(tmp_path: Path, small, monkeypatch):
    target = tmp_path / "out.yaml"
    target.write_text("previous content")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    # the message names the target, not the temporary file
    with pytest.raises(SsplanError, match=r"out\.yaml: cannot write here: disk full"):
        save_programme(small, target)
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_explicit_status_quo_is_checked_against_its_own_service():
    """The status quo of the first service is checked against that service's provider, not the
    provider of whichever service came last in the file."""
    text = (DATA / "bad" / "status-quo-wrong-provider.yaml").read_text()
    good = text.replace("provider: county, model: status_quo", "provider: city, model: status_quo")
    programme = parse_programme(good, "good.yaml")
    assert programme.option("hr-today").is_status_quo


def test_five_mistakes_of_different_kinds_are_all_told_in_one_pass():
    """A repeated key (YAML), a negative cost and a 5 % written as 5 (fields), an unknown partner
    and a repeated option id (references): five located messages at once. The option on the
    broken service still names a service the officer has written, so no sixth, false message."""
    text = (DATA / "small.yaml").read_text()
    text = text.replace("fte: 3", "fte: 3, fte: 4")
    text = text.replace("annual_cost: 40000", "annual_cost: -1")
    text = text.replace("margin: 0.05", "margin: 5")
    text = text.replace(
        "id: hr-other, service: hr, provider: other", "id: hr-other, service: hr, provider: othr"
    )
    text = text.replace("id: payroll-county", "id: hr-county")
    with pytest.raises(InputError) as caught:
        parse_programme(text, "five.yaml")
    problems = caught.value.problems
    message = str(caught.value)
    assert len(problems) == 5, message
    assert all(p.file == "five.yaml" and p.line for p in problems), message
    for expected in (
        "key `fte` appears twice",
        "annual_cost: expected a number ≥ 0",
        "write 5 % as 0.05",
        "unknown partner `othr` (did you mean `other`?)",
        "duplicate option id `hr-county`",
    ):
        assert expected in message
    lines = {p.line for p in problems}
    assert len(lines) >= 4, message  # each told where it is, not all at the top of the file


def test_a_date_that_does_not_exist_is_told_with_the_other_problems():
    text = (DATA / "small.yaml").read_text()
    text = text.replace("duration: 2, demand: {pm: 3}", "duration: 2, earliest_start: 2016-02-30")
    text = text.replace("provider: other", "provider: othr")
    with pytest.raises(InputError) as caught:
        parse_programme(text, "date.yaml")
    message = str(caught.value)
    assert "`2016-02-30` is not a real date" in message
    assert message.count("2016-02-30") == 1, message  # told once, not again as 'expected a date'
    assert "unknown partner `othr`" in message
