"""Report: the Cabinet report, its exempt appendix, and the plan as a workbook or CSV."""

from __future__ import annotations

import streamlit as st
from common import RESULT, need_programme, run_current, scenario_of, whatif

from engine.base.errors import SsplanError
from engine.io.cells import frame_csv
from engine.present.tables import plan_workbook
from engine.report.run import report_downloads

need_programme()
edits = whatif()
st.title("Report")
st.write(
    "The report follows the structure of the June 2015 Cabinet report: recommendations, alternatives, "
    "financial, legal, risk and people implications, the plan, the scoring matrix and every exception."
)
draws = st.number_input(
    "Sensitivity draws cited", min_value=100, max_value=5000, value=1000, step=100, key="report.draws"
)

if st.button("Prepare the report", type="primary", key="report.make"):
    try:
        with st.spinner("Writing the report…"):
            result = run_current()
            public, exempt = report_downloads(result, draws=int(draws))
            st.session_state["report.files"] = {
                "public": public,
                "exempt": exempt,
                "xlsx": plan_workbook(result.plan),
                "csv": frame_csv(result.plan.to_frame(), index=False).encode(),
                "for": scenario_of(edits).model_dump_json(),
            }
            st.session_state[RESULT] = (scenario_of(edits).model_dump_json(), result)
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))

files = st.session_state.get("report.files")
if files is None:
    st.stop()
if files["for"] != scenario_of(edits).model_dump_json():
    st.warning("The what-if has changed since these files were made: prepare them again.")
docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
st.download_button(
    "Cabinet report (.docx)", files["public"], "cabinet-report.docx", docx_type, key="report.public"
)
st.download_button(
    "Exempt appendix — NOT FOR PUBLICATION (.docx)",
    files["exempt"],
    "exempt-appendix.docx",
    docx_type,
    key="report.exempt",
)
st.download_button(
    "Plan (.xlsx)",
    files["xlsx"],
    "plan.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="report.xlsx",
)
st.download_button("Plan (.csv)", files["csv"], "plan.csv", "text/csv", key="report.csv")
