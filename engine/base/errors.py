"""One exception hierarchy so the CLI and UI can tell the user's mistakes from our bugs.

Every error carries :class:`Problem` records: where (file, line or sheet/row/column), which field,
and what was expected.  The CLI prints them and exits 2; anything that is not an ``SsplanError``
is a bug and exits 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the source format allows."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | str | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        """``file:line`` for text, ``file[sheet] row R, column C`` for workbooks."""
        parts = [self.file or "<input>"]
        if self.sheet is not None:
            loc = f"{parts[0]} [sheet {self.sheet}]"
            if self.row is not None:
                loc += f" row {self.row}"
            if self.column is not None:
                loc += f", column {self.column}"
            return loc
        if self.line is not None:
            parts.append(str(self.line))
            if isinstance(self.column, int):
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class SsplanError(Exception):
    """Base of every error caused by the user's input or settings rather than by a bug."""

    problems: Sequence[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or type(self).__name__

    @classmethod
    def one(cls, message: str, **where: object) -> SsplanError:
        return cls([Problem(message, **where)])  # type: ignore[arg-type]


class InputError(SsplanError):
    """A programme, scenario or workbook that cannot be read or is not valid."""


class RuleError(SsplanError):
    """A rule set that cannot be read or whose expressions are not valid."""


class InfeasibleError(SsplanError):
    """No plan satisfies the limits; the problems say which limit blocks it and by how much."""


class ProgrammeProblems(ValueError):
    """Raised inside the Programme validator to carry several located cross-reference problems.

    Pydantic keeps the exception object in the error's ``ctx``, so the loaders can unpack
    each ``(loc, message)`` and place it on its own line of the source file.
    """

    def __init__(self, problems: Iterable[tuple[tuple[str | int, ...], str]]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{_dotted(loc)}: {msg}" for loc, msg in self.problems))


_SOURCE = "ssplan_source"


def remember_source(record: object, source: str) -> None:
    """Note on a loaded programme or rule set the file it came from, so that a later problem with
    it (found while scoring, say) can name the file.  It is kept beside the fields, not as one:
    equality, hashing and dumps of the record do not see it."""
    vars(record)[_SOURCE] = source


def source_of(record: object) -> str | None:
    """The file ``record`` was read from, if a loader noted it."""
    found = getattr(record, "__dict__", {}).get(_SOURCE)
    return found if isinstance(found, str) else None


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "programme"
