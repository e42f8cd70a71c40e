"""The app's kept results and background workers (ui/background.py): a key names one result,
asked for twice it is made once, and the oldest go first."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "ui"))

import report_writer
from background import Jobs, Kept


def test_kept_makes_a_value_once_per_key_and_forgets_the_oldest():
    store = Kept(size=2)
    made: list[str] = []

    def make(value: str):  # type: ignore[no-untyped-def]
        return lambda: made.append(value) or value

    assert store.get("a", make("A")) == "A" and store.get("a", make("other")) == "A"
    assert store.peek("b") is None
    store.get("b", make("B"))
    store.get("a", make("again"))  # "a" is now the newest
    store.get("c", make("C"))  # so "b" goes
    assert made == ["A", "B", "C"]
    assert store.peek("b") is None and store.peek("a") == "A" and store.peek("c") == "C"


@pytest.mark.slow
def test_jobs_run_in_a_worker_once_per_key():
    jobs = Jobs(report_writer.ready)
    first = jobs.start("key", report_writer.ready)
    assert first.result(timeout=120) is True
    assert jobs.start("key", report_writer.ready) is first and jobs.get("key") is first
    assert jobs.get("other") is None
