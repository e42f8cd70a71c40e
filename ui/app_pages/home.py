"""Home: what ssplan does, the order of the pages, and the sample programme already loaded."""

from __future__ import annotations

import streamlit as st
from common import current_programme, load_sample

from engine.present.welcome import INTRO, SAMPLE, steps_markdown

st.title("ssplan: shared services planning")
load_sample()
st.markdown(INTRO)
st.subheader("Where to go next")
st.markdown(steps_markdown())
programme = current_programme()
if programme is not None:
    st.info(SAMPLE.format(name=programme.name))
    if programme.description:
        st.caption(programme.description)
st.page_link("app_pages/programme.py", label="Start with the programme", icon=":material/arrow_forward:")
