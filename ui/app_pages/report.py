"""Report: the Cabinet report, its exempt appendix, and the plan as a workbook or CSV.

Writing the Word files takes seconds (the Gantt picture, two documents), so the click starts them
in a worker process (``background.Jobs``), keyed by the content (programme, rule set, what-if,
draws), and settles at once: the page shows progress and offers them when they are ready.  The
worker reuses the sensitivity and switching values the other pages kept for the same content.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import streamlit as st
from background import jobs, kept
from common import RESULT, held, hold, inputs_key, keep, need_programme, run_current, sensitivity_key, sticky
from report_writer import write_word

from engine.appraisal.public import public_plan
from engine.appraisal.scenario import inputs_hash
from engine.base.errors import SsplanError
from engine.io.cells import frame_csv
from engine.present.tables import plan_workbook

FILES = "report.files"  # (inputs key, {kind: bytes}): every file, once the Word files are written
ASKED = "report.asked"  # (inputs key, (job key, started at)): the report asked for, being written
PLAN = "report.plan"  # (inputs key, {"xlsx": bytes, "csv": bytes}): offered as soon as asked
SEED = 0  # the Sensitivity page's default seed: the report cites the same draws


def ask(draws: int) -> None:
    """Start the Word files for what is on screen (or find them started) and offer the plan.  The
    worker gets the sensitivity and switching values the Sensitivity and Compare pages kept for
    these inputs (it works out those no page has)."""
    result = run_current()
    store = kept()
    sensitivity = store.peek(sensitivity_key(draws, SEED))
    switching = store.peek(f"switching:{inputs_hash(result)}")
    public = public_plan(result.plan, False, result.scores)  # the report page's files are for publication
    plan = {
        "xlsx": plan_workbook(public),
        "csv": frame_csv(public.to_frame(), index=False).encode(),
    }
    hold(PLAN, plan, str(draws))
    job = inputs_key("report", str(draws))
    jobs().start(job, write_word, result, draws, SEED, sensitivity, switching)
    hold(ASKED, (job, time.monotonic()), str(draws))
    hold(RESULT, result)


need_programme()
st.title("Report")
st.write(
    "The report follows the structure of the June 2015 Cabinet report: recommendations, alternatives, "
    "financial, legal, risk and people implications, the plan, the scoring matrix and every exception."
)
draws = int(
    keep(
        "report.draws",
        st.number_input(
            "Sensitivity draws cited",
            min_value=100,
            max_value=5000,
            step=100,
            key=sticky("report.draws", 1000),
        ),
    )
)
writer = jobs()  # the writer's imports start in the background on a first visit

if st.button("Prepare the report", type="primary", key="report.make"):
    try:
        ask(draws)
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))

# files made from other inputs (another programme, rule set or what-if) are never offered
asked = held(ASKED, "the report", str(draws))
if asked is None:
    st.stop()
job_key, started = asked
job = writer.get(job_key)
if job is None:  # the server forgot it (restarted): ask again
    st.info("Press **Prepare the report** to write it.")
    st.stop()
docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@st.fragment(run_every=None if job.done() else 1.0)
def word_downloads(job: Future[dict[str, Any]], started: float, done: bool) -> None:
    """The Word files once written.  Until then, how long it has taken so far, redrawn alone once
    a second (more often keeps a loaded server busy redrawing); when the job ends, the whole page
    again (``done`` is the job's state when the page was drawn), which offers the files and stops
    the redrawing."""
    if not job.done():
        st.info(
            f"Writing the Cabinet report… {time.monotonic() - started:.0f} s", icon=":material/hourglass_top:"
        )
        return
    if not done:
        st.rerun()
    if isinstance(job.exception(), BrokenProcessPool):  # the worker was stopped (out of memory)
        st.error("The report could not be written: its worker stopped. Press **Prepare the report** again.")
        return
    files = job.result()  # a bug in the writer is raised here, as the page would have raised it
    if "problems" in files:
        st.error("; ".join(files["problems"]))
        return
    st.download_button(
        "Cabinet report (.docx)", files["public"], "cabinet-report.docx", docx_type, key="report.public"
    )
    if files["exempt"] is not None:  # nothing exempt: no "NOT FOR PUBLICATION" appendix to offer
        st.download_button(
            "Exempt appendix — NOT FOR PUBLICATION (.docx)",
            files["exempt"],
            "exempt-appendix.docx",
            docx_type,
            key="report.exempt",
        )


plan = held(PLAN, "the plan", str(draws))
written = job.done() and job.exception() is None and "problems" not in job.result()
if written and st.session_state.get(FILES, ("",))[0] != inputs_key(str(draws)):
    hold(FILES, {**job.result(), **plan}, str(draws))  # every file of these inputs, kept for the session
word_downloads(job, started, job.done())
st.download_button(
    "Plan (.xlsx)",
    plan["xlsx"],
    "plan.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="report.xlsx",
)
st.download_button(
    "Plan data (.csv)",
    plan["csv"],
    "plan.csv",
    "text/csv",
    key="report.csv",
    help="For other systems: the programme file's ids and exact figures (the .xlsx is for reading).",
)
