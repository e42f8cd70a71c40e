"""Decisions: runs kept in the scenario store, and the decisions recorded on them."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st
from common import need_programme, run_current

from engine.appraisal.store import Store, default_url
from engine.base.errors import SsplanError

need_programme()
st.title("Decisions")
url = st.text_input(
    "Scenario store",
    value=os.environ.get("SSPLAN_DB", default_url()),
    key="decisions.url",
    help="an SQLite file by default; a PostgreSQL URL for a shared deployment",
)
try:
    store = Store(url)
    runs = store.runs()
except SsplanError as error:
    st.error("; ".join(str(p) for p in error.problems))
    st.stop()

if st.button("Store the current what-if's plan", key="decisions.save"):
    try:
        run_id = store.save_run(run_current())
        st.success(f"Stored as run {run_id}.")
        runs = store.runs()
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))

if not runs:
    st.info("No runs stored yet.")
    st.stop()
st.subheader("Runs")
st.dataframe(pd.DataFrame(runs), hide_index=True, key="decisions.runs")

st.subheader("Record a decision")
with st.form("decisions.form"):
    run_id = st.selectbox("Run", [r["id"] for r in runs], key="decisions.run")
    by = st.text_input("Recorded by", key="decisions.by")
    body = st.text_input("Body and date, e.g. Cabinet, 17 June 2015", key="decisions.body")
    decision = st.text_area("Decision", key="decisions.decision")
    if st.form_submit_button("Record"):
        if not (by.strip() and body.strip() and decision.strip()):
            st.error("Give who recorded it, the body and date, and the decision.")
        else:
            try:
                store.record_decision(int(run_id), by.strip(), body.strip(), decision.strip())
                st.success("Recorded.")
            except SsplanError as error:
                st.error("; ".join(str(p) for p in error.problems))

st.subheader("Decision log")
for run in runs:
    detail = store.run(run["id"])
    for entry in detail.get("decisions", []):
        who = f"recorded by {entry['recorded_by']}, {entry['recorded']}"
        heading = f"Run {run['id']} ({run['scenario']}): **{entry['body']}**"
        st.markdown(f"- {heading} — {entry['decision']} *({who})*")
