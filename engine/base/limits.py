"""Limits on untrusted input, checked before the work that they bound.

Officers open files that partners, suppliers and colleagues send them, so every reader refuses a
file that would take absurd time or memory *before* doing that work, with a message that says
which limit and by how much.  Each limit sits far above anything a real programme needs (the
largest shipped programme is 11 KB; a generated 1,000-service programme is 0.6 MB of YAML) and far
below what would hang the reader.  The README's "Limits on input files" table lists them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.base.errors import InputError, SsplanError

# -------------------------------------------------------------------------------- whole files
MAX_FILE_BYTES = 4 * 1024 * 1024
"""A YAML programme, scenario or rule set: 4 MiB (a 1,000-service programme is 0.6 MB).  Checked
with ``stat`` before a byte is read; past it, the values limit below usually refuses a file first."""

MAX_WORKBOOK_BYTES = 16 * 1024 * 1024
"""An .xlsx file on disk or uploaded: 16 MiB (compressed; a 1,000-service workbook is ~0.2 MB)."""

MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
"""All members of an .xlsx together once decompressed (zip headers declare these sizes, and
Python's zipfile refuses a member that inflates beyond its declared size)."""

MAX_ZIP_RATIO = 100
"""Compression ratio above which a large member is taken for a zip bomb; real sheet XML
compresses 5-20 times, a bomb 300-1,000 times."""

ZIP_RATIO_FLOOR = 1024 * 1024
"""Members smaller than 1 MiB are not held to the ratio (tiny files of repeated text compress well)."""

MAX_ZIP_MEMBERS = 1000
"""Files inside one workbook; a programme workbook has about 20."""

MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
"""The workbook's shared-strings table (every text cell's text), decompressed."""

# ------------------------------------------------------------------------------- inside files
MAX_SHEET_ROWS = 100_000
"""Rows one sheet may declare or hold (Excel allows 1,048,576)."""

MAX_SHEET_COLUMNS = 256
"""Columns one sheet may declare or hold (column IV, Excel 2003's limit; Excel now allows 16,384)."""

MAX_RECORDS = 100_000
"""Records in one section of a file (services, options, ...): the same as a sheet's rows."""

MAX_VALUES = 500_000
"""Values in one YAML document (keys, lists and mappings included, aliases expanded): a regional
programme of 2,000 services (three options each, the planner bench's shape) has about 215,000, so
this allows about 4,500 services (the 4 MiB file limit, about 4,800).  Reading YAML with positions
costs about 2 s per MB; the values are counted from the parser's events first."""

MAX_CELLS = 200_000
"""Filled cells in one workbook: a 1,000-service programme's workbook has about 43,000, so this
allows about 4,500 services.  Counted while the sheets are read."""

MAX_STRING_CHARS = 32_767
"""Characters in one text value: Excel's own limit for a cell.  Names and notes have lower limits
of their own in the model (4,000)."""

# --------------------------------------------------------------------------------- the numbers
MAX_MONEY = 1e11
"""£100 bn: any amount of money in a programme (an annual cost, a one-off cost, a budget).  The
largest council's whole gross budget is a few £ bn; HiGHS fails on coefficients near 1e15."""

MAX_AMOUNT = 1e9
"""Any quantity of a resource (demand, capacity, FTE, a funding tranche): a billion days, hours,
FTE or pounds."""

MAX_WEIGHT = 1e6
"""A criterion weight (a rule set's or a partner's): only ratios matter, so 1e6 loses nothing."""

MAX_ATTRIBUTE = 1e15
"""A number in an option's ``attributes``: the same bound as a number written in a rule."""

# ---------------------------------------------------------------------------- rule expressions
MAX_EXPRESSION_CHARS = 1000
"""Characters in one rule expression."""

MAX_EXPRESSION_DEPTH = 40
"""Brackets nested in one expression (rule-engine's parser recurses on each)."""

MAX_LITERAL = 1e15
"""A number written in an expression, checked on the text before rule-engine parses it (its
parser folds constants, so ``(1e999999).ceiling`` would otherwise take a minute of CPU)."""

MAX_LITERAL_CHARS = 40
"""Characters in one numeric literal of an expression (``0x`` digits included)."""


def megabytes(size: float) -> str:
    """``4 MiB``-style size for messages."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.1f} MiB".replace(".0 MiB", " MiB")
    if size >= 1024:
        return f"{size / 1024:,.1f} KiB".replace(".0 KiB", " KiB")
    return f"{int(size):,} bytes"


def read_input(
    path: str | Path,
    limit: int = MAX_FILE_BYTES,
    what: str = "file",
    error: type[SsplanError] = InputError,
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a located ``error``.

    The file is looked at (``stat``) before it is opened, so a FIFO, a device or a symlink to
    ``/dev/zero`` is refused without reading; then at most ``limit + 1`` bytes are read, in case
    the file grew in between.
    """
    name = str(path)
    try:
        info = os.stat(path)  # follows symlinks: what matters is what would be read
    except FileNotFoundError:
        raise error.one("no such file", file=name) from None
    except OSError as exc:
        raise error.one(f"cannot read: {exc.strerror}", file=name) from None
    if stat.S_ISDIR(info.st_mode):
        raise error.one(f"is a folder; expected a {what}", file=name)
    if not stat.S_ISREG(info.st_mode):
        raise error.one(f"is not a regular file (a {_kind(info.st_mode)}); expected a {what}", file=name)
    if info.st_size > limit:
        raise error.one(too_big(info.st_size, limit, what), file=name)
    try:
        with open(path, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise error.one(f"cannot read: {exc.strerror}", file=name) from None
    if len(content) > limit:
        raise error.one(too_big(len(content), limit, what), file=name)
    return content


def check_size(size: int, limit: int, what: str, name: str, error: type[SsplanError] = InputError) -> None:
    """Refuse content already in memory (an upload) that is larger than ``limit``."""
    if size > limit:
        raise error.one(too_big(size, limit, what), file=name)


def too_big(size: int, limit: int, what: str) -> str:
    shown = "more than " + megabytes(limit) if size == limit + 1 else megabytes(size)
    return f"the {what} is {shown}; the limit is {megabytes(limit)}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
