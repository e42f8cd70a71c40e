"""Figures as the report prints them, with confidential (exempt) ones held back.

A figure is exempt when the programme marks the field it comes from (an option's tendered price,
say).  The public report never prints it, nor anything it could be worked back from: the finance
totals in the public report leave those options out and say so, and the exempt appendix gives the
full figures.
"""

from __future__ import annotations

from engine.appraisal.public import FinanceView, finance_view
from engine.programme.exempt import secret_options

__all__ = ["FinanceView", "finance_view", "percent", "pounds", "secret_options", "whole_pounds"]


def pounds(value: float) -> str:
    """Money to the penny, as a Section 151 officer checks it."""
    sign = "−" if value < -0.005 else ""
    return f"{sign}£{abs(value):,.2f}"


def whole_pounds(value: float) -> str:
    sign = "−" if value < -0.5 else ""
    return f"{sign}£{abs(value):,.0f}"


def percent(value: float, places: int = 1) -> str:
    return f"{value:.{places}%}"


EXEMPT_NOTE = (
    "Figures for {options} are commercially confidential and are left out of the figures above; they are "
    "given in the exempt appendix (not for publication)."
)
