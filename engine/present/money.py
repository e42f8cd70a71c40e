"""Money as officers write it in a report's body, and where each figure comes from.

A Cabinet report rounds: £2.20 m, £229,000, £450 (the exact figures sit in the appendices, for the
Section 151 officer to check).  And every figure says whether a source document gives it or it is an
illustrative estimate: the programme marks each record's ``source`` and, per field, ``illustrative``
(see :class:`engine.programme.model.Sourced`); a total is sourced only when every figure it is made
from is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.programme.model import Programme, Sourced

ILLUSTRATIVE = "illustrative"


def officer_pounds(value: float) -> str:
    """£2.20 m from a million; £229,000 (to the nearest £1,000) from a thousand; £450 below."""
    sign = "−" if value < 0 and round(abs(value)) > 0 else ""
    size = abs(value)
    thousands = round(size, -3)
    if thousands >= 1e6:
        return f"{sign}£{size / 1e6:.2f} m"
    if size >= 999.5:
        return f"{sign}£{thousands:,.0f}"
    return f"{sign}£{size:,.0f}"


@dataclass(frozen=True)
class Basis:
    """Where a figure comes from: the source documents' titles, or none when it is illustrative."""

    sources: tuple[str, ...] = ()
    illustrative: bool = False

    def words(self) -> str:
        """ "illustrative", "source: <title>; <title>", or "source not recorded"."""
        if self.illustrative:
            return ILLUSTRATIVE
        return "source: " + "; ".join(self.sources) if self.sources else "source not recorded"

    def __add__(self, other: Basis) -> Basis:
        """A figure made from two: illustrative if either is; otherwise both sources."""
        if self.illustrative or other.illustrative:
            return Basis(illustrative=True)
        return Basis(tuple(dict.fromkeys((*self.sources, *other.sources))))


def field_basis(programme: Programme, record: Sourced, field: str) -> Basis:
    """One field's basis: illustrative as the record marks it, else the documents its ``source``
    names (by the programme's source ids; the text itself where it names none)."""
    if record.is_illustrative(field):
        return Basis(illustrative=True)
    text = record.source or ""
    titles = tuple(s.title for s in programme.sources if _names(text, s.id))
    return Basis(titles or ((text,) if text else ()))


def _names(text: str, source_id: str) -> bool:
    words = text.replace(";", " ").replace("(", " ").replace(",", " ").split()
    return source_id in words


def options_basis(programme: Programme, options: Iterable[str]) -> Basis:
    """The basis of money made from these options: their one-off and running costs, and the current
    cost of each service they change."""
    total = Basis()
    for option_id in options:
        option = programme.option(option_id)
        service = programme.service(option.service)
        total = total + field_basis(programme, service, "annual_cost")
        for name in ("one_off_cost", "annual_cost"):
            total = total + field_basis(programme, option, name)
    return total


def marked(value: float, basis: Basis) -> str:
    """A rounded figure with its basis beside it: "£2.20 m (illustrative)"."""
    return f"{officer_pounds(value)} ({basis.words()})"
