"""Plan: capacities, forced choices and the objective; the optimised order, its charts and money."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import RESULT, need_programme, run_current, scenario_of, whatif

from engine.appraisal.public import finance_view, public_plan
from engine.base.errors import SsplanError
from engine.plan.windows import budget_windows, capacity_windows, named_overrides
from engine.present.charts import gantt_figure, usage_figure
from engine.programme.exempt import NOT_FOR_PUBLICATION

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
    format_func=lambda objective: labels[objective],
    key="plan.objective",
)
edits["consensus"] = right.checkbox(
    "No consenting partner worse off than today", value=edits["consensus"], key="plan.consensus"
)

st.markdown("**Capacities** (edit the capacity column: the limit in every window; named windows below)")
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

with st.expander("Capacity period by period"):
    pool = programme.resource(
        st.selectbox(
            "Resource",
            [p.id for p in programme.resources],
            format_func=lambda i: programme.resource(i).name,
            key="plan.window_pool",
        )
    )
    if pool.per == "horizon":
        st.caption("This resource has one limit for the whole programme: edit it in the table above.")
    else:
        default = float(edits["capacities"].get(pool.id, pool.capacity))
        held = edits["capacity_overrides"].get(pool.id, pool.overrides)
        windows = pd.DataFrame(
            [
                {"window": window.label, "key": window.key, "capacity": float(window.limit)}
                for window in capacity_windows(programme, pool.id, capacity=default, overrides=held)
            ]
        )
        changed = st.data_editor(
            windows,
            disabled=["window", "key"],
            hide_index=True,
            key=f"plan.windows.{pool.id}",
            column_config={"key": None, "capacity": st.column_config.NumberColumn(min_value=0.0, step=1.0)},
        )
        chosen = {row["key"]: float(row["capacity"]) for _, row in changed.iterrows()}
        named = named_overrides(chosen, default)
        if named != named_overrides(pool.overrides, default) or pool.id in edits["capacity_overrides"]:
            edits["capacity_overrides"][pool.id] = named

if programme.budget is not None:
    budget = edits["budget"] or {
        "per_financial_year": float(programme.budget.per_financial_year),
        "overrides": dict(programme.budget.overrides),
    }
    st.markdown("**One-off budget** (£ per financial year)")
    years = pd.DataFrame(
        [
            {"financial year": window.key, "budget": float(window.limit)}
            for window in budget_windows(
                programme,
                per_financial_year=budget["per_financial_year"],
                overrides=budget["overrides"],
                funded=False,
            )
        ]
    )
    spent = st.data_editor(
        years,
        disabled=["financial year"],
        hide_index=True,
        key="plan.budget",
        column_config={"budget": st.column_config.NumberColumn(min_value=0.0, step=1000.0, format="£%d")},
    )
    overrides = {row["financial year"]: float(row["budget"]) for _, row in spent.iterrows()}
    if overrides != {window.key: float(window.limit) for window in budget_windows(programme, funded=False)}:
        edits["budget"] = {"per_financial_year": budget["per_financial_year"], "overrides": overrides}

services = {s.id: s.name for s in programme.services}
left, right = st.columns(2)
edits["force_in"] = left.multiselect(
    "Must change",
    list(services),
    default=edits["force_in"],
    format_func=lambda service: services[service],
    key="plan.force_in",
)
edits["force_out"] = right.multiselect(
    "Keep as they are",
    [s for s in services if s not in edits["force_in"]],
    default=[s for s in edits["force_out"] if s not in edits["force_in"]],
    format_func=lambda service: services[service],
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

show_exempt = st.toggle(
    "Show confidential (exempt) figures — NOT FOR PUBLICATION",
    value=False,
    key="plan.exempt",
    help="Tendered prices marked exempt, and every figure they take part in, are withheld unless this is on.",
)
if show_exempt:
    st.error(NOT_FOR_PUBLICATION)
plan = public_plan(result.plan, show_exempt, result.scores)
st.subheader(f"Plan: {plan.status_text}")
if plan.plan is None:
    st.error(plan.message or "No plan satisfies the limits.")
    if plan.advice:
        st.markdown("**What would make a plan possible:**")
        for line in plan.advice:
            st.markdown(f"- {line}")
    st.stop()

if plan.proof:
    st.caption(plan.proof)
schedule = plan.to_frame()
if schedule.empty:
    st.info("Under this what-if every service stays as it is. Why, service by service, is below.")
st.dataframe(
    schedule[
        [
            "service_name",
            "option",
            "provider_name",
            "model",
            "exception",
            "start_label",
            "finish_label",
            "stages",
        ]
    ].rename(
        columns={
            "service_name": "service",
            "provider_name": "provider",
            "start_label": "start",
            "finish_label": "finish",
            "stages": "in stages",
        }
    ),
    hide_index=True,
    key="plan.schedule",
)
if not schedule.empty:
    st.plotly_chart(gantt_figure(plan), key="plan.gantt")
    st.plotly_chart(usage_figure(plan), key="plan.usage")

kept = [s for s in programme.services if s.id not in set(schedule["service"])]
if kept:
    st.markdown("**Kept as they are, and why**")
    for service in kept:
        st.markdown(f"- {service.name}: {plan.left_out.get(service.id, 'not worked out for this plan')}")

finance = finance_view(result, show_exempt)
if finance is not None:
    st.subheader("Money (Green Book)")
    if finance.withheld:
        st.caption(
            f"Left out of these figures because their prices are exempt: {', '.join(finance.withheld)}."
        )
    a, b, c, d = st.columns(4)
    a.metric("Net present value", f"£{finance.npv:,.0f}")
    b.metric("One-off costs", f"£{finance.one_off:,.0f}")
    c.metric("Annual saving", f"£{finance.annual_saving:,.0f}")
    if finance.one_off + float(finance.by_service["resource_cost"].sum()) == 0:
        payback = "no spending"
    elif finance.payback_years is None:
        payback = "not repaid"
    else:
        payback = f"{finance.payback_years:.1f} years"
    d.metric("Payback", payback)
    for service_id in plan.negative_npv:
        st.warning(
            f"{programme.service(service_id).name}: this change loses money over its appraisal "
            "(negative net present value); it is in the plan for its score, not its savings."
        )
    st.dataframe(finance.by_year, hide_index=True)
    st.dataframe(
        finance.by_partner.assign(partner=lambda f: f["partner"].map(lambda p: programme.partner(p).name)),
        hide_index=True,
    )
