"""Priorities: the rule set, the method and the weights; the ranking follows as they move."""

from __future__ import annotations

import common
import streamlit as st
from common import current_scores, need_programme, rule_sets, rules_of, weight_set_in_use, whatif

from engine.base.errors import SsplanError
from engine.present.assumed import summary_line
from engine.present.explain import explain_service
from engine.present.frames import RANKING_HELP, exceptions_frame, ranking_frame
from engine.present.plain import ASSUMED_NOTE, assumed_lines, why_lines
from engine.present.ties import tie_rule, ties_text
from engine.present.weights import approval_text, weight_set_text
from engine.present.words import id_help
from engine.scoring.assumed import assumed_inputs
from engine.scoring.ties import near_ties

programme = need_programme()
edits = whatif()
st.title("Priorities")

left, right = st.columns(2)
sets = rule_sets()
rules_name = left.selectbox("Rule set", sets, index=sets.index(edits["rules"]), key="priorities.rules")
if rules_name != edits["rules"]:
    edits.update(rules=rules_name, weights={})
rules = rules_of(edits["rules"])
st.caption(approval_text(rules) + ". The **Weights** page asks stakeholders for their own weights.")
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


def _slider_key(criterion: str) -> str:
    return f"priorities.weight.{edits['rules']}.{criterion}"


def _reset() -> None:
    """Put the sliders back to the rule set's weights.  A callback runs before the widgets are
    drawn, so writing their keys here moves them (writing after would leave them where they were)."""
    edits["weights"] = {}
    for criterion in rules.criteria:
        st.session_state[_slider_key(criterion.id)] = float(criterion.weight)


columns = st.columns(len(rules.criteria))
weights = {}
for column, criterion in zip(columns, rules.criteria, strict=True):
    key = _slider_key(criterion.id)
    if key not in st.session_state:  # drawn afresh (e.g. back from another page): the edit held
        st.session_state[key] = float(edits["weights"].get(criterion.id, criterion.weight))
    weights[criterion.id] = column.slider(
        criterion.name, min_value=0.0, max_value=100.0, step=1.0, help=criterion.text, key=key
    )
edits["weights"] = {
    c: w for c, w in weights.items() if w != next(x.weight for x in rules.criteria if x.id == c)
}
in_use = weight_set_in_use(programme.id)
if in_use is not None:
    st.caption(weight_set_text(in_use))
st.button("Reset weights", key="priorities.reset", on_click=_reset)

try:
    table = current_scores()
except SsplanError as error:
    st.error("; ".join(str(p) for p in error.problems))
    st.stop()

st.subheader("Ranking")
ties, assumed = near_ties(table), assumed_inputs(table)
ranking = ranking_frame(table, ties)
common.table(
    ranking,
    key="priorities.ranking",
    help={**RANKING_HELP, "Service": id_help(((s.id, s.name) for s in programme.services), "Services")},
)
st.caption(f"Ties: {tie_rule(table, ties)}.")
if any(assumed):
    st.caption(f"{summary_line(table, assumed)}: {ASSUMED_NOTE}.")
    with st.expander("Scores resting on assumed values"):
        st.markdown("\n".join(assumed_lines(table, assumed)))
if ties.any():
    with st.expander("Effectively equal scores"):
        st.text(ties_text(table, ties).strip())

exceptions = table.public_exceptions()
if len(exceptions):
    st.subheader("Exceptions (another partner than the expected provider)")
    shown = exceptions_frame(table)
    st.caption(
        "An exception must beat the expected provider's best net present value by the margin (a share "
        "of that NPV, in £): this is the programme's reading of the MoU's 'greater value' (the MoU "
        "gives no margin)."
    )
    if exceptions["score"].isna().any():
        st.caption("Scores that rest on commercially confidential (exempt) prices are withheld.")
    common.table(shown, key="priorities.exceptions")

st.subheader("Why")
service_names = {s.id: s.name for s in programme.services}
why = st.selectbox(
    "Service", list(service_names), format_func=service_names.__getitem__, key="priorities.why"
)
st.markdown("\n".join(why_lines(table, why)))
with st.expander("The formula behind these scores"):
    st.text(explain_service(table, why))
