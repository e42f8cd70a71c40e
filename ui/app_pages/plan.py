"""Plan: capacities, forced choices and the objective; the optimised order, its charts and money."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import common
import pandas as pd
import streamlit as st
from common import RESULT, held, hold, need_programme, whatif
from planning import Background, finished, warm_up

from engine.appraisal.public import finance_view, public_plan
from engine.base.errors import SsplanError
from engine.plan.progress import Incumbent
from engine.plan.result import PlanResult, PlanStatus, gap_words
from engine.plan.windows import budget_windows, capacity_windows, named_overrides
from engine.present.charts import gantt_figure, usage_figure
from engine.present.frames import money_frame, schedule_frame
from engine.present.nochange import nothing_changes
from engine.present.words import (
    MONEY_FORMAT,
    OBJECTIVES,
    for_the_app,
    id_help,
    metric_words,
    named,
    objective_help,
    option_labels,
    payback_words,
    pounds,
    pounds_rounded,
    programme_caption,
)
from engine.programme.exempt import NOT_FOR_PUBLICATION
from engine.programme.money import Appraisal

programme = need_programme()
warm_up()  # the first Plan click should not wait for the solver's and Plotly's imports
edits = whatif()
st.title("Plan")
st.caption(programme_caption(programme.name))

objectives = list(OBJECTIVES)
left, right = st.columns(2)
edits["objective"] = left.selectbox(
    "Objective",
    objectives,
    index=objectives.index(edits["objective"]),
    format_func=OBJECTIVES.__getitem__,
    key="plan.objective",
    help=objective_help(Appraisal().years),
)
edits["consensus"] = right.checkbox(
    "No consenting partner worse off than today", value=edits["consensus"], key="plan.consensus"
)


def _editor(
    key: str, fresh: Callable[[], pd.DataFrame], commit: Callable[[pd.DataFrame], None], **kw: Any
) -> None:
    """A data editor whose edits reach the what-if as soon as a cell is left.

    The edit is committed in the editor's ``on_change`` callback, which Streamlit runs before the
    script, so the click that follows an edit (e.g. on **Plan**) acts on it.  The editor's data is
    fixed while the widget lives, so the browser never resets the edit it shows; when the what-if
    changes otherwise (another programme, a what-if loaded), the editor starts afresh from it.
    """
    now = fresh()
    generation, base = st.session_state.get(f"{key}.base", (0, None))
    widget = f"{key}.{generation}"
    if base is None or widget not in st.session_state:
        base = now  # drawn afresh: Streamlit dropped the old widget's state
    elif not _same(_with_edits(base, st.session_state[widget]), now):
        generation, base = generation + 1, now  # a new widget: the old one's edits are of other data
        widget = f"{key}.{generation}"
    st.session_state[f"{key}.base"] = (generation, base)

    def _on_change() -> None:
        commit(_with_edits(base, st.session_state[widget]))

    st.data_editor(base, key=widget, on_change=_on_change, hide_index=True, **kw)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    return left.shape == right.shape and all(
        left[c].astype(str).tolist() == right[c].astype(str).tolist() for c in left.columns
    )


def _with_edits(base: pd.DataFrame, state: dict[str, Any]) -> pd.DataFrame:
    """The editor's data with its edited cells (the widget's state: row position -> column -> value)."""
    frame = base.copy()
    for row, cells in state.get("edited_rows", {}).items():
        for column, value in cells.items():
            frame.iloc[int(row), frame.columns.get_loc(column)] = value
    return frame


def _pools() -> pd.DataFrame:
    return pd.DataFrame(
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


def _commit_pools(edited: pd.DataFrame) -> None:
    edits["capacities"] = {
        row["pool"]: float(row["capacity"])
        for _, row in edited.iterrows()
        if float(row["capacity"]) != float(row["as given"])
    }


st.markdown("**Capacities** (edit the capacity column: the limit in every window; named windows below)")
_editor(
    "plan.capacities",
    _pools,
    _commit_pools,
    disabled=["pool", "resource", "per", "as given"],
    column_config={"pool": None, "capacity": st.column_config.NumberColumn(min_value=0.0, step=1.0)},
)

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

        def _windows(pool_id: str = pool.id, default: float = default) -> pd.DataFrame:
            held_overrides = edits["capacity_overrides"].get(pool_id, programme.resource(pool_id).overrides)
            return pd.DataFrame(
                [
                    {"window": window.label, "key": window.key, "capacity": float(window.limit)}
                    for window in capacity_windows(
                        programme, pool_id, capacity=default, overrides=held_overrides
                    )
                ]
            )

        def _commit_windows(changed: pd.DataFrame, pool_id: str = pool.id, default: float = default) -> None:
            chosen = {row["key"]: float(row["capacity"]) for _, row in changed.iterrows()}
            named = named_overrides(chosen, default)
            given = programme.resource(pool_id).overrides
            if named != named_overrides(given, default) or pool_id in edits["capacity_overrides"]:
                edits["capacity_overrides"][pool_id] = named

        _editor(
            f"plan.windows.{pool.id}",
            _windows,
            _commit_windows,
            disabled=["window", "key"],
            column_config={"key": None, "capacity": st.column_config.NumberColumn(min_value=0.0, step=1.0)},
        )

if programme.budget is not None:
    given = programme.budget

    def _years() -> pd.DataFrame:
        budget = edits["budget"] or {
            "per_financial_year": float(given.per_financial_year),
            "overrides": dict(given.overrides),
        }
        return pd.DataFrame(
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

    def _commit_budget(spent: pd.DataFrame) -> None:
        overrides = {row["financial year"]: float(row["budget"]) for _, row in spent.iterrows()}
        as_given = {window.key: float(window.limit) for window in budget_windows(programme, funded=False)}
        if overrides != as_given:
            per_year = (edits["budget"] or {}).get("per_financial_year", float(given.per_financial_year))
            edits["budget"] = {"per_financial_year": per_year, "overrides": overrides}

    st.markdown("**One-off budget** (£ per financial year)")
    _editor(
        "plan.budget",
        _years,
        _commit_budget,
        disabled=["financial year"],
        column_config={
            "budget": st.column_config.NumberColumn(min_value=0.0, step=1000.0, format=MONEY_FORMAT)
        },
    )

RUNNING = "plan.running"  # the plan still being worked out on a worker thread (ui/background.py)
FIGURES = "plan.figures"  # (the held result, the exempt view, its Gantt, its resource use)
INTERIM = "plan.interim"  # (the incumbent shown, its table and Gantt): drawn once per better plan
WAIT = 2.0  # seconds a click waits for its plan before showing the search as it goes (issue 19: 2 s)
POLL = 0.5  # seconds between looks at a search still going
LINGER = 0.25  # seconds each look waits for the end, so a finished plan is shown without a wait


def _start() -> None:
    """Plan the what-if on a worker thread, so a long search can be watched and stopped.  A plan
    that comes within ``WAIT`` seconds is shown at once, as before; a longer one shows the best
    plan so far, with its gap, and a **Stop** button (:func:`_watch`)."""
    previous = st.session_state.pop(RUNNING, None)
    if previous is not None:
        previous.stop()  # a new click replaces a search still going
    name, text = common.current() or ("", "")
    scenario_json = common.scenario_of(edits).model_dump_json()
    done = finished(text, name, scenario_json)
    if done is not None:
        hold(RESULT, done)
        return
    try:
        loaded = common.loaded_whatif(text, name, scenario_json)
    except SsplanError as error:
        _failed(error)
        return
    job = Background(common.inputs_key(), loaded, (text, name, scenario_json)).start()
    if job.wait(WAIT):
        _collect(job)
    else:
        st.session_state[RUNNING] = job


def _failed(error: SsplanError) -> None:
    st.session_state.pop(RESULT, None)
    st.error("; ".join(str(p) for p in error.problems))


def _collect(job: Background) -> None:
    """Hold a finished plan with the inputs it was started for (not the inputs now)."""
    try:
        st.session_state[RESULT] = (job.key, job.outcome())
    except SsplanError as error:
        _failed(error)


def _running() -> None:
    """A search still going: watched until it ends; dropped (and stopped) once the inputs change."""
    job = st.session_state.get(RUNNING)
    if job is None:
        return
    if job.key != common.inputs_key():
        job.stop()
        st.session_state.pop(RUNNING, None)
        st.warning("The settings changed while the plan was being worked out, so that search was stopped.")
        return
    if job.done:
        st.session_state.pop(RUNNING, None)
        _collect(job)
        return
    _watch(job)
    st.stop()


@st.fragment(run_every=POLL)
def _watch(job: Background) -> None:
    """The search as it goes: the best verified plan so far and how far it may be from the best
    possible, redrawn as better ones are found; **Stop** keeps the best so far."""
    if job.wait(LINGER):
        st.rerun()
    st.subheader("Planning…")
    left, right = st.columns([5, 1])
    if right.button(
        "Stop",
        key="plan.stop",
        disabled=job.stopping or not job.progress.searching,  # the reasons pass cannot be stopped
        help="End the search now and keep the best plan found so far.",
    ):
        job.stop()
        if job.wait(2.0):
            st.rerun()
    best, gap = job.best()
    seconds = f"{job.seconds():.0f} s"
    if job.stopping:
        left.info(f"Stopping the search ({seconds})…")
    elif not job.progress.searching:
        left.info(
            f"The plan is found ({seconds}); now working out why each service left unchanged stays as it is…"
        )
    elif best is None:
        left.info(f"Looking for a first plan ({seconds})…")
    else:
        found = "by the priority rule" if best.source == "priority rule" else "by the optimiser"
        how_far = (
            f"it is {gap_words(gap)}"
            if gap is not None
            else "how far it is from the best possible is not yet known"
        )
        left.info(
            f"Still searching ({seconds}). The best plan so far (found {found}) is shown below and may "
            f"still improve; {how_far}."
        )
    if best is not None:
        _interim(best, gap)


def _figures(result: Any, plan: PlanResult, show_exempt: bool) -> tuple[Any, Any]:
    """The plan's Gantt and resource use, built once per held result and view (a quarter to half a
    second of Plotly each): a rerun that does not change the plan (the exempt toggle, a visit from
    another page) draws them again without building them again."""
    kept = st.session_state.get(FIGURES)
    if kept is None or kept[0] is not result or kept[1] != show_exempt:
        kept = (result, show_exempt, gantt_figure(plan), usage_figure(plan))
        st.session_state[FIGURES] = kept
    return kept[2], kept[3]


def _interim(best: Incumbent, gap: float | None) -> None:
    """The best plan so far through the public view, its table and Gantt drawn once per plan."""
    shown = st.session_state.get(INTERIM)
    if shown is None or shown[0] is not best:
        interim = PlanResult(
            PlanStatus.FEASIBLE, edits["objective"], plan=best.plan, programme=programme, gap=gap
        )
        public = public_plan(interim, False, common.current_scores())
        frame = schedule_frame(public.to_frame(), programme)
        shown = (best, frame, gantt_figure(public) if best.plan.assignments else None)
        st.session_state[INTERIM] = shown
    _, frame, figure = shown
    common.table(frame, key="plan.interim_schedule")
    if figure is not None:
        st.plotly_chart(figure, key="plan.interim_gantt")


services = {s.id: s.name for s in programme.services}
left, right = st.columns(2)
edits["force_in"] = left.multiselect(
    "Must change",
    list(services),
    default=edits["force_in"],
    format_func=lambda service: services[service],
    key="plan.force_in",
    filter_mode="contains",  # typing "ICT" finds the service named so, not a fuzzy crowd
    select_all=False,  # Enter picks a service, never "Select 5 matches"
)
edits["force_out"] = right.multiselect(
    "Keep as they are",
    [s for s in services if s not in edits["force_in"]],
    default=[s for s in edits["force_out"] if s not in edits["force_in"]],
    format_func=lambda service: services[service],
    key="plan.force_out",
    filter_mode="contains",  # typing "ICT" finds the service named so, not a fuzzy crowd
    select_all=False,  # Enter picks a service, never "Select 5 matches"
)

if st.button("Plan", type="primary", key="plan.run"):
    with st.spinner("Optimising the order…"):
        _start()
_running()
result = held(RESULT, "this plan")
if result is None:
    st.stop()

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
    st.info(for_the_app(nothing_changes(plan.left_out)))
common.table(
    schedule_frame(schedule, programme),
    key="plan.schedule",
    help={"Service": id_help(((s.id, s.name) for s in programme.services), "Services")},
)
if not schedule.empty:
    gantt, use = _figures(result, plan, show_exempt)
    st.plotly_chart(gantt, key="plan.gantt")
    st.plotly_chart(use, key="plan.usage")

kept = [s for s in programme.services if s.id not in set(schedule["service"])]
if kept:
    st.markdown("**Kept as they are, and why**")
    for service in kept:
        why = plan.left_out.get(service.id, "not worked out for this plan")
        st.markdown(f"- {service.name}: {for_the_app(why)}")

finance = finance_view(result, show_exempt)
if finance is not None:
    st.subheader("Money (Green Book)")
    if finance.withheld:
        st.caption(
            "Left out of these figures because their prices are exempt: "
            + ", ".join(named(finance.withheld, option_labels(programme)))
            + "."
        )
    a, b, c, d = st.columns(4)
    a.metric("Net present value", pounds(finance.npv), help=pounds_rounded(finance.npv))
    b.metric("One-off costs", pounds(finance.one_off))
    c.metric("Annual saving", pounds(finance.annual_saving))
    spending = finance.one_off + float(finance.by_service["resource_cost"].sum())
    payback, payback_help = metric_words(
        payback_words(finance.payback_years, finance.no_change, spending != 0)
    )
    d.metric("Payback", payback, help=payback_help)
    for service_id in plan.negative_npv:
        st.warning(
            f"{programme.service(service_id).name}: this change loses money over its appraisal "
            "(negative net present value); it is in the plan for its score, not its savings."
        )
    common.table(money_frame(finance.by_year, programme), key="plan.by_year")
    common.table(money_frame(finance.by_partner, programme), key="plan.by_partner")
