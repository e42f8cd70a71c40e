"""Priorities: the rule set, the method and the weights; the ranking follows as they move."""

from __future__ import annotations

import streamlit as st
from common import current_scores, need_programme, rule_sets, rules_of, whatif

from engine.base.errors import SsplanError
from engine.present.explain import explain_service

programme = need_programme()
edits = whatif()
st.title("Priorities")

left, right = st.columns(2)
sets = rule_sets()
rules_name = left.selectbox("Rule set", sets, index=sets.index(edits["rules"]), key="priorities.rules")
if rules_name != edits["rules"]:
    edits.update(rules=rules_name, weights={})
rules = rules_of(edits["rules"])
methods = ["wsm", "topsis"]
method = right.radio(
    "Method",
    methods,
    index=methods.index(edits["method"] or rules.method),
    format_func={"wsm": "weighted sum", "topsis": "TOPSIS"}.get,
    horizontal=True,
    key="priorities.method",
)
edits["method"] = method

st.markdown("**Weights** (relative: they are scaled to add up to 100 %)")
columns = st.columns(len(rules.criteria))
weights = {}
for column, criterion in zip(columns, rules.criteria, strict=True):
    weights[criterion.id] = column.slider(
        criterion.name,
        min_value=0.0,
        max_value=100.0,
        value=float(edits["weights"].get(criterion.id, criterion.weight)),
        step=1.0,
        help=criterion.text,
        key=f"priorities.weight.{edits['rules']}.{criterion.id}",
    )
edits["weights"] = {
    c: w for c, w in weights.items() if w != next(x.weight for x in rules.criteria if x.id == c)
}
if st.button("Reset weights", key="priorities.reset"):
    edits["weights"] = {}
    for criterion in rules.criteria:
        st.session_state.pop(f"priorities.weight.{edits['rules']}.{criterion.id}", None)
    st.rerun()

try:
    table = current_scores()
except SsplanError as error:
    st.error("; ".join(str(p) for p in error.problems))
    st.stop()

st.subheader("Ranking")
ranking = table.public_services()[
    ["priority", "service", "name", "recommended", "provider_name", "status", "gain", "score"]
].rename(columns={"provider_name": "provider"})
st.dataframe(ranking, hide_index=True, key="priorities.ranking")

exceptions = table.public_exceptions()
if len(exceptions):
    st.subheader("Exceptions (another partner than the expected provider)")
    shown = exceptions[
        [
            "service",
            "option",
            "provider_name",
            "score",
            "npv",
            "benchmark_npv",
            "required_npv",
            "gap",
            "verdict",
        ]
    ].rename(
        columns={
            "provider_name": "provider",
            "npv": "NPV (£)",
            "benchmark_npv": "benchmark NPV (£)",
            "required_npv": "NPV needed (£)",
            "gap": "short by (£)",
        }
    )
    st.caption(
        "An exception must beat the expected provider's best net present value by the margin (a share "
        "of that NPV, in £): this is the programme's reading of the MoU's 'greater value' (the MoU "
        "gives no margin)."
    )
    if exceptions["score"].isna().any():
        st.caption("Scores that rest on commercially confidential (exempt) prices are withheld.")
    st.dataframe(
        shown.style.apply(
            lambda row: [
                "background-color: #fde2c8" if row["verdict"] == "recommended by exception" else ""
                for _ in row
            ],
            axis=1,
        ),
        hide_index=True,
    )

st.subheader("Why")
for service in programme.services:
    with st.expander(service.name):
        st.text(explain_service(table, service.id))
