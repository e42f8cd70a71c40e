"""Programme workbooks for officers who work in Excel: one sheet per kind of record.

Sheets: ``programme`` (field/value rows for the horizon and policies), ``partners``, ``services``,
``options``, ``dependencies``, ``resources``, ``funding`` (resource tranches), ``sources``,
``exception_policies`` and ``funding_sources`` (grants, contributions, capitalisation
directions) and ``risks`` (the risk register).  Mappings become dotted columns
(``demand.pm-days``, ``attributes.outcome``);
short lists are comma-separated text; a per-period demand profile is ``3; 3; 2``.  The
conversion is driven by the model's field types, so YAML → workbook → YAML is lossless.
"""

from __future__ import annotations

import difflib
import io
import re
import types
import typing
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from engine.base.errors import InputError, Problem, remember_source
from engine.base.limits import (
    MAX_CELLS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_STRING_CHARS,
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    ZIP_RATIO_FLOOR,
    check_size,
    megabytes,
    read_input,
)
from engine.io.cells import from_xlsx_text, neutralise_cell, xlsx_value
from engine.io.records import PROVENANCE, programme_data, validate_programme
from engine.io.validation import Loc
from engine.programme import model as m

# sheet name -> (programme section, record model); order is the workbook's sheet order
RECORD_SHEETS: dict[str, tuple[str, type[BaseModel]]] = {
    "partners": ("partners", m.Partner),
    "services": ("services", m.Service),
    "options": ("options", m.DeliveryOption),
    "dependencies": ("dependencies", m.Dependency),
    "resources": ("resources", m.ResourcePool),
    "sources": ("sources", m.SourceDocument),
    "exception_policies": ("exception_policies", m.ExceptionPolicy),
    "actuals": ("actuals", m.Actual),
    "funding_sources": ("funding", m.FundingSource),  # the resources' tranches are sheet `funding`
    "risks": ("risks", m.RiskEntry),
}
REQUIRED_SHEETS = ("programme", "partners", "services")


