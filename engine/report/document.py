"""What a report says, independent of how it is printed.

Every renderer (Word, Markdown, HTML) prints the same :class:`Report`, so the three never
disagree.  Paragraphs are numbered as councils number them ("3.2"), by the renderer from the
section's number, so an officer who deletes one in Word renumbers nothing by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

TEMPLATES = Path(__file__).parent / "templates"  # the shipped Word templates (make_template.py)
EXEMPT = "[exempt: see the exempt appendix]"

# The report's fixed outline: (template tag, number, heading).  The Word template's headings and the
# Markdown and HTML headings all come from here, so a report cannot drift from its template.
PUBLIC_OUTLINE = (
    ("purpose", "1.0", "Purpose of Report"),
    ("recommendations", "2.0", "Recommendations"),
    ("background", "3.0", "Background and Key Issues"),
    ("alternatives", "4.0", "Alternative Options Considered"),
    ("reasons", "5.0", "Reasons for Recommendations"),
    ("future", "6.0", "Future Work and Conclusions"),
    ("financial", "7.0", "Financial Implications"),
    ("legal", "8.0", "Legal Implications"),
    ("risk", "9.0", "Risk & Opportunity Management Implications"),
    ("people", "10.0", "People Impact Assessment (PIA)"),
    ("corporate", "11.0", "Other Corporate Implications"),
    ("cases", "12.0", "Commercial and Management Cases"),
    ("consultation", "13.0", "Consultation and Comments of the Statutory Officers"),
    ("background_papers", "14.0", "Background Papers"),
    ("appendix_plan", "Appendix 1", "High Level Implementation Plan"),
    ("appendix_scores", "Appendix 2", "Scoring Matrix"),
    ("appendix_exceptions", "Appendix 3", "Exception Justifications"),
    ("appendix_mou", "Appendix 4", "Memorandum of Understanding"),
)
EXEMPT_OUTLINE = (
    ("exemption", "1.0", "Exempt Information"),
    ("financial", "2.0", "Financial Implications (full figures)"),
    ("appendix_scores", "Appendix 2", "Scoring Matrix (exempt values)"),
    ("appendix_exceptions", "Appendix 3", "Exception Justifications (exempt figures)"),
)
HEADER_FIELDS = (
    ("meeting", "Meeting"),
    ("subject", "Subject"),
    ("report_of", "Report of"),
    ("wards_affected", "Wards affected"),
    ("key_decision", "Key decision"),
    ("forward_plan", "Forward Plan"),
    ("budget_policy_framework", "Budget/Policy framework"),
    ("contact_officer", "Contact officer"),
    ("appendices", "Appendices"),
    ("programme", "Programme"),
)


@dataclass
class Block:
    kind: Literal["para", "items", "table", "image", "subheading"]
    text: str = ""
    items: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    image: Path | None = None
    caption: str = ""
    numbered: bool = True  # paragraphs only: "3.2" before it


def para(text: str, numbered: bool = True) -> Block:
    return Block(
        "para", text=" ".join(text.split()), numbered=numbered
    )  # file line breaks are not paragraphs


def items(lead: str, entries: list[str]) -> Block:
    return Block("items", text=lead, items=entries)


def table(columns: list[str], rows: list[list[str]], caption: str = "") -> Block:
    return Block("table", columns=columns, rows=rows, caption=caption)


def subheading(text: str) -> Block:
    return Block("subheading", text=text)


@dataclass
class Section:
    key: str  # the template's tag for the body, e.g. "purpose"
    number: str  # "1.0", or "Appendix 1"
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"

    def numbered(self) -> list[tuple[str, Block]]:
        """Each block with its paragraph number ("" where it has none)."""
        out, count = [], 0
        stem = self.number.split(".")[0] if self.number[0].isdigit() else ""
        for block in self.blocks:
            label = ""
            if stem and block.kind in ("para", "items") and block.numbered:
                count += 1
                label = f"{stem}.{count}"
            out.append((label, block))
        return out


@dataclass
class Report:
    header: dict[str, str]  # HEADER_FIELDS key -> value
    release: str  # "FOR GENERAL RELEASE" or "NOT FOR PUBLICATION"
    title: str
    sections: list[Section]
    appendices: list[Section]
    provenance: list[tuple[str, str]]
    exempt: bool = False  # this is the exempt appendix, not the public report
    properties: dict[str, str] = field(default_factory=dict)  # the document's title, author, subject

    @property
    def outline(self) -> tuple[tuple[str, str, str], ...]:
        return EXEMPT_OUTLINE if self.exempt else PUBLIC_OUTLINE

    def all_sections(self) -> list[Section]:
        return self.sections + self.appendices


def section(key: str, blocks: list[Block], exempt: bool = False) -> Section:
    """A section numbered and titled as the outline (and so the Word template) has it."""
    number, title = next((n, t) for k, n, t in (EXEMPT_OUTLINE if exempt else PUBLIC_OUTLINE) if k == key)
    return Section(key, number, title, blocks)
