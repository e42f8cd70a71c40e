"""Programme: choose a shipped partnership or upload a file; see what it holds, or what is wrong."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from common import (
    PROGRAMME,
    current,
    current_programme,
    digest,
    load_sample,
    lost_upload,
    set_programme,
    shipped,
    shipped_titles,
    show_problems,
)

from engine.base.errors import SsplanError
from engine.io.load import load_programme, programme_from_upload
from engine.present.escape import markdown_text
from engine.present.staff import fte_text, staff_total
from engine.present.summary import EXEMPT
from engine.present.welcome import LOST_UPLOAD
from engine.present.words import files_help, option_name, pounds
from engine.programme.calendar import day_text
from engine.programme.graph import dot_source
from engine.programme.model import Partner

st.title("Programme")
load_sample()  # the programme the address names after a reload, else the sample
lost = lost_upload()
if lost:
    held_now = current_programme()
    shown_now = markdown_text(held_now.name if held_now else "")
    st.warning(LOST_UPLOAD.format(file=markdown_text(lost), name=shown_now))

choices = shipped()
titles = shipped_titles()
source = st.radio(
    "Start from", ["a shipped programme", "my own file"], horizontal=True, key="programme.source"
)
if source == "a shipped programme":
    held = current()
    names = list(choices)
    default = names.index(held[0]) if held and held[0] in names else 0
    picked = st.selectbox(
        "Programme",
        names,
        index=default,
        key="programme.pick",
        format_func=lambda stem: titles.get(stem, stem),
        help=files_help(titles),
    )
    if st.button("Load", type="primary", key="programme.load") or held is None:  # held: see load_sample
        set_programme(picked, load_programme(choices[picked]))
else:
    upload = st.file_uploader(
        "Programme file (.yaml or .xlsx)", type=["yaml", "yml", "xlsx"], key="programme.upload"
    )
    if upload is not None:
        try:
            uploaded = programme_from_upload(upload.getvalue(), upload.name)
        except SsplanError as error:
            show_problems(error, f"{upload.name} cannot be used")
            still = current_programme()  # by its name: the file's name is no name for a director
            if still is not None:
                st.caption(f"Still working on **{still.name}**, the last programme that loaded.")
        else:
            # an upload is its content: the same name with a changed figure is another programme
            content = digest(upload.name, upload.getvalue())
            if st.session_state.get(PROGRAMME, {}).get("upload") != content:
                set_programme(upload.name, uploaded, upload=content)
            st.success(f"{upload.name} is valid.")

programme = current_programme()
if programme is None:
    st.stop()

st.subheader(programme.name)
if programme.description:
    st.write(programme.description)
left, middle, right, far = st.columns(4)
left.metric("Partners", len(programme.partners))
middle.metric("Services", len(programme.services))
right.metric("Options", sum(len(programme.options_for(s.id)) for s in programme.services))
far.metric("Dependencies", len(programme.dependencies))


def money(record: object, field: str, value: float) -> str:
    return EXEMPT if field in getattr(record, "exempt", ()) else pounds(value)


def _membership(partner: Partner) -> str:
    """When a partner is in the programme, in words ("" for the whole horizon)."""
    parts = [f"from {day_text(partner.joins, short=True)}"] if partner.joins else []
    parts += [f"until {day_text(partner.leaves, short=True)}"] if partner.leaves else []
    return " ".join(parts)


st.markdown("**Partners**")
st.dataframe(
    pd.DataFrame(
        [
            {
                "partner": p.name,
                "kind": p.kind.replace("_", " "),
                "default provider": p.default_provider,
                "leads": ", ".join(s.name for s in programme.services if s.lead_provider == p.id),
                "member": _membership(p),
                "decides": p.decision_body or "",
            }
            for p in programme.partners
        ]
    ),
    hide_index=True,
)
st.markdown("**Services**")
st.dataframe(
    pd.DataFrame(
        [
            {
                "service": s.name,
                "owner": programme.partner(s.owner).name,
                "expected provider": getattr(programme.expected_provider(s), "name", ""),
                "area": s.area.replace("_", " "),
                "annual cost": money(s, "annual_cost", s.annual_cost),
                "FTE": EXEMPT if "fte" in s.exempt else fte_text(s.fte),
                "in scope": s.in_scope,
            }
            for s in programme.services
        ]
    ),
    hide_index=True,
)
unknown_fte = [s for s in programme.services if s.fte is None]
if unknown_fte:
    shown = [s for s in programme.services if "fte" not in s.exempt]
    st.caption(
        f"Staff: {staff_total((s.name, s.fte) for s in shown).text()} (FTE not given for "
        + ", ".join(s.name for s in unknown_fte)
        + ")."
    )
st.markdown("**Options**")
st.dataframe(
    pd.DataFrame(
        [
            {
                "service": programme.service(o.service).name,
                "option": option_name(programme, o.id),
                "one-off cost": money(o, "one_off_cost", o.one_off_cost),
                "stranded costs": money(o, "stranded_cost", o.stranded_cost),
                "annual cost": money(o, "annual_cost", o.annual_cost),
                "duration": o.duration,
                "exception": programme.is_exception(o),
                "follows": option_name(programme, o.follows) if o.follows else "",
            }
            for s in programme.services
            for o in programme.options_for(s.id)
        ]
    ),
    hide_index=True,
)
if programme.dependencies:
    st.markdown("**Dependencies**")
    st.graphviz_chart(dot_source(programme))
