"""Report: the Cabinet report, its exempt appendix, and the plan as a workbook or CSV."""

from __future__ import annotations

import streamlit as st
from common import RESULT, held, hold, keep, need_programme, run_current, sticky

from engine.base.errors import SsplanError
from engine.io.cells import frame_csv
from engine.present.tables import plan_workbook
from engine.report.run import report_downloads

FILES = "report.files"  # (inputs key, {kind: bytes})

need_programme()
st.title("Report")
st.write(
    "The report follows the structure of the June 2015 Cabinet report: recommendations, alternatives, "
    "financial, legal, risk and people implications, the plan, the scoring matrix and every exception."
)
draws = keep(
    "report.draws",
    st.number_input(
        "Sensitivity draws cited", min_value=100, max_value=5000, step=100, key=sticky("report.draws", 1000)
    ),
)

if st.button("Prepare the report", type="primary", key="report.make"):
    try:
        with st.spinner("Writing the report…"):
            result = run_current()
            public, exempt = report_downloads(result, draws=int(draws))
            hold(
                FILES,
                {
                    "public": public,
                    "exempt": exempt,
                    "xlsx": plan_workbook(result.plan),
                    "csv": frame_csv(result.plan.to_frame(), index=False).encode(),
                },
                str(int(draws)),
            )
            hold(RESULT, result)
    except SsplanError as error:
        st.error("; ".join(str(p) for p in error.problems))

# files made from other inputs (another programme, rule set or what-if) are never offered
files = held(FILES, "the report", str(int(draws)))
if files is None:
    st.stop()
docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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
st.download_button(
    "Plan (.xlsx)",
    files["xlsx"],
    "plan.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="report.xlsx",
)
st.download_button("Plan (.csv)", files["csv"], "plan.csv", "text/csv", key="report.csv")
