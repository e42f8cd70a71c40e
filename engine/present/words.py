"""Names, money, percentages and scores as a director reads them, in one place.

The app and the CLI print ids and raw floats nowhere a person reads: an option is "shared service
with Gloucestershire County Council" (its id goes in a tooltip), £ carry thousands separators, a
probability is a percentage and a score has three decimals.  Column formats for Streamlit's
``NumberColumn`` are printf strings read by sprintf-js in the browser (``,`` groups thousands).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from engine.present.money import officer_pounds
from engine.programme.exempt import SHOWN_WITH
from engine.programme.model import Programme
from engine.programme.naming import option_name

__all__ = ["option_name"]  # re-exported: pages name options through present

MONEY_FORMAT = "£%,.0f"  # NumberColumn(format=...): £152,154
PERCENT_FORMAT = "%.0f%%"  # for a column already multiplied by 100
SCORE_FORMAT = "%.3f"
NONE = "—"


def missing(value: object) -> bool:
    """No figure: None or NaN (pandas' empty cell)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def pounds(value: float | None) -> str:
    """£ to the pound with thousands separators, a minus sign (U+2212, as the report writes it)
    before the £: ``−£121,250``."""
    if missing(value):
        return NONE
    assert value is not None
    sign = "−" if round(value) < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def pounds_rounded(value: float | None) -> str:
    """£ as officers write a headline figure (``£2.20 m``, ``£152,000``, ``£950``): the report's
    own rounding (:func:`engine.present.money.officer_pounds`), so the app and the Cabinet report
    print one figure the same way; a missing figure reads as a dash."""
    if missing(value):
        return NONE
    assert value is not None
    return officer_pounds(value)


def percent(share: float | None, places: int = 0) -> str:
    """A probability or share (0–1) as a percentage: ``87 %``."""
    if missing(share):
        return NONE
    assert share is not None
    return f"{100 * share:.{places}f} %"


def score_text(value: float | None) -> str:
    """A score on the 0–1 (or −1–1) scale to three decimals; a value that rounds to nothing is
    0.000, never "-0.000" (a what-if that changes nothing scores -1e-12, not less than nothing)."""
    if missing(value):
        return NONE
    text = f"{value:.3f}"
    return text[1:] if text == "-0.000" else text


NO_CHANGE_PAYBACK = "no change, so no payback"
NO_SPENDING = "no spending"


def payback_words(years: float | None, no_change: bool, spends: bool = True) -> str:
    """Payback as every page says it: a plan that changes nothing has none, a plan that spends
    nothing has nothing to pay back (not "0.0 years"), else the years or "not within the appraisal"."""
    if no_change:
        return NO_CHANGE_PAYBACK
    if not spends:
        return NO_SPENDING
    return "not within the appraisal" if missing(years) else f"{years:.1f} years"


def metric_words(text: str) -> tuple[str, str | None]:
    """A figure for ``st.metric``, which cuts a long value ("no change, s…"): a long phrase shows
    as "none" with the phrase in the metric's help."""
    return (text, None) if len(text) <= 12 else ("none", text[:1].upper() + text[1:] + ".")


def words(token: str) -> str:
    """A model or kind in words: ``s101_delegation`` → ``s101 delegation``."""
    return str(token).replace("_", " ")


def option_labels(programme: Programme) -> dict[str, str]:
    """Every option's id → "Service: option" ("Payroll: outsourced with Civica"), for a list of
    options outside their service's row."""
    return {
        option.id: f"{service.name}: {option_name(programme, option.id)}"
        for service in programme.services
        for option in programme.options_for(service.id)
    }


NOUN_MODELS = frozenset({"shared_service", "s101_delegation", "commercial_contract", "joint_venture"})


def option_phrase(programme: Programme, option_id: str) -> str:
    """An option as the object of a sentence: "the s101 delegation with Gloucestershire County
    Council", but "the option 'outsourced with OneConnect Limited'" where the model is not a noun
    (outsourced, commissioned, in house, keep as it is): "the outsourced with …" is not English."""
    known = {o.id: str(o.model) for o in programme.options}
    model = known.get(option_id, "")
    name = option_name(programme, option_id)
    return f"the {name}" if model in NOUN_MODELS else f"the option ‘{name}’"


def names(programme: Programme) -> dict[str, str]:
    """Every id of the programme (partners, services, options, resources, funding) → its name; an
    id that is both a partner's and an option's names the partner (see :func:`option_labels`)."""
    found = option_labels(programme)
    found.update({f.id: f.name for f in programme.funding})
    found.update({r.id: r.name for r in programme.resources})
    found.update({s.id: s.name for s in programme.services})
    found.update({p.id: p.name for p in programme.partners})
    return found


def named(ids: Iterable[str], lookup: Mapping[str, str]) -> list[str]:
    """Each id's name (an unknown one as it is)."""
    return [lookup.get(str(i), str(i)) for i in ids]


OBJECTIVES = {
    "value": "value (scores, earliest first)",
    "savings": "net savings (NPV of the changes that finish inside the horizon)",
    "makespan": "finish soonest",
    "maxmin": "best for the worst-off partner",
}


def objective_help(appraisal_years: int) -> str:
    """What each objective counts, for the objective's chooser."""
    return (
        "**Value**: the score gain of each change, the earlier the better. **Net savings**: the plan's "
        "net present value — only changes that finish inside the programme's horizon are in a plan, "
        f"each counted with its one-off costs and costed days against its savings for the "
        f"{appraisal_years} years after it goes live (nothing later). **Finish soonest**: the recommended "
        "changes done as early as the limits allow. **Best for the worst-off partner**: the partner "
        "who gains least gains as much as possible."
    )


def id_help(pairs: Iterable[tuple[str, str]], what: str, most: int = 30) -> str:
    """A column's tooltip giving the file's id of each name shown (ids belong in tooltips, not in
    the cells): "Services by their id in the programme file: Payroll = `payroll`; …"."""
    listed = list(pairs)
    shown = "; ".join(f"{name} = `{ident}`" for ident, name in listed[:most])
    more = f"; and {len(listed) - most} more" if len(listed) > most else ""
    return f"{what} by their id in the programme file: {shown}{more}."


def level_text(value: float, money: bool) -> str:
    """A criterion's level for a person: £ as officers write it for a money criterion ("£1.57 m"),
    otherwise the number to three significant figures (never "1.567e+06")."""
    if missing(value):
        return NONE
    return pounds_rounded(value) if money else f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


EXEMPT_TOGGLE = "Show confidential (exempt) figures"  # the app's switch (Plan page) for withheld figures
SHOWN_IN_THE_APP = f'(switch on "{EXEMPT_TOGGLE}" to see it)'


def for_the_app(text: str) -> str:
    """An engine sentence as the app says it: a director has no command line, so "(shown with
    --include-exempt)" becomes the switch that shows withheld figures."""
    return text.replace(SHOWN_WITH, SHOWN_IN_THE_APP)


def programme_caption(name: str) -> str:
    """The line under a page's title that says which programme it works on (before any button)."""
    return f"Programme: **{name}**"


def when_text(stamp: object) -> str:
    """A stored time as people write it: "2 Dec 2026, 06:39" (not "2026-12-02T06:39:47"); a
    value that is not a time is given back as it is."""
    from datetime import datetime

    try:
        moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def saved_as(name: str, programme_name: str) -> str:
    """Where a saved weight set went, as a director knows it (never the server's folder)."""
    return f"saved as ‘{name}’ for {programme_name}"


def files_help(titles: Mapping[str, str]) -> str:
    """The programme picker's tooltip: each programme's file (file names belong in tooltips)."""
    return (
        "The file each programme is read from: "
        + "; ".join(f"{title} = `{stem}.yaml`" for stem, title in titles.items())
        + "."
    )
