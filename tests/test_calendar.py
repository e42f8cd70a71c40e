from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from engine.programme.calendar import Horizon, financial_year


def test_monthly_horizon():
    h = Horizon(start=date(2015, 7, 1), period="month", periods=36)
    assert h.key(0) == "2015-07" and h.label(0) == "Jul 2015"
    assert h.key(35) == "2018-06" and h.end == date(2018, 6, 30)
    assert h.period_of(date(2016, 3, 31)) == 8
    assert h.index_of_key("2016-03") == 8
    assert h.index_of_key("2018-07") is None and h.index_of_key("2015-13") is None
    assert h.financial_years() == ["2015/16", "2016/17", "2017/18", "2018/19"]
    assert h.financial_year_of(8) == "2015/16" and h.financial_year_of(9) == "2016/17"


def test_quarterly_horizon_uses_financial_quarters():
    h = Horizon(start=date(2011, 10, 1), period="quarter", periods=12)
    assert h.label(0) == "Q3 2011/12" and h.label(2) == "Q1 2012/13"
    assert h.period_end(0) == date(2011, 12, 31)
    assert h.index_of_key("2012-01") == 1 and h.index_of_key("2011-11") is None
    misaligned = Horizon(start=date(2011, 11, 1), period="quarter", periods=2)
    assert misaligned.label(0) == "Nov–Jan 2012"


@pytest.mark.parametrize(
    ("day", "fy"),
    [(date(2016, 3, 31), "2015/16"), (date(2016, 4, 1), "2016/17"), (date(1999, 12, 1), "1999/00")],
)
def test_financial_year(day, fy):
    assert financial_year(day) == fy


def test_start_must_be_first_of_month():
    with pytest.raises(ValidationError, match="first day of a month"):
        Horizon(start=date(2015, 7, 2), periods=3)
