"""The optimiser: the only package that imports PuLP."""

from __future__ import annotations

from engine.optimise.solve import solve, solve_rcpsp

__all__ = ["solve", "solve_rcpsp"]
