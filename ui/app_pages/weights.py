"""Weights: ask a named stakeholder for their priorities (pairwise or swing), save, list and combine sets."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st
from common import current_scores, need_programme, rules_of, use_weight_set, weights_dir, whatif

from engine.base.errors import SsplanError
from engine.present.weights import approval_text, weight_set_text
from engine.present.words import level_text, saved_as
from engine.scoring.elicit import ahp, pairs, spread
from engine.scoring.weightsets import (
    Stakeholder,
    Swing,
    WeightSet,
    ahp_set,
    combine_sets,
    list_weight_sets,
    save_weight_set,
    swing_levels,
    swing_set,
)

SCALE = [9.0, 7.0, 5.0, 3.0, 1.0, 1 / 3, 1 / 5, 1 / 7, 1 / 9]
WORDS = {9.0: "extremely", 7.0: "very strongly", 5.0: "strongly", 3.0: "moderately"}

programme = need_programme()
rules = rules_of(whatif()["rules"])
folder = weights_dir(programme.id)
names = {c.id: c.name for c in rules.criteria}
st.title("Weights")
st.caption(f"{approval_text(rules)}. Weight sets are kept in {folder}.")


def _judged(a: str, b: str) -> Callable[[float], str]:
    def shown(value: float) -> str:
        if value == 1:
            return "equal"
        if value > 1:
            return f"{names[a]} {WORDS[value]} ({value:g}×)"
        return f"{names[b]} {WORDS[1 / value]} ({1 / value:g}×)"

    return shown


def _save(made: WeightSet) -> None:
    try:
        save_weight_set(folder, made)
    except SsplanError as error:
        st.error("; ".join(p.message for p in error.problems))
        return
    st.success(f"{weight_set_text(made)}; {saved_as(made.name, programme.name)}")


st.subheader("Ask a stakeholder")
left, right = st.columns(2)
set_name = left.text_input("Weight set name (letters, digits, - and _)", key="weights.name")
by = right.text_input("Whose weights: name, role, council", key="weights.by")
method = st.radio(
    "Method",
    ["ahp", "swing"],
    format_func={"ahp": "pairwise comparison (AHP)", "swing": "swing weighting"}.get,
    horizontal=True,
    key="weights.method",
)
made: WeightSet | None = None
problem = ""
try:
    person = Stakeholder.parse(by) if by else None
except ValueError as exc:
    person, problem = None, str(exc)
if set_name and not re.match(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", set_name):
    problem, set_name = "a weight set's name is letters, digits, '-' and '_' (no spaces)", ""

if method == "ahp":
    st.markdown("For each pair: which matters more, and how much more?")
    criteria = list(names)
    judgements = {
        (a, b): st.select_slider(
            f"{names[a]} or {names[b]}",
            options=SCALE,
            value=1.0,
            format_func=_judged(a, b),
            key=f"weights.pair.{rules.id}.{a}.{b}",
        )
        for a, b in pairs(criteria)
    }
    result = ahp(criteria, judgements)
    st.metric("Consistency ratio", f"{result.consistency_ratio:.3f}", help="Saaty's limit is 0.1")
    if not result.acceptable:
        st.warning("The answers contradict each other (consistency ratio above 0.1); revise these first:")
        st.dataframe(
            pd.DataFrame(
                [
                    {"pair": f"{names[a]} : {names[b]}", "judged": j, "your other answers imply": round(i, 2)}
                    for (a, b), j, i, _ in result.inconsistent[:3]
                ]
            ),
            hide_index=True,
            key="weights.inconsistent",
        )
    weights = result.weights
    if person is not None and set_name and result.acceptable:
        made = ahp_set(set_name, programme.id, rules, person, date.today(), judgements)
else:
    levels = swing_levels(current_scores())
    st.markdown(
        "Each swing takes a criterion from its worst to its best level among this programme's options."
    )
    money = {c.id for c in rules.criteria if c.unit == "money"}

    def swing_text(c: str) -> str:
        return " → ".join(level_text(v, c in money) for v in levels[c])

    ranked = st.multiselect(
        "Rank the swings, most valuable first",
        list(names),
        format_func=lambda c: f"{names[c]} ({swing_text(c)})",
        key="weights.rank",
    )
    ratings, ceiling = {}, 100.0
    for k, criterion in enumerate(ranked):
        ratings[criterion] = ceiling = (
            100.0
            if k == 0
            else st.slider(
                f"{names[criterion]} against {names[ranked[0]]} (100)",
                0.0,
                ceiling,
                ceiling,
                key=f"weights.rating.{criterion}",
            )
        )
    weights = {c: r / sum(ratings.values()) for c, r in ratings.items()} if ratings else {}
    if len(ranked) < len(names):
        problem = problem or "rank every criterion to make a swing set"
    elif person is not None and set_name:
        swings = [
            Swing(
                criterion=c,
                rank=r,
                rating=ratings[c],
                worst=f"{levels[c][0]:,.4g}",
                best=f"{levels[c][1]:,.4g}",
            )
            for r, c in enumerate(ranked, 1)
        ]
        made = swing_set(set_name, programme.id, rules, person, date.today(), swings)

if weights:
    st.dataframe(
        pd.DataFrame([{"criterion": names[c], "weight": f"{w:.1%}"} for c, w in weights.items()]),
        hide_index=True,
        key="weights.result",
    )
if problem:
    st.error(problem)
if st.button("Save weight set", disabled=made is None, key="weights.save") and made is not None:
    _save(made)

st.subheader("Weight sets of this programme")
try:
    sets = [s for s in list_weight_sets(folder) if s.rules == rules.id]
except SsplanError as error:
    st.error("; ".join(str(p) for p in error.problems))
    sets = []
for s in sets:
    text, use = st.columns([6, 1])
    text.markdown(f"- {weight_set_text(s)}")
    if use.button("Use", key=f"weights.use.{s.name}", help="score the what-if with these weights"):
        use_weight_set(s)
        st.success(f"The what-if now scores with `{s.name}`: see Priorities, Plan and Report.")
if not sets:
    st.caption("None yet for this rule set.")
chosen = st.multiselect("Combine into a group's set", [s.name for s in sets], key="weights.combine")
group = st.text_input("Group set name", key="weights.group")
if len(chosen) >= 2:
    by_name = {s.name: s for s in sets}
    picked = [by_name[n] for n in chosen]
    rows = spread(list(names), {s.name: s.weights for s in picked})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "criterion": names[r.criterion],
                    **{k: f"{v:.1%}" for k, v in r.by.items()},
                    "spread": f"{r.low:.1%}–{r.high:.1%}",
                }
                for r in rows
            ]
        ),
        hide_index=True,
        key="weights.spread",
    )
    if st.button("Combine", disabled=not group, key="weights.combine_button"):
        try:
            _save(combine_sets(picked, group, date.today()))
        except SsplanError as error:
            st.error("; ".join(p.message for p in error.problems))
