"""Sensitivity results for people: services, options and criteria by name, chances as shares the
app shows as percentages (see :data:`engine.present.frames.PERCENTS`), the tornado's table in the
engine's order (largest effect first)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from engine.present.frames import option_names
from engine.present.words import names, option_labels
from engine.programme.model import Programme

TORNADO_NOTE = (
    "Each weight at half and at one and a half times its value (the others scaled to keep the "
    "total): how many recommendations change, and how many places the priority order moves. "
    "Largest effect at the top."
)
NO_EFFECT = "No weight at half or one and a half times its value changes a recommendation or the order."
CHANCES = {  # the exceptions table's column tooltips
    "Chance recommended": "Share of the draws (weights and uncertain costs together) that recommend it",
    "Weights alone": "Share of the draws of the weights alone that recommend it",
    "Costs alone": "Share of the draws of the uncertain costs alone that recommend it",
}


def stability_frame(services: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """How stable each recommendation is under the draws: names, and chances as shares (0–1)."""
    lookup = names(programme)
    options = option_names(programme)
    return pd.DataFrame(
        {
            "Service": [lookup.get(str(s), str(s)) for s in services["service"]],
            "Recommended": [options.get(str(o), str(o)) for o in services["recommended"]],
            "Same recommendation": pd.to_numeric(services["P(same recommendation)"], errors="coerce"),
            "In the first 3": pd.to_numeric(services["P(in the first 3)"], errors="coerce"),
            "Most frequent alternative": [
                options.get(str(o), str(o)) if o else "" for o in services["most frequent alternative"]
            ],
        }
    )


def exception_chances(exceptions: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Each exception's chance of being recommended under the draws, by name: an exception is an
    option, so it reads "Service: model with provider" (an option id that is also a partner's id,
    Gloucester's ``hr-bureau``, must not read as the partner)."""
    lookup = option_labels(programme)
    shown = pd.DataFrame(
        {
            "Exception": [lookup.get(str(o), str(o)) for o in exceptions["exception"]],
            "Recommended now": exceptions["recommended now"].map({True: "yes", False: "no"}),
        }
    )
    for column, label in (
        ("P(recommended)", "Chance recommended"),
        ("P(recommended: weights only)", "Weights alone"),
        ("P(recommended: costs only)", "Costs alone"),
    ):
        if column in exceptions:
            shown[label] = pd.to_numeric(exceptions[column], errors="coerce")
    return shown


def tornado_frame(tornado: pd.DataFrame, criterion_names: Mapping[str, str]) -> pd.DataFrame:
    """The tornado's table in the engine's order (largest effect first), criteria by name."""
    return pd.DataFrame(
        {
            "Criterion": [criterion_names.get(str(c), str(c)) for c in tornado["criterion"]],
            "Weight": [f"{100 * float(w):.0f} %" for w in tornado["weight"]],
            "Recommendations changed (× 0.5)": tornado["low: recommendations changed"].astype(int),
            "Recommendations changed (× 1.5)": tornado["high: recommendations changed"].astype(int),
            "Places moved (× 0.5)": tornado["low: priority shift"].astype(int),
            "Places moved (× 1.5)": tornado["high: priority shift"].astype(int),
        }
    )


def replanned_frame(replanned: pd.DataFrame, programme: Programme) -> pd.DataFrame:
    """Re-planned draws: how often each service changes, and with what, by name."""
    lookup, options = names(programme), option_names(programme)
    return pd.DataFrame(
        {
            "Service": [lookup.get(str(s), str(s)) for s in replanned["service"]],
            "Chance it changes": pd.to_numeric(replanned["P(changes)"], errors="coerce"),
            "Chance in the first wave": pd.to_numeric(replanned["P(first wave)"], errors="coerce"),
            "Most frequent change": [options.get(str(o), str(o)) for o in replanned["most frequent option"]],
        }
    )
