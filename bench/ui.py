"""What-if latency in the app: a weight moved (re-score) and a capacity changed then planned (re-plan),
timed through Streamlit's AppTest on each shipped programme (target: about a second)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for name in ("gloucester-2015", "essex-2010", "lancaster-2011"):
        at.switch_page("app_pages/programme.py").run()
        at.selectbox(key="programme.pick").set_value(name)
        at.button(key="programme.load").click().run()
        at.switch_page("app_pages/priorities.py").run()
        criterion = next(s for s in at.slider if s.key.startswith("priorities.weight."))
        steps = (5.0, 10.0, 15.0, 20.0, 25.0)
        weights = [timed(lambda v=v, c=criterion: c.set_value(v).run()) for v in steps]
        at.switch_page("app_pages/plan.py").run()
        plans = []
        for step in range(5):
            edits = at.session_state["whatif.current"]
            pool = next(iter(edits["capacities"] or {}), None)
            edits["weights"] = {criterion.key.rsplit(".", 1)[1]: 6.0 + step}  # a new what-if each time
            plans.append(timed(lambda: at.button(key="plan.run").click().run()))
            assert not at.exception, pool
        print(
            f"{name}: weight moved, ranking shown: median {statistics.median(weights):.2f} s; "
            f"new what-if planned and shown: median {statistics.median(plans):.2f} s (max {max(plans):.2f} s)"
        )


if __name__ == "__main__":
    main()
