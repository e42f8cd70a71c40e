"""Staff numbers as people read them: an FTE the sources do not give is "unknown", never 0.

A total over services some of which are unknown is a lower bound and says so ("at least 42 FTE;
2 services unknown"): adding nothing for the unknown ones and printing the sum as fact is the
mistake this module exists to prevent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

UNKNOWN = "unknown"


def fte_text(value: float | None) -> str:
    """One service's FTE: the number, or ``unknown``."""
    return UNKNOWN if value is None else f"{value:g}"


@dataclass(frozen=True)
class StaffTotal:
    """The FTE the known services add up to, and the services whose FTE is not known."""

    known: float
    unknown: tuple[str, ...]  # names of the services whose FTE the sources do not give
    counted: int = 0  # services whose FTE is known

    @property
    def complete(self) -> bool:
        return not self.unknown

    def text(self) -> str:
        """``42 FTE``; ``at least 42 FTE; 2 services unknown``; or ``unknown (3 services)``."""
        count = len(self.unknown)
        services = f"{count} service{'s' if count != 1 else ''}"
        if self.complete:
            return f"{self.known:g} FTE"
        if not self.counted:
            return f"unknown ({services}: the sources do not say)"
        return f"at least {self.known:g} FTE; {services} unknown"


def staff_total(pairs: Iterable[tuple[str, float | None]]) -> StaffTotal:
    """Sum ``(service name, FTE)`` pairs, keeping the unknown ones apart (each name once)."""
    known, unknown, counted = 0.0, [], 0
    for name, value in pairs:
        if value is None:
            if name not in unknown:
                unknown.append(name)
        else:
            known, counted = known + value, counted + 1
    return StaffTotal(known, tuple(unknown), counted)
