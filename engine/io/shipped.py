"""Where the shipped programmes and rule sets live, in a checkout or in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # engine/


def shipped_dir(kind: str) -> Path:
    """``scenarios`` or ``rules``: the checkout's folder if present, else the copy in the wheel."""
    checkout = _PACKAGE.parent / kind
    return checkout if checkout.is_dir() else _PACKAGE / "_shipped" / kind


def shipped_programmes() -> list[Path]:
    return sorted(shipped_dir("scenarios").glob("*.yaml"))


def shipped_programme(name: str) -> Path:
    return shipped_dir("scenarios") / (name if name.endswith(".yaml") else f"{name}.yaml")


def shipped_rules(name: str = "default") -> Path:
    return shipped_dir("rules") / (name if name.endswith(".yaml") else f"{name}.yaml")


def shipped_scenario(programme: str, name: str) -> Path:
    """A what-if shipped with a programme, e.g. ``shipped_scenario("gloucester-2015", "county-first")``."""
    return shipped_dir("scenarios") / programme / f"{name}.yaml"