# ---------------------------------------------------------------------------------------- write
def workbook_bytes(programme: m.Programme) -> bytes:
    data = programme_data(programme)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "programme"
    _write_rows(sheet, ["field", "value"], [[k, v] for k, v in _flatten_programme(data).items()])
    for name, (section, _model) in RECORD_SHEETS.items():
        rows = [_flatten(rec, exclude=("funding",)) for rec in data.get(section, [])]
        _write_table(book.create_sheet(name), rows, leading=_leading(name))
    funding_rows = [
        {"resource": res["id"], **_flatten(tranche)}
        for res in data.get("resources", [])
        for tranche in res.get("funding", [])
    ]
    _write_table(book.create_sheet("funding"), funding_rows, leading=["resource", "by", "first"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _leading(sheet: str) -> list[str]:
    _section, model = RECORD_SHEETS[sheet]
    names = [n for n in model.model_fields if n != "funding"]
    return [n for n in names if n not in PROVENANCE] + [n for n in PROVENANCE if n in names]


def _flatten_programme(data: dict[str, Any]) -> dict[str, Any]:
    """The programme sheet: every field and single section, the record lists having sheets of their own."""
    return _flatten(data, exclude=tuple(section for section, _ in RECORD_SHEETS.values()))


def _flatten(record: dict[str, Any], exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if key in exclude:
            continue
        if isinstance(value, dict):
            for sub, cell in _flatten(value).items():
                flat[f"{key}.{sub}"] = cell
        else:
            flat[key] = _cell(value)
    return flat


def _cell(value: Any) -> Any:
    """One cell's value.  None is written `unknown`: a blank cell reads back as the field's default
    (an FTE of 0), so an unknown must say so (defaults are left out of the dump, so None is only
    ever a value that is not known)."""
    if value is None:
        return m.UNKNOWN
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value:
            return "; ".join(repr(float(v)) if isinstance(v, float) else str(v) for v in value)
        return ", ".join(str(v) for v in value)
    return value


def _write_table(sheet: Any, rows: list[dict[str, Any]], leading: list[str]) -> None:
    present = {k for row in rows for k in row}
    columns = [c for c in leading if c in present or c in ("id",)]
    for row in rows:
        columns += [k for k in row if k not in columns]
    if not rows:
        columns = [c for c in leading]
    _write_rows(sheet, columns, [[row.get(c) for c in columns] for row in rows])


def _write_rows(sheet: Any, header: list[str], rows: list[list[Any]]) -> None:
    """Rows of cells, every text cell a string that Excel never runs (engine.io.cells)."""
    sheet.append([xlsx_value(v) for v in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        neutralise_cell(cell)
    for row in rows:
        sheet.append([xlsx_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            neutralise_cell(cell)
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(name)) + 4))
    sheet.freeze_panes = "A2"


# ----------------------------------------------------------------------------------------- read
def read_workbook(path: str | Path | IO[bytes], source: str | None = None) -> m.Programme:
    """A workbook from a file, or from bytes in memory (an upload) named ``source`` in errors.

    The file's size, its zip members' declared sizes and compression ratios, and each sheet's
    declared cell range are checked before a cell is read (see :mod:`engine.base.limits`).
    """
    name = source or str(path)
    if isinstance(path, (str, Path)):
        content = read_input(path, MAX_WORKBOOK_BYTES, "workbook")
    else:
        content = path.read()
        check_size(len(content), MAX_WORKBOOK_BYTES, "workbook", name)
    has_formulas = _check_archive(content, name)
    reader = _Reader(name)
    books: list[Any] = []
    try:
        # values as Excel last calculated them, and the formulas (to tell a formula never calculated)
        books.append(load_workbook(io.BytesIO(content), data_only=True, read_only=True))
        if has_formulas:
            books.append(load_workbook(io.BytesIO(content), data_only=False, read_only=True))
        data = reader.read(*books)
    except _UNREADABLE as exc:  # SyntaxError covers ElementTree's ParseError (bad XML in the zip)
        raise InputError.one(f"not a readable Excel workbook (.xlsx): {_reason(exc)}", file=name) from None
    finally:
        for book in books:
            book.close()
    if reader.problems:  # the cells read, judged in the same pass (what the reader told, not again)
        raise InputError([*reader.problems, *reader.later(data)])
    programme = validate_programme(data, name, reader.locate)
    remember_source(programme, name)
    return programme


_UNREADABLE = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError, EOFError)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if type(exc).__name__ == "ParseError" else str(exc)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _check_archive(content: bytes, name: str) -> bool:
    """Refuse a workbook whose zip would inflate beyond the limits, from its declared sizes;
    say whether any sheet holds a formula.

    zipfile stops reading a member at its declared size (and then fails its CRC check), so the
    declared sizes bound what openpyxl can be made to inflate.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError.one(f"not an Excel workbook (.xlsx): {exc}", file=name) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError.one(
                f"the workbook holds {len(members):,} files; the limit is {MAX_ZIP_MEMBERS:,}", file=name
            )
        total = sum(info.file_size for info in members)
        if total > MAX_UNZIPPED_BYTES:
            raise InputError.one(
                f"the workbook unzips to {megabytes(total)}; the limit is {megabytes(MAX_UNZIPPED_BYTES)}",
                file=name,
            )
        for info in members:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > ZIP_RATIO_FLOOR and ratio > MAX_ZIP_RATIO:
                raise InputError.one(
                    f"`{info.filename}` inside the workbook inflates {ratio:,.0f} times "
                    f"(to {megabytes(info.file_size)}); the limit is {MAX_ZIP_RATIO} times, "
                    "so it looks like a zip bomb",
                    file=name,
                )
            if info.filename.lower().endswith("sharedstrings.xml") and (
                info.file_size > MAX_SHARED_STRINGS_BYTES
            ):
                raise InputError.one(
                    f"the workbook's shared strings take {megabytes(info.file_size)}; "
                    f"the limit is {megabytes(MAX_SHARED_STRINGS_BYTES)}",
                    file=name,
                )
        try:
            return any(
                _FORMULA.search(archive.read(info))
                for info in members
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            )
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError.one(f"not a readable Excel workbook (.xlsx): {exc}", file=name) from None


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.positions: dict[Loc, tuple[str, int, str | None]] = {}
        self.formulas: Any = None
        self.cells = 0  # filled cells read so far, over every sheet
        self.problems: list[Problem] = []
        self.guessing = False  # a problem that leaves every row short: validation would only guess
        self.funding_left_out = False

    def locate(self, loc: Loc) -> dict[str, Any]:
        for end in range(len(loc), -1, -1):
            hit = self.positions.get(tuple(loc[:end]))
            if hit is not None:
                sheet, row, column = hit
                return {"file": self.source, "sheet": sheet, "row": row, "column": column}
        return {"file": self.source}

    def problem(self, message: str, sheet: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.source, sheet=sheet, row=row, column=column))

    def read(self, book: Any, formulas: Any = None) -> dict[str, Any]:
        self.formulas = formulas
        sheets = set(book.sheetnames)
        for required in REQUIRED_SHEETS:
            if required not in sheets:
                self.problem(
                    f"missing sheet `{required}`; the workbook has {', '.join(book.sheetnames) or 'none'}",
                    sheet=required,
                )
        if self.problems:
            raise InputError(self.problems)
        data = self._programme_sheet(book["programme"])
        for sheet_name, (section, model) in RECORD_SHEETS.items():
            if sheet_name in sheets:
                data[section] = self._records(book[sheet_name], sheet_name, section, model)
        if "funding" in sheets:
            self._funding(book["funding"], data)
        return data

    def later(self, data: dict[str, Any]) -> list[Problem]:
        """The problems validation finds in what was read despite the reader's own problems, none
        of them a knock-on: nothing where a whole column or the programme sheet is unreadable (every
        row would miss it), nothing on a row the reader told about (a formula without a value reads
        as an empty cell), nothing about a pool's funding when a funding row was left out."""
        if self.guessing:
            return []
        told = {(p.sheet, p.row) for p in self.problems if p.row not in (None, 1)}
        try:
            validate_programme(data, self.source, self.locate)
        except InputError as exc:
            return [
                p
                for p in exc.problems
                if (p.sheet, p.row) not in told
                and not (self.funding_left_out and ".funding" in (p.field or ""))
            ]
        return []

    def _rows(self, sheet: Any) -> tuple[list[str], list[tuple[int, list[Any]]]]:
        rows = self._bounded_rows(sheet)
        if not rows:
            return [], []
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        body = [
            (i, [_value(c) for c in row])
            for i, row in enumerate(rows[1:], start=2)
            if any(c is not None and str(c).strip() != "" for c in row)
        ]
        return header, body

    def _bounded_rows(self, sheet: Any) -> list[tuple[Any, ...]]:
        """The sheet's rows, refused before any cell is read if its declared range is too large,
        and while reading if it holds more than the limits (a sheet need not declare its range)."""
        name = sheet.title
        self._check_declared(sheet, name)
        formulas = iter(()) if self.formulas is None else self.formulas[name].iter_rows(values_only=True)
        rows: list[tuple[Any, ...]] = []
        for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            self._check_row_shape(name, row_no, row)
            written = next(formulas, ())  # the same row read for its formulas (none if no formulas)
            self._count_cells(name, row_no, row)
            self._check_cells(name, row_no, row, written)
            rows.append(row)
        return rows

    def _check_declared(self, sheet: Any, name: str) -> None:
        """Refuse a sheet whose declared range exceeds the limits before a cell is read, so a sheet
        that claims to be huge costs nothing to refuse."""
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        for count, limit, what in (
            (declared_rows, MAX_SHEET_ROWS, "rows"),
            (declared_columns, MAX_SHEET_COLUMNS, "columns"),
        ):
            if count is not None and count > limit:
                raise InputError.one(
                    f"the workbook's {name} sheet claims {count:,} {what}; the limit is {limit:,}",
                    file=self.source,
                    sheet=name,
                )

    def _check_row_shape(self, name: str, row_no: int, row: tuple[Any, ...]) -> None:
        """Refuse a row past the row limit or reaching past the column limit, as it is read: a
        sheet need not declare its range, so the declared check alone does not bound it."""
        if row_no > MAX_SHEET_ROWS:
            raise InputError.one(
                f"the workbook's {name} sheet has more than {MAX_SHEET_ROWS:,} rows; "
                f"the limit is {MAX_SHEET_ROWS:,}",
                file=self.source,
                sheet=name,
            )
        if len(row) > MAX_SHEET_COLUMNS:
            raise InputError.one(
                f"a cell in column {get_column_letter(len(row))}, beyond the limit of "
                f"{MAX_SHEET_COLUMNS:,} columns ({get_column_letter(MAX_SHEET_COLUMNS)})",
                file=self.source,
                sheet=name,
                row=row_no,
            )

    def _count_cells(self, name: str, row_no: int, row: tuple[Any, ...]) -> None:
        """Count the row's filled cells towards the whole workbook's limit (over every sheet)."""
        self.cells += sum(value is not None for value in row)
        if self.cells > MAX_CELLS:
            raise InputError.one(
                f"the workbook holds more than {MAX_CELLS:,} filled cells; the limit is {MAX_CELLS:,}",
                file=self.source,
                sheet=name,
                row=row_no,
            )

    def _check_cells(self, name: str, row_no: int, row: tuple[Any, ...], written: tuple[Any, ...]) -> None:
        """Refuse an over-long text; note (not refuse, so every one is reported) each formula
        with no value: the workbook was never calculated, so we would read an empty cell."""
        for col, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
                raise InputError.one(
                    f"a text of {len(value):,} characters; the limit is {MAX_STRING_CHARS:,}",
                    file=self.source,
                    sheet=name,
                    row=row_no,
                    column=get_column_letter(col),
                )
            formula = written[col - 1] if col <= len(written) else None
            if value is None and isinstance(formula, str) and formula.startswith("="):
                self.problem(
                    f"formula without a value: `{formula[:80]}` has never been calculated "
                    "(open the workbook in Excel and save it, or type the value)",
                    name,
                    row_no,
                    get_column_letter(col),
                )

    def _programme_sheet(self, sheet: Any) -> dict[str, Any]:
        header, body = self._rows(sheet)
        if header[:2] != ["field", "value"]:
            self.problem("expected the columns `field` and `value` in row 1", "programme", 1)
            self.guessing = True
            return {}
        data: dict[str, Any] = {}
        for row_no, row in body:
            key, value = [*row, None, None][:2]
            if key is None or value is None:
                continue
            path = tuple(str(key).split("."))
            if path[0] not in m.Programme.model_fields or path[0] in RECORD_SHEETS:
                self.problem(
                    f"unknown field `{key}`{_suggest(path[0], m.Programme.model_fields)}",
                    "programme",
                    row_no,
                    "A",
                )
                continue
            _put(data, path, _coerce(m.Programme, path, value))
            self.positions[path] = ("programme", row_no, "B")
        return data

    def _records(self, sheet: Any, name: str, section: str, model: type[BaseModel]) -> list[dict[str, Any]]:
        header, body = self._rows(sheet)
        fields = model.model_fields
        for col, column in enumerate(header, start=1):
            base = column.split(".")[0]
            if column and base not in fields:
                self.problem(
                    f"unknown column `{column}`{_suggest(base, fields)}", name, 1, get_column_letter(col)
                )
        for required in (n for n, f in fields.items() if f.is_required() and n != "funding"):
            if body and not any(c == required or str(c).startswith(f"{required}.") for c in header if c):
                self.problem(f"missing column `{required}`", name, 1)
                self.guessing = True
        records: list[dict[str, Any]] = []
        for index, (row_no, row) in enumerate(body):
            record: dict[str, Any] = {}
            self.positions[(section, index)] = (name, row_no, None)
            for col, (column, value) in enumerate(zip(header, row, strict=False), start=1):
                if not column or value is None or column.split(".")[0] not in fields:
                    continue
                path = tuple(column.split("."))
                _put(record, path, _coerce(model, path, value))
                self.positions[(section, index, *path)] = (name, row_no, get_column_letter(col))
            records.append(record)
        return records

    def _funding(self, sheet: Any, data: dict[str, Any]) -> None:
        header, body = self._rows(sheet)
        by_id = {r.get("id"): (i, r) for i, r in enumerate(data.get("resources", []))}
        counters: dict[int, int] = {}
        for row_no, row in body:
            cells = dict(zip(header, row, strict=False))
            found = by_id.get(cells.get("resource"))
            if found is None:
                self.problem(f"unknown resource `{cells.get('resource')}`", "funding", row_no, "A")
                self.funding_left_out = True
                continue
            index, resource = found
            tranche = {
                k: _coerce(m.Funding, (k,), v) for k, v in cells.items() if k != "resource" and v is not None
            }
            j = counters.get(index, 0)
            counters[index] = j + 1
            resource.setdefault("funding", []).append(tranche)
            self.positions[("resources", index, "funding", j)] = ("funding", row_no, None)
            for k in tranche:
                col = get_column_letter(header.index(k) + 1)
                self.positions[("resources", index, "funding", j, k)] = ("funding", row_no, col)


def _value(cell: Any) -> Any:
    if isinstance(cell, datetime):
        return cell.date() if cell.time() == datetime.min.time() else cell
    if isinstance(cell, str):  # _xHHHH_: a character XML cannot hold, escaped as Excel and export-xlsx do
        return from_xlsx_text(cell) if cell.strip() else None
    return cell


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _coerce(model: type[BaseModel], path: tuple[str, ...], value: Any) -> Any:
    """Split text into a list where the model's field (at ``path``) takes a list there."""
    annotation = _annotation_at(model, path)
    if isinstance(value, str) and annotation is not None and _takes_sequence(annotation):
        numeric = _takes_number_sequence(annotation)
        parts = (
            [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if numeric
            else [p.strip() for p in value.split(",") if p.strip()]
        )
        return parts
    return value


def _annotation_at(model: Any, path: tuple[str, ...]) -> Any:
    current: Any = model
    for key in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(key)
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    return current


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return annotation


def _alternatives(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(annotation)]
    return [annotation]


def _takes_sequence(annotation: Any) -> bool:
    return any(typing.get_origin(a) in (tuple, list) for a in _alternatives(annotation))


def _takes_number_sequence(annotation: Any) -> bool:
    for alt in _alternatives(annotation):
        if typing.get_origin(alt) in (tuple, list):
            inner = _unwrap(typing.get_args(alt)[0])
            return inner in (float, int)
    return False


def _suggest(value: str, known: Any) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""
