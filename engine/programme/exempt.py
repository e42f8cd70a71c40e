"""Which figures are exempt (commercially confidential) and what follows from them: the options
whose money would reveal one (``secret_options``), scores shown as bands, and the words outputs use.

What a plan's outputs may show is :mod:`engine.plan.disclosure`; the public view of appraised
results is :mod:`engine.appraisal.public`.
"""

from __future__ import annotations

import math

from engine.programme.model import Programme

SHOWN_WITH = "(shown with --include-exempt)"  # how the CLI shows a withheld figure; the app says its own
WITHHELD_REASON = f"the reason rests on exempt figures {SHOWN_WITH}"
NOT_FOR_PUBLICATION = "NOT FOR PUBLICATION: contains exempt (commercially confidential) figures"
CLASSIFICATION = {"classification": "NOT FOR PUBLICATION"}


def secret_options(programme: Programme) -> set[str]:
    """Options whose costs or savings would reveal an exempt figure (a staged path's: any of its
    stages', since its money is built from theirs)."""
    out = set()
    for written in programme.options:
        option = programme.option(written.id)
        service = programme.service(option.service)
        costs = {"annual_cost", "one_off_cost", "stranded_cost"}
        if costs & set(option.exempt) or "annual_cost" in service.exempt:
            out.add(option.id)
    return out


def secret_funding(programme: Programme) -> set[str]:
    """Funding sources whose amounts are exempt: every NPV, budget and objective they enter would
    reveal them (a contribution's too: the payer's and receivers' NPVs move by it)."""
    return {source.id for source in programme.funding if "amounts" in source.exempt}


def band(score: float, width: float = 0.1) -> str | None:
    """A score shown as the band it falls in ("0.8–0.9"), so no criterion value can be worked back
    (None for an option with no score, e.g. one not eligible)."""
    if not math.isfinite(score):
        return None
    low = math.floor(round(score / width, 9)) * width
    return f"{low:.1f}–{low + width:.1f}"
