"""Checks of the actuals a programme records (benefits realisation): each names an option of the
programme that changes something, one per service, with dates and financial years that can have
happened by the programme's ``as_of`` date.

Kept apart from :mod:`engine.programme.checks` (which calls :func:`actual_problems`) so that the
rules about what has happened sit together, each problem at its own field.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from engine.programme.calendar import FY_KEY, financial_year

if TYPE_CHECKING:
    from engine.programme.model import Actual, Programme

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def actual_problems(p: Programme, set_aside_options: set[str]) -> list[Problem]:
    """Every problem of ``p.actuals``: an unknown or status-quo option, a later stage of a staged
    path, two actuals for one service, a go-live before the start, a year outside the programme's,
    a date after ``as_of``."""
    problems: list[Problem] = []
    options = {o.id: o for o in p.options}
    seen: dict[str, int] = {}
    for i, actual in enumerate(p.actuals):
        who = f"actual of option `{actual.option}`"
        option = options.get(actual.option)
        if option is None:
            if actual.option not in set_aside_options:
                problems.append(
                    (("actuals", i, "option"), f"{who} references unknown option `{actual.option}`")
                )
        elif option.is_status_quo:
            problems.append((("actuals", i, "option"), f"{who}: a status-quo option has nothing to record"))
        elif option.follows is not None:
            problems.append(
                (
                    ("actuals", i, "option"),
                    f"{who}: `{actual.option}` is a later stage (it follows `{option.follows}`); record "
                    "the actual of the stage begun first — progress follows one change per service, "
                    "and the later stages stay open to the re-plan",
                )
            )
        elif option.service in seen:
            problems.append(
                (
                    ("actuals", i, "option"),
                    f"{who}: service `{option.service}` already has an actual "
                    f"(item {seen[option.service] + 1}); "
                    "expected one actual per service",
                )
            )
        else:
            seen[option.service] = i
        problems += _dates(p, i, actual, who)
        problems += _years(p, i, actual, who)
    return problems


def _dates(p: Programme, i: int, actual: Actual, who: str) -> list[Problem]:
    """Started within the horizon, live on or after started, neither after ``as_of``."""
    out: list[Problem] = []
    horizon = p.horizon
    if not horizon.start <= actual.started <= horizon.end:
        out.append(
            (
                ("actuals", i, "started"),
                f"{who} started {actual.started}, outside the programme's horizon "
                f"({horizon.start} to {horizon.end})",
            )
        )
    if actual.live is not None and actual.live < actual.started:
        out.append(
            (
                ("actuals", i, "live"),
                f"{who} went live ({actual.live}) before it started ({actual.started}); "
                "expected live on or after started",
            )
        )
    if p.as_of is not None:
        for name in ("started", "live"):
            day: date | None = getattr(actual, name)
            if day is not None and day > p.as_of:
                out.append(
                    (
                        ("actuals", i, name),
                        f"{who}: {name} {day} is after the date the actuals are recorded to "
                        f"(as_of {p.as_of})",
                    )
                )
    return out


def _years(p: Programme, i: int, actual: Actual, who: str) -> list[Problem]:
    """Each financial year of money spent or saved is one of the programme's, up to ``as_of``'s."""
    years = recorded_years(p)
    out: list[Problem] = []
    for name in ("one_off_cost", "savings"):
        for key in getattr(actual, name):
            if not FY_KEY.match(key) or key not in years:
                out.append(
                    (
                        ("actuals", i, name, key),
                        f"{who}: `{key}` is not a financial year of the programme to date; "
                        f"expected one of {', '.join(years)}",
                    )
                )
    return out


def recorded_years(p: Programme) -> list[str]:
    """The financial years actuals may be recorded for: the horizon's, up to ``as_of``'s."""
    years = p.horizon.financial_years()
    if p.as_of is None:
        return years
    last = financial_year(p.as_of)
    return years[: years.index(last) + 1] if last in years else years
