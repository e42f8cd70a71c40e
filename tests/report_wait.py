"""Waiting in AppTest for what the pages work out beside themselves (ui/background.py): the
Report's Word files and Compare's switching values are shown on the first run after they are
ready."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

WORD = "Cabinet report (.docx)"


def report_written(at: AppTest, timeout: float = 180.0) -> AppTest:
    """Run the page again until it offers the Word report (a failure is raised, not waited out)."""
    deadline = time.monotonic() + timeout
    while not any(b.proto.label == WORD for b in at.get("download_button")):
        assert not at.exception, [e.message for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert time.monotonic() < deadline, "the Word report was not written in time"
        time.sleep(0.1)
        at.run()
    return at


def filled_in(at: AppTest, timeout: float = 120.0) -> AppTest:
    """Run the page again until nothing is still being worked out beside it (Compare's switching
    values: the page says "Working out …" until they are shown)."""
    deadline = time.monotonic() + timeout
    while any(i.value.startswith("Working out") for i in at.info):
        assert not at.exception, [e.message for e in at.exception]
        assert time.monotonic() < deadline, "the page did not finish working out"
        time.sleep(0.1)
        at.run()
    return at


def planned(at: AppTest, timeout: float = 180.0) -> AppTest:
    """Click **Plan** and run the page until the plan is shown.  A plan that takes longer than the
    page's two seconds (a loaded machine) is watched on a worker thread first; this waits for it
    and runs the page once more, as the page's own poll would."""
    at.button(key="plan.run").click().run()
    while "plan.running" in at.session_state:
        assert not at.exception, [e.message for e in at.exception]
        assert at.session_state["plan.running"].wait(timeout), "the plan was not found in time"
        at.run()
    return at
