"""Compare: the what-if on screen (saved under a name) beside shipped and other saved scenarios."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import report_writer
import streamlit as st
from background import jobs, kept, quick
from common import (
    current,
    need_programme,
    run_shipped,
    run_whatif,
    saved_whatifs,
    scenario_of,
    shipped_scenarios,
    switching_for,
    whatif,
)

from engine.appraisal.compare import compare
from engine.appraisal.scenario import inputs_hash
from engine.base.errors import SsplanError
from engine.present.charts import money_bars_figure
from engine.present.frames import change_text, choices_frame, summary_cells, switching_frame

programme = need_programme()
edits = whatif()
jobs()  # the report writer's imports start in the background: a report usually follows
st.title("Compare")
saved = saved_whatifs()  # only those saved on this programme: they never follow to another

left, right = st.columns([3, 1])
name = left.text_input("Save the current what-if as", value=edits["name"], key="compare.name")
if right.button("Save", key="compare.save"):
    edits["name"] = name.strip() or "what-if"
    saved[edits["name"]] = scenario_of(edits).model_dump_json()
    st.success(f"Saved '{edits['name']}'.")

files = shipped_scenarios(programme.id)
options = [f"saved: {n}" for n in saved] + [f"shipped: {n}" for n in files]
picked = st.multiselect(
    "Scenarios to compare (the first is the reference)",
    options,
    default=options[:2],
    key="compare.pick",
)
if len(picked) < 2:
    st.info("Pick two or more scenarios. Save the what-if you are editing to include it.")
    st.stop()

results = []
try:
    held_name, held_yaml = current() or ("", "")
    for choice in picked:
        kind, label = choice.split(": ", 1)
        if kind == "saved":
            results.append(run_whatif(held_yaml, held_name, saved[label]))
        else:
            results.append(run_shipped(str(files[label]), files[label].stat().st_mtime))
except SsplanError as error:
    st.error("; ".join(str(p) for p in error.problems))
    st.stop()

comparison = compare(results)
summary = summary_cells(comparison.summary, programme).set_index("scenario").T
summary.index.name = "Scenario"
st.subheader("Side by side")
st.dataframe(summary, key="compare.summary")

st.subheader("Choices")
reference = comparison.choices.columns[0]
st.dataframe(
    choices_frame(comparison.choices, programme).style.apply(
        lambda row: [
            "" if i == 0 or v == row.iloc[0] else "background-color: #fff3b0" for i, v in enumerate(row)
        ],
        axis=1,
    ),
    key="compare.choices",
)
if comparison.changes:
    st.markdown(f"**What changed against '{reference}', and why**")
    for change in comparison.changes:
        st.markdown(f"- {change_text(change, programme)}")

st.subheader("NPV and annual saving")
st.plotly_chart(
    money_bars_figure(
        comparison.summary, "scenario", {"NPV (£)": "Net present value", "annual saving (£)": "Annual saving"}
    ),
    key="compare.money",
)

st.subheader("Exception switching values")
# bisections that re-score the programme many times: worked out beside the page (kept by the
# reference's content, so the Report reuses them) and shown when ready; the rest is drawn at once
inputs, store = inputs_hash(results[0]), kept()
working = quick().start(f"switching:{inputs}", report_writer.switching, results[0].loaded)
if working.done() and "values" in working.result():  # kept for the Report (switching_for reads it)
    store.get(f"switching:{inputs}", lambda: working.result()["values"])


@st.fragment(run_every=None if working.done() else 1.0)
def switching_section(job: Future[Any], done: bool) -> None:
    """The reference's switching values once worked out (``done``: when the page was drawn; a job
    that ends after it redraws the page, which stops the polling)."""
    if not job.done():
        st.info(
            "Working out how far each cost could move before a verdict flips…",
            icon=":material/hourglass_top:",
        )
        return
    if not done:
        st.rerun()
    if "problems" in job.result():  # a bug in the worker is raised by result(), as it would be here
        st.error("; ".join(job.result()["problems"]))
        return
    values = switching_for(inputs, results[0].loaded)  # the job's, kept above
    public = [{k: v for k, v in row.items() if k != "exempt"} for row in values if not row["exempt"]]
    if public:
        st.dataframe(switching_frame(public, programme), hide_index=True, key="compare.switching")
    if any(row["exempt"] for row in values):
        st.caption("Switching values that rest on confidential prices are in the exempt appendix only.")
    if not values:
        st.write("No exception to weigh.")


switching_section(working, working.done())
