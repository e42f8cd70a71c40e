"""Partner exit: what happens to everyone else if one partner leaves, now or on a date.

The stress test is the engine's (``engine.appraisal.exit.partner_exit``) on the what-if on screen:
"before" is the what-if's plan and "after" the same what-if without the partner, so the two compare
like with like (the Plan page's figures are the "before" column). Its answer is held with the
inputs it came from, so a different programme, what-if, rule set, partner or date never shows an
old answer.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st
from common import current, need_programme, rules_hash, rules_of, scenario_of, whatif

from engine.appraisal.exit import ExitAnalysis, partner_exit
from engine.appraisal.scenario import Scenario
from engine.base.errors import SsplanError
from engine.present.summary import money
from engine.present.words import named, option_labels, option_name
from engine.programme.calendar import day_text
from engine.programme.model import Programme

HELD = "exit.result"  # (inputs key, ExitAnalysis)


def _key(text: str, scenario: str, rules: str, partner: str, at: date | None) -> str:
    """The inputs the stress test answers: the programme, the what-if, the rule file by its
    content (an edited file is new), the partner and the date."""
    inputs = f"{text}\0{scenario}\0{rules}\0{rules_hash(rules)}\0{partner}\0{at}"
    return hashlib.sha256(inputs.encode()).hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def _stress(
    _programme: Programme, key: str, scenario: str, rules: str, partner: str, at: date | None
) -> ExitAnalysis:
    """The stress test of the what-if ``scenario`` (JSON), cached on ``key`` (see ``_key``)."""
    whatif = Scenario.model_validate_json(scenario)
    return partner_exit(_programme, rules_of(rules), partner, at, whatif=whatif)


def _npv_table(analysis: ExitAnalysis, programme: Programme) -> pd.DataFrame:
    rows = []
    for partner, before, after in analysis.npv_by_partner():
        gone = partner == analysis.partner and analysis.at is None
        rows.append(
            {
                "partner": programme.partner(partner).name,
                "NPV before": "no plan" if before is None else money(before),
                "NPV after": "left the programme" if gone else ("no plan" if after is None else money(after)),
                "change": ""
                if before is None or after is None or analysis.withheld()
                else ("+" if after >= before else "−") + money(abs(after - before)),
            }
        )
    return pd.DataFrame(rows)


programme = need_programme()
edits = whatif()
st.title("Partner exit")
st.write(
    "What happens if a partner leaves: the services it provides or receives, the plan for the rest, "
    "and each partner's net present value before and after. Confidential (exempt) prices stay out."
)
names = {p.name: p.id for p in programme.partners}
who = st.selectbox("Partner that leaves", list(names), key="exit.partner")
on_date = st.toggle(
    "It leaves as a provider on a date (else: now, with its part of each service)", key="exit.dated"
)
at: date | None = None
if on_date:
    at = st.date_input(
        "Date it leaves",
        value=programme.horizon.start,
        min_value=programme.horizon.start,
        max_value=programme.horizon.end,
        key="exit.at",
        format="DD/MM/YYYY",
    )
name, text = current() or ("", "")
scenario = scenario_of(edits).model_dump_json()
key = _key(text, scenario, edits["rules"], names[who], at)
if st.button("Run the stress test", type="primary", key="exit.run"):
    try:
        with st.spinner("Planning with and without the partner…"):
            found = _stress(programme, key, scenario, edits["rules"], names[who], at)
            st.session_state[HELD] = (key, found)
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))
        st.stop()

held = st.session_state.get(HELD)
if held is None:
    st.stop()
if held[0] != key:
    st.warning(
        "The programme, what-if, rule set, partner or date has changed since this answer: run it again."
    )
    st.stop()
analysis: ExitAnalysis = held[1]
leaver = programme.partner(analysis.partner).name
when = f"on {day_text(analysis.at)}" if analysis.at else "now"
st.subheader(f"If {leaver} leaves {when}")
provides = [programme.service(s).name for s in analysis.provides]
receives = [programme.service(s).name for s in analysis.receives]
st.markdown(f"**It provides:** {', '.join(provides) or 'nothing, today or in the plan'}")
st.markdown(f"**It is a client of:** {', '.join(receives) or 'no service'}")
st.markdown(
    f"**The plan as it stands:** {analysis.before.plan.status_text}; "
    f"**after it leaves:** {analysis.after_status()}"
)
st.caption("Both plans are the what-if on screen (its capacities, budget, objective and forced services).")
for advice in analysis.after_advice():
    st.markdown(f"- {advice}")
for note in analysis.notes():
    st.warning(f"Without it: {note}.")
st.subheader("Net present value by partner")
st.dataframe(_npv_table(analysis, programme), hide_index=True, key="exit.npv")
behind = analysis.left_behind()
if behind:
    st.subheader("What it leaves behind")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "service": programme.service(s).name,
                    "changes to": option_name(programme, o),
                    "one-off cost": money(c),
                }
                for s, o, c in behind
            ]
        ),
        hide_index=True,
        key="exit.behind",
    )
if analysis.withheld():
    hidden = ", ".join(named(analysis.withheld(), option_labels(programme)))
    st.caption(f"Left out of these figures because their prices are exempt: {hidden}.")
