"""The programme's clock: periods of a month or a quarter, and UK financial years (April–March).

Periods are 0-based indices.  Keys (``2016-07`` for a period, ``2016/17`` for a financial year)
are what files use for per-period overrides; labels (``Jul 2016``, ``Q2 2016/17``) are for people.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PERIOD_KEY = re.compile(r"^(\d{4})-(\d{2})$")
FY_KEY = re.compile(r"^(\d{4})/(\d{2})$")


def day_text(d: date, short: bool = False) -> str:
    """A date as people write it: "1 April 2013" ("1 Apr 2013" short), never "01 April 2013"."""
    return f"{d.day} {d:%b %Y}" if short else f"{d.day} {d:%B %Y}"


def add_months(d: date, months: int) -> date:
    """First-of-month arithmetic; the horizon only ever holds first days of months."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year(d: date) -> str:
    """UK public-sector financial year containing ``d``: 1 Apr 2016 – 31 Mar 2017 is ``2016/17``."""
    first = d.year if d.month >= 4 else d.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


class Horizon(BaseModel):
    """When the programme runs: ``periods`` periods of a month or a quarter from ``start``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date = Field(description="first day of the first period (must be the 1st of a month)")
    period: Literal["month", "quarter"] = "month"
    periods: int = Field(ge=1, le=600, description="number of periods in the horizon")

    @field_validator("start")
    @classmethod
    def _first_of_month(cls, value: date) -> date:
        if value.day != 1:
            raise ValueError(f"must be the first day of a month, e.g. {value.replace(day=1)}")
        return value

    @property
    def months_per_period(self) -> int:
        return 1 if self.period == "month" else 3

    def period_start(self, index: int) -> date:
        return add_months(self.start, index * self.months_per_period)

    def period_end(self, index: int) -> date:
        """Last day of period ``index`` (inclusive)."""
        return self.period_start(index + 1) - timedelta(days=1)

    @property
    def end(self) -> date:
        """Last day of the horizon (inclusive)."""
        return self.period_end(self.periods - 1)

    def period_of(self, day: date) -> int:
        """Index of the period containing ``day``; negative before the start, ≥ periods after."""
        months = (day.year - self.start.year) * 12 + (day.month - self.start.month)
        return months // self.months_per_period

    def key(self, index: int) -> str:
        start = self.period_start(index)
        return f"{start.year}-{start.month:02d}"

    def index_of_key(self, key: str) -> int | None:
        """Period index for a ``YYYY-MM`` key that starts a period inside the horizon, else None."""
        match = PERIOD_KEY.match(key)
        if not match or not 1 <= int(match.group(2)) <= 12:
            return None
        day = date(int(match.group(1)), int(match.group(2)), 1)
        index = self.period_of(day)
        if 0 <= index < self.periods and self.period_start(index) == day:
            return index
        return None

    def label(self, index: int) -> str:
        start = self.period_start(index)
        if self.period == "month":
            return f"{_MONTHS[start.month - 1]} {start.year}"
        if start.month in (4, 7, 10, 1):
            quarter = {4: 1, 7: 2, 10: 3, 1: 4}[start.month]
            return f"Q{quarter} {financial_year(start)}"
        end = self.period_end(index)
        return f"{_MONTHS[start.month - 1]}–{_MONTHS[end.month - 1]} {end.year}"

    def financial_year_of(self, index: int) -> str:
        """Financial year in which period ``index`` starts (quarters may straddle only if misaligned)."""
        return financial_year(self.period_start(index))

    def financial_years(self) -> list[str]:
        """Financial years touched by the horizon, in order."""
        years: list[str] = []
        for index in range(self.periods):
            fy = self.financial_year_of(index)
            if not years or years[-1] != fy:
                years.append(fy)
        return years
