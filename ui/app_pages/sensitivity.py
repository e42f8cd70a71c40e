"""Sensitivity: how far the recommendations hold when weights and uncertain costs vary."""

from __future__ import annotations

import common
import streamlit as st
from background import jobs, kept
from common import (
    current,
    held,
    hold,
    keep,
    loaded_whatif,
    need_programme,
    rules_of,
    scenario_of,
    sensitivity_key,
    sensitivity_of,
    sticky,
    whatif,
)

from engine.appraisal.sensitivity import replan_sensitivity
from engine.base.errors import SsplanError
from engine.present.charts import tornado_figure
from engine.present.robustness import (
    CHANCES,
    NO_EFFECT,
    TORNADO_NOTE,
    exception_chances,
    replanned_frame,
    stability_frame,
    tornado_frame,
)
from engine.present.words import named, option_labels

HELD = "sensitivity.result"  # (inputs key, (weight/cost sensitivity, re-planned draws or None))

programme = need_programme()
edits = whatif()
jobs()  # the report writer's imports start in the background: a report usually follows
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
        # kept by content: the Report cites this very analysis, and the cost draws outlive a weight
        key = sensitivity_key(int(draws), int(seed))
        result = sensitivity_of(kept(), key, loaded, int(draws), int(seed))
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

analysis = held(HELD, "this analysis", *settings)
if analysis is None:
    st.stop()
result, replanned = analysis
drawn = f"{result.draws} draws of the weights"
if result.uncertain:
    drawn += " and of the uncertain costs of " + "; ".join(named(result.uncertain, option_labels(programme)))
st.caption(f"{drawn}, seed {result.seed}.")

st.subheader("How stable is each recommendation?")
stability = stability_frame(result.services, programme)
common.table(stability, key="sensitivity.services")
if len(result.exceptions):
    st.subheader("Exceptions")
    common.table(
        exception_chances(result.exceptions, programme),
        key="sensitivity.exceptions",
        help=CHANCES,
    )

st.subheader("Tornado: which weight moves the result most")
criteria = {c.id: c.name for c in rules_of(edits["rules"]).criteria}
st.caption(TORNADO_NOTE)
if not result.tornado[[c for c in result.tornado.columns if ":" in c]].to_numpy().any():
    st.info(NO_EFFECT)
st.plotly_chart(tornado_figure(result.tornado, criteria), key="sensitivity.tornado")
common.table(tornado_frame(result.tornado, criteria), key="sensitivity.tornado_table")

if replanned is not None:
    st.subheader("Re-planned draws")
    common.table(replanned_frame(replanned, programme), key="sensitivity.replanned")
