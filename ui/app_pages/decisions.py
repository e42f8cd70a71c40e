"""Decisions: runs kept in the scenario store, and the decisions recorded on them.

The store is the one the deployment configures (``SSPLAN_DB``; by default a local SQLite file):
a director is never asked for a database URL, and a store that cannot be opened gets a plain
message, not the database driver's text.  A decision is recorded in the form's callback, which
runs before the page is drawn, so the runs table's count of decisions is already up to date.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st
from common import need_programme, run_current

from engine.appraisal.store import Store, default_url
from engine.base.errors import SsplanError
from engine.present.frames import runs_frame
from engine.present.words import when_text

NOTE = "decisions.note"  # (kind, text) to show after a callback: ("success" | "error", message)
UNAVAILABLE = (
    "The decision store cannot be used just now, so runs and decisions cannot be shown or kept. "
    "Ask whoever runs ssplan to check its store setting (SSPLAN_DB)."
)


def _store() -> Store | None:
    try:
        return Store(os.environ.get("SSPLAN_DB") or default_url())
    except SsplanError:
        return None


def _record(store: Store) -> None:
    """Record the form's decision (a callback: it runs before the page, so the table counts it)."""
    state = st.session_state
    by, body, decision = (str(state.get(f"decisions.{k}", "")).strip() for k in ("by", "body", "decision"))
    if not (by and body and decision):
        state[NOTE] = ("error", "Give who recorded it, the body and date, and the decision.")
        return
    try:
        store.record_decision(int(state["decisions.run"]), by, body, decision)
    except SsplanError:
        state[NOTE] = ("error", UNAVAILABLE)
        return
    state[NOTE] = ("success", f"Recorded on run {state['decisions.run']}.")


programme = need_programme()
st.title("Decisions")
store = _store()
if store is None:
    st.error(UNAVAILABLE)
    st.stop()
assert store is not None

if st.button("Store the current what-if's plan", key="decisions.save"):
    try:
        run_id = store.save_run(run_current())
        st.success(f"Stored as run {run_id}.")
    except SsplanError:
        st.error(UNAVAILABLE)

try:
    runs: list[dict[str, Any]] = store.runs()
except SsplanError:
    st.error(UNAVAILABLE)
    st.stop()
if not runs:
    st.info("No runs stored yet.")
    st.stop()
st.subheader("Runs")
st.dataframe(runs_frame(runs, programme), hide_index=True, key="decisions.runs")

st.subheader("Record a decision")
note = st.session_state.pop(NOTE, None)
with st.form("decisions.form"):
    st.selectbox("Run", [r["id"] for r in runs], key="decisions.run")
    st.text_input("Recorded by", key="decisions.by")
    st.text_input("Body and date, e.g. Cabinet, 17 June 2015", key="decisions.body")
    st.text_area("Decision", key="decisions.decision")
    st.form_submit_button("Record", on_click=_record, args=(store,))
if note is not None:
    (st.success if note[0] == "success" else st.error)(note[1])

st.subheader("Decision log")
for run in runs:
    if not run["decisions"]:
        continue
    try:
        detail = store.run(run["id"])
    except SsplanError:
        st.error(UNAVAILABLE)
        break
    for entry in detail.get("decisions", []):
        who = f"recorded by {entry['recorded_by']}, {when_text(entry['recorded'])}"
        heading = f"Run {run['id']} ({run['scenario']}): **{entry['body']}**"
        st.markdown(f"- {heading} — {entry['decision']} *({who})*")
