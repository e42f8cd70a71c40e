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
    """The test as a rule: 'a net present value that beats … by at least 5 % of that option's'."""
    return (
        f"a net present value (£ over the appraisal, against keeping things as they are) that beats "
        f"{expected}'s best option's by at least {margin:.0%} of that option's net present value"
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


def memorandum_texts(programme: Programme) -> list[str]:
    """The MoU as it is, then the programme's reading of it, never one for the other.

    What the MoU says comes from ``programme.governance.memorandum`` only: whether it binds, its
    exception route in its own words, whether it names a default provider.  The expected provider,
    the margin and the decision route are the programme's, and are said to be.
    """
    governance = programme.governance
    memo = governance.memorandum if governance is not None else None
    out = []
    if memo is not None:
        binds = "is legally binding" if memo.binding else "is not legally binding"
        binds += "" if memo.binding else ": it states the partners' intention"
        out.append(f"The {memo.title} {binds}.")
        if memo.exception_route:
            out.append(f"Its exception route reads: “{' '.join(memo.exception_route.split())}”")
    out += _expected_provider(programme, None if memo is None else memo.names_default_provider)
    quoted = memo is not None and bool(memo.exception_route)
    for policy in programme.policies:
        benchmark = "the expected provider"
        route = f"the {policy.joint_decision}, and the final decision rests with {policy.final_decision}"
        if quoted:  # the reading is named as such in the sentence itself
            text = (
                f"The programme reads 'greater value recognised by both sides' as "
                f"{margin_words(policy.margin, benchmark)}; the MoU itself gives no margin. "
                f"Such a case needs {route}."
            )
        else:
            text = (
                "The programme's own test for choosing a provider other than the expected one is "
                f"{margin_words(policy.margin, benchmark)} ({READING}); the programme's decision route "
                f"for such a case is {route}."
            )
        out.append(text)
    return out


def _expected_provider(programme: Programme, named_by_mou: bool | None) -> list[str]:
    """Who is expected to provide: the MoU's default provider only where the MoU names one
    (``None``: the programme records nothing about its MoU, so no claim is made either way)."""
    default = programme.default_provider
    leads = {s.name: programme.partner(s.lead_provider).name for s in programme.services if s.lead_provider}
    out = []
    if leads:
        out.append("Lead providers: " + "; ".join(f"{svc}: {who}" for svc, who in leads.items()) + ".")
    if default is not None and programme.policies:
        out.append(
            f"{default.name} is the programme's default provider."
            if named_by_mou is None
            else f"Under the Memorandum of Understanding {default.name} is the default provider."
            if named_by_mou
            else f"The programme treats {default.name} as the expected provider; this is the programme's "
            "assumption, and the Memorandum of Understanding names no default provider."
        )
    return out
