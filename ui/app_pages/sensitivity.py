"""Sensitivity: how far the recommendations hold when weights and uncertain costs vary."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import current, held, hold, keep, loaded_whatif, need_programme, scenario_of, sticky, whatif

from engine.appraisal.sensitivity import replan_sensitivity, scenario_sensitivity
from engine.base.errors import SsplanError

HELD = "sensitivity.result"  # (inputs key, (weight/cost sensitivity, re-planned draws or None))

programme = need_programme()
edits = whatif()
st.title("Sensitivity")

left, middle, right = st.columns(3)
draws = keep(
    "sensitivity.draws",
    left.number_input(
        "Draws", min_value=100, max_value=20000, step=100, key=sticky("sensitivity.draws", 1000)
    ),
)
seed = keep(
    "sensitivity.seed",
    middle.number_input(
        "Seed (same seed, same answer)", min_value=0, step=1, key=sticky("sensitivity.seed", 0)
    ),
)
replan = keep(
    "sensitivity.replan",
    right.number_input(
        "Also re-plan this many draws",
        min_value=0,
        max_value=200,
        step=5,
        key=sticky("sensitivity.replan", 0),
    ),
)

settings = (str(int(draws)), str(int(seed)), str(int(replan)))  # the answer depends on these too
if st.button("Run", type="primary", key="sensitivity.run"):
    name, text = current() or ("", "")
    bar = st.progress(0.0, text="Drawing weights and costs…")
    try:
        loaded = loaded_whatif(text, name, scenario_of(edits).model_dump_json())
        result = scenario_sensitivity(loaded, draws=int(draws), seed=int(seed))
        replanned = None
        if replan:
            done = [0]

            def tick() -> None:
                done[0] += 1
                bar.progress(done[0] / int(replan), text=f"Re-planned {done[0]} of {int(replan)} draws")

            bar.progress(0.0, text="Re-planning…")
            replanned = replan_sensitivity(
                loaded, draws=int(replan), seed=int(seed), workers=1, progress=tick
            )
        bar.progress(1.0, text="Done")
        hold(HELD, (result, replanned), *settings)
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))

kept = held(HELD, "this analysis", *settings)
if kept is None:
    st.stop()
result, replanned = kept
drawn = f"{result.draws} draws of the weights"
if result.uncertain:
    drawn += f" and of the uncertain costs of {', '.join(result.uncertain)}"
st.caption(f"{drawn}, seed {result.seed}.")

st.subheader("How stable is each recommendation?")
stability = result.services.set_index("service")["P(same recommendation)"]
st.bar_chart(stability, horizontal=True)
st.dataframe(result.services, hide_index=True, key="sensitivity.services")
if len(result.exceptions):
    st.subheader("Exceptions")
    st.dataframe(result.exceptions, hide_index=True)

st.subheader("Tornado: which weight moves the result most")
tornado = result.tornado.set_index("criterion")[["low: priority shift", "high: priority shift"]]
st.bar_chart(
    pd.DataFrame(
        {"weight × 0.5": -tornado["low: priority shift"], "weight × 1.5": tornado["high: priority shift"]}
    ),
    horizontal=True,
    stack=False,
)
st.dataframe(result.tornado, hide_index=True)

if replanned is not None:
    st.subheader("Re-planned draws")
    st.dataframe(replanned, hide_index=True)
