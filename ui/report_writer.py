"""What the worker processes run (see ``background.Jobs``): the Word report and switching values.
No Streamlit here, so a worker imports only the engine and the writer's own libraries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.appraisal.scenario import LoadedScenario, ScenarioResult
    from engine.appraisal.sensitivity import Sensitivity
    from engine.scoring.switching import SwitchingValue


def warm() -> None:
    """Import what writing a report needs (matplotlib for the Gantt picture, python-docx), once per
    worker, before the first report is asked for."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot

    import engine.present.charts
    import engine.report.run  # noqa: F401


def warm_scoring() -> None:
    """Import what re-scoring needs, once per worker."""
    import engine.appraisal.scenario
    import engine.scoring.switching  # noqa: F401


def switching(loaded: LoadedScenario) -> dict[str, Any]:
    """The scenario's switching values (Compare shows them; the Report cites them) as
    ``{"values": [...]}``, or a problem with the inputs as ``{"problems": [messages]}``."""
    from engine.base.errors import SsplanError
    from engine.scoring.switching import switching_values

    scenario = loaded.scenario
    try:
        values = switching_values(
            loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None
        )
    except SsplanError as error:
        return {"problems": [str(p) for p in error.problems]}
    return {"values": values}


def ready() -> bool:
    return True


def write_word(
    result: ScenarioResult,
    draws: int,
    seed: int,
    sensitivity: Sensitivity | None,
    switching: list[SwitchingValue] | None,
) -> dict[str, Any]:
    """The report and its exempt appendix (None when nothing is exempt) as bytes, from the
    sensitivity and switching values the pages worked out (here when they have not); a problem
    with the inputs comes back as its messages, to be shown, not raised across processes."""
    from engine.appraisal.evidence import gather
    from engine.base.errors import SsplanError
    from engine.report.run import report_downloads

    try:
        evidence = gather(result, draws=draws, seed=seed, sensitivity=sensitivity, switching=switching)
        public, exempt = report_downloads(result, draws=draws, seed=seed, evidence=evidence)
    except SsplanError as error:
        return {"problems": [str(p) for p in error.problems]}
    return {"public": public, "exempt": exempt}
