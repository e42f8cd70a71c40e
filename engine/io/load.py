"""Programme files in and out: YAML (the canonical form) and Excel workbooks for officers.

Every error names the file and the line (or sheet, row and column) and the field.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.base.errors import InputError, SsplanError
from engine.base.limits import MAX_FILE_BYTES, check_size, read_input
from engine.io.atomic import atomic_write
from engine.io.records import parse_yaml_model, programme_data
from engine.io.yamlsource import dump_yaml
from engine.programme.model import Programme

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def load_programme(path: str | Path) -> Programme:
    """Read a programme from a ``.yaml`` or ``.xlsx`` file."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError.one("no such file", file=name)
    if path.is_dir():
        raise InputError.one("is a folder; expected a programme file (.yaml or .xlsx)", file=name)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        from engine.io.xlsx import read_workbook

        return read_workbook(path)
    if suffix not in YAML_SUFFIXES:
        raise InputError.one(
            f"unknown file type `{path.suffix or '(none)'}`; expected .yaml, .yml or .xlsx", file=name
        )
    return parse_programme(read_input(path, MAX_FILE_BYTES, "programme file"), name)


def programme_from_upload(content: bytes, filename: str) -> Programme:
    """A programme sent as a file's bytes (a web upload), read by its name's suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        import io

        from engine.io.xlsx import read_workbook

        return read_workbook(io.BytesIO(content), source=filename)
    if suffix not in YAML_SUFFIXES:
        raise InputError.one(
            f"unknown file type `{suffix or '(none)'}`; expected .yaml, .yml or .xlsx", file=filename
        )
    check_size(len(content), MAX_FILE_BYTES, "programme file", filename)
    return parse_programme(content, filename)


def parse_programme(content: str | bytes, source: str = "<programme>") -> Programme:
    """Validate YAML text as a programme."""
    return parse_yaml_model(content, source, Programme, "programme", InputError)


def dump_programme(programme: Programme) -> str:
    return dump_yaml(programme_data(programme))


def save_programme(programme: Programme, path: str | Path) -> None:
    """Write YAML or XLSX by suffix, atomically."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        from engine.io.xlsx import workbook_bytes

        atomic_write(path, workbook_bytes(programme))
    else:
        atomic_write(path, dump_programme(programme))


_SCENARIO_KEY = re.compile(r"^[\"']?base[\"']?[ \t]*:", re.MULTILINE)


def is_scenario_file(path: str | Path) -> bool:
    """Whether a YAML file is a scenario (it names its ``base:`` programme at the top level)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        content = read_input(path, MAX_FILE_BYTES, "scenario file")
    except SsplanError:
        return False  # read as a programme, which says what is wrong
    return names_a_base(content)


def names_a_base(content: bytes) -> bool:
    """Whether a YAML text names a ``base:`` programme at the top level (what makes it a scenario)."""
    return bool(_SCENARIO_KEY.search(content.decode("utf-8", errors="replace")))
