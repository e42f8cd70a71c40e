"""Excel workbooks: lossless round trips and errors that name sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.base.errors import InputError
from engine.io.load import load_programme, save_programme
from tests.conftest import SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_programme_round_trips_through_xlsx(path: Path, tmp_path: Path):
    programme = load_programme(path)
    book = tmp_path / "book.xlsx"
    save_programme(programme, book)
    assert load_programme(book) == programme
    again = tmp_path / "again.yaml"
    save_programme(load_programme(book), again)
    assert load_programme(again) == programme


@pytest.fixture()
def book(tmp_path: Path, small) -> Path:
    path = tmp_path / "small.xlsx"
    save_programme(small, path)
    return path


def _edit(path: Path, edit) -> Path:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _column(sheet, name: str) -> str:
    for cell in sheet[1]:
        if cell.value == name:
            return cell.column_letter
    raise AssertionError(name)


def test_workbook_has_a_sheet_per_record_kind(book: Path):
    assert load_workbook(book).sheetnames == [
        "programme",
        "partners",
        "services",
        "options",
        "dependencies",
        "resources",
        "sources",
        "exception_policies",
        "actuals",
        "funding_sources",
        "risks",
        "funding",
    ]
    options = load_workbook(book)["options"]
    header = [c.value for c in options[1]]
    assert header[:3] == ["id", "service", "provider"] and "demand.pm" in header


def test_bad_cell_names_sheet_row_and_column(book: Path):
    def edit(wb):
        ws = wb["services"]
        ws[f"{_column(ws, 'annual_cost')}3"] = -5

    _edit(book, edit)
    with pytest.raises(InputError) as caught:
        load_programme(book)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == (
        "services",
        3,
        _column(load_workbook(book)["services"], "annual_cost"),
    )
    assert "services[payroll].annual_cost: expected a number ≥ 0" in str(problem)
    assert "[sheet services] row 3, column" in str(problem)


def test_missing_sheet(book: Path):
    _edit(book, lambda wb: wb.remove(wb["services"]))
    with pytest.raises(InputError, match="missing sheet `services`"):
        load_programme(book)


def test_missing_and_unknown_columns(book: Path):
    def edit(wb):
        ws = wb["options"]
        ws.delete_cols(ws[_column(ws, "model") + "1"].column)
        ws.cell(row=1, column=ws.max_column + 1, value="colour")

    _edit(book, edit)
    with pytest.raises(InputError) as caught:
        load_programme(book)
    text = str(caught.value)
    assert "[sheet options] row 1" in text
    assert "missing column `model`" in text and "unknown column `colour`" in text


def test_unknown_reference_in_workbook(book: Path):
    def edit(wb):
        ws = wb["options"]
        ws[f"{_column(ws, 'provider')}2"] = "nobody"

    _edit(book, edit)
    with pytest.raises(InputError) as caught:
        load_programme(book)
    (problem,) = caught.value.problems
    assert problem.sheet == "options" and problem.row == 2
    assert "unknown partner `nobody`" in problem.message


def test_blank_rows_are_ignored_and_profiles_parse(book: Path, small):
    def edit(wb):
        wb["services"].insert_rows(2)

    _edit(book, edit)
    assert load_programme(book) == small


def test_not_a_workbook(tmp_path: Path):
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"this is not a zip file")
    with pytest.raises(InputError, match="not an Excel workbook"):
        load_programme(fake)
