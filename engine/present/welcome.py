"""What the app says on a first visit: what ssplan does and the order of its pages.

Kept here rather than in the page, with the rest of what people read, so the page only lays it out
and a test can check that every page of the app is introduced in the order of the menu.
"""

from __future__ import annotations

INTRO = (
    "ssplan helps councils that share back-office services decide **which services to share, with "
    "which partner and in what order**, and justify it to Cabinet. It scores each way of delivering "
    "a service against the Cabinet's criteria, plans the changes within the programme's people and "
    "budget, works out the money the Green Book way, and drafts the Cabinet report."
)

STEPS: tuple[tuple[str, str], ...] = (
    ("Programme", "choose a partnership (one is loaded for you) or upload your own file"),
    ("Priorities", "weigh the criteria and see the services ranked, and why"),
    ("Weights", "record each stakeholder's own weights, or combine them"),
    ("Plan", "set people, budget and forced choices, and plan the order of the changes"),
    ("Compare", "put the plan beside other what-ifs and see what changes and why"),
    ("Partner exit", "see what happens if a partner leaves"),
    ("Sensitivity", "test how far the recommendations hold when weights and costs vary"),
    ("Report", "download the draft Cabinet report"),
    ("Decisions", "keep a plan and record what each council decided"),
)

SAMPLE = "A sample programme is loaded: **{name}**. Change it on the Programme page."
HELD = "Working on **{name}**. Change it on the Programme page."
LOST_UPLOAD = (
    "**{file}** was uploaded before this page was reloaded, and an uploaded file does not survive a "
    "reload: upload it again on the Programme page. Meanwhile the page shows **{name}**."
)


def steps_markdown() -> str:
    """The pages in the order of the menu, numbered."""
    return "\n".join(f"{i}. **{page}**: {what}." for i, (page, what) in enumerate(STEPS, start=1))
