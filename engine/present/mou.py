"""The MoU's exception test in words, the same wherever a verdict is printed.

The test compares net present values (£, Green Book, each against keeping things as they are), so
the margin is a share of a sum of money with a true zero; the words say so, and say that the
margin is the programme's reading of the MoU, which gives none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.present.summary import money
from engine.programme.model import Programme

READING = "this is the programme's reading of the MoU's 'greater value' (the MoU gives no margin)"


def margin_words(margin: float, expected: str = "the expected provider") -> str:
    """The test as a rule: 'a net present value at least 5 % above …'."""
    return (
        f"a net present value (£ over the appraisal, against keeping things as they are) at least "
        f"{margin:.0%} of the benchmark's above {expected}'s best option's"
    )


def switching_note(programme: Programme) -> str:
    """What the switching values' verdicts rest on: the NPV test, its margins and their reading."""
    margins = sorted({policy.margin for policy in programme.policies})
    listed = " or ".join(f"{m:.0%}" for m in margins) or "0%"
    return (
        f"An exception passes the MoU test when its net present value (£, against keeping things as they "
        f"are) beats the expected provider's best by the margin ({listed} of that NPV); {READING}."
    )


def verdict_words(e: Mapping[str, Any]) -> str:
    """One exception's NPV against its benchmark's, what the margin needs and any shortfall."""
    text = (
        f"its net present value {money(e['npv'])} against {money(e['benchmark_npv'])} for "
        f"{e['benchmark_option']}; the margin of {e['margin']:.0%} of the benchmark's NPV (in £) "
        f"needs more than {money(e['required_npv'])}"
    )
    if e["gap"] > 0:
        text += f", so it is short by {money(e['gap'])}"
    return f"{text}; {READING}"
