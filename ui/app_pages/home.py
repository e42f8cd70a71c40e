"""Home: what ssplan does, the order of the pages, and the sample programme already loaded.

The first page of a cold server, so it imports only what it shows (issue 18: shown in <= 5 s):
``common`` without pandas, the rule engine or the planner (tests/test_ui_start.py holds it to that).
"""

from __future__ import annotations

import streamlit as st
from common import current, current_programme, load_sample, lost_upload, sample_name

from engine.present.escape import markdown_text
from engine.present.welcome import HELD, INTRO, LOST_UPLOAD, SAMPLE, steps_markdown

st.title("ssplan: shared services planning")
st.markdown(INTRO)
st.subheader("Where to go next")
st.markdown(steps_markdown())
load_sample()  # after the words, which a cold server can show before the sample is read
programme = current_programme()
if programme is not None:
    lost = lost_upload()
    if lost:
        st.warning(LOST_UPLOAD.format(file=markdown_text(lost), name=markdown_text(programme.name)))
    held = current()
    st.info((SAMPLE if held and held[0] == sample_name() else HELD).format(name=programme.name))
    if programme.description:
        st.caption(programme.description)
st.page_link("app_pages/programme.py", label="Start with the programme", icon=":material/arrow_forward:")
