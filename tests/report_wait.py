"""Waiting for the Report page's Word files in AppTest: the click starts them on a background job
(ui/background.py) and the page offers them on the first run after they are written."""

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
