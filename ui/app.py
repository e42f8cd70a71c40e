"""ssplan for directors: pick a programme, move the priorities, plan, compare, report, decide.

Run with ``streamlit run ui/app.py`` (or ``ssplan ui``).  One entry point; the pages are in
``app_pages/`` (not ``pages/``, which Streamlit would also list on its own).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):  # ui/ for common and auth; the checkout for engine
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import warm  # noqa: E402
from auth import signed_in  # noqa: E402

st.set_page_config(page_title="ssplan", page_icon=":material/account_tree:", layout="wide")

if not signed_in():
    st.stop()

PAGES = HERE / "app_pages"
navigation = st.navigation(
    [
        st.Page(PAGES / "home.py", title="Home", icon=":material/home:", default=True),
        st.Page(PAGES / "programme.py", title="Programme", icon=":material/folder_open:"),
        st.Page(PAGES / "priorities.py", title="Priorities", icon=":material/tune:"),
        st.Page(PAGES / "weights.py", title="Weights", icon=":material/balance:"),
        st.Page(PAGES / "plan.py", title="Plan", icon=":material/view_timeline:"),
        st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page(PAGES / "exit.py", title="Partner exit", icon=":material/logout:"),
        st.Page(PAGES / "sensitivity.py", title="Sensitivity", icon=":material/ssid_chart:"),
        st.Page(PAGES / "report.py", title="Report", icon=":material/description:"),
        st.Page(PAGES / "decisions.py", title="Decisions", icon=":material/gavel:"),
    ]
)
with warm.GATE.page():  # no background import runs while a page does: see warm.py
    navigation.run()
# The first page has been sent: import what the other pages need while the director reads it.
warm.start(warm.menu_order(PAGES.glob("*.py"), Path(__file__).read_text(encoding="utf-8")))
