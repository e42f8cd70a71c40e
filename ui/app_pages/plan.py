"""Plan: capacities, forced choices and the objective; the optimised order, its charts and money."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import RESULT, need_programme, run_current, scenario_of, whatif

from engine.charts import gantt_figure, usage_figure
from engine.errors import SsplanError

programme = need_programme()
edits = whatif()
st.title("Plan")

objectives = ["value", "savings", "makespan", "maxmin"]
labels = {
    "value": "value (scores, earliest first)",
    "savings": "net savings",
    "makespan": "finish soonest",
    "maxmin": "best for the worst-off partner",
}
left, right = st.columns(2)
edits["objective"] = left.selectbox(
    "Objective",
    objectives,
    index=objectives.index(edits["objective"]),
    format_func=labels.get,
    key="plan.objective",
)
edits["consensus"] = right.checkbox(
    "No consenting partner worse off than today", value=edits["consensus"], key="plan.consensus"
)

st.markdown("**Capacities** (edit the capacity column; one value per pool for every period)")
pools = pd.DataFrame(
    [
        {
            "pool": pool.id,
            "resource": pool.name,
            "per": pool.per.replace("_", " "),
            "capacity": float(edits["capacities"].get(pool.id, pool.capacity)),
            "as given": float(pool.capacity),
        }
        for pool in programme.resources
    ]
)
edited = st.data_editor(
    pools,
    disabled=["pool", "resource", "per", "as given"],
    hide_index=True,
    key="plan.capacities",
    column_config={"capacity": st.column_config.NumberColumn(min_value=0.0, step=1.0)},
)
edits["capacities"] = {
    row["pool"]: float(row["capacity"])
    for _, row in edited.iterrows()
    if float(row["capacity"]) != float(row["as given"])
}

services = {s.id: s.name for s in programme.services}
left, right = st.columns(2)
edits["force_in"] = left.multiselect(
    "Must change", list(services), default=edits["force_in"], format_func=services.get, key="plan.force_in"
)
edits["force_out"] = right.multiselect(
    "Keep as they are",
    [s for s in services if s not in edits["force_in"]],
    default=[s for s in edits["force_out"] if s not in edits["force_in"]],
    format_func=services.get,
    key="plan.force_out",
)

if st.button("Plan", type="primary", key="plan.run"):
    try:
        with st.spinner("Optimising the order…"):
            st.session_state[RESULT] = (scenario_of(edits).model_dump_json(), run_current())
    except SsplanError as error:
        st.session_state.pop(RESULT, None)
        st.error("; ".join(str(p) for p in error.problems))

held = st.session_state.get(RESULT)
if held is None:
    st.stop()
asked, result = held
if asked != scenario_of(edits).model_dump_json():
    st.warning("The settings have changed since this plan was made: press **Plan** to update it.")

plan = result.plan
st.subheader(f"Plan: {plan.status_text}")
if plan.plan is None:
    st.error(plan.message or "No plan satisfies the limits.")
    if plan.advice:
        st.markdown("**What would make a plan possible:**")
        for line in plan.advice:
            st.markdown(f"- {line}")
    st.stop()

schedule = plan.to_frame()
if schedule.empty:
    st.info("Under this what-if every service stays as it is: no change scores better than today.")
st.dataframe(
    schedule[
        ["service_name", "option", "provider_name", "model", "exception", "start_label", "finish_label"]
    ].rename(
        columns={
            "service_name": "service",
            "provider_name": "provider",
            "start_label": "start",
            "finish_label": "finish",
        }
    ),
    hide_index=True,
    key="plan.schedule",
)
if not schedule.empty:
    st.plotly_chart(gantt_figure(plan), key="plan.gantt")
    st.plotly_chart(usage_figure(plan), key="plan.usage")

finance = result.finance
if finance is not None:
    st.subheader("Money (Green Book)")
    a, b, c, d = st.columns(4)
    a.metric("Net present value", f"£{finance.npv:,.0f}")
    b.metric("One-off costs", f"£{finance.one_off:,.0f}")
    c.metric("Annual saving", f"£{finance.annual_saving:,.0f}")
    d.metric("Payback", f"{finance.payback_years:.1f} years" if finance.payback_years is not None else "—")
    st.dataframe(finance.flows.frame(), hide_index=True)
    st.dataframe(
        finance.by_partner.assign(partner=lambda f: f["partner"].map(lambda p: programme.partner(p).name)),
        hide_index=True,
    )
