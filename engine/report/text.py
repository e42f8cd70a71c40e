"""The report as Markdown (for review and the web) and as a self-contained HTML page.

Both print the same :class:`~engine.report.document.Report` as the Word document, through Jinja2
templates beside the Word one; HTML escapes every value and embeds the chart as a data URI.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape

from engine.present.escape import markdown_text
from engine.report.document import HEADER_FIELDS, TEMPLATES, Report
from engine.report.sandbox import ReportEnvironment, report_environment


def _environment(markdown: bool = False) -> ReportEnvironment:
    """Sandboxed although the templates are ours: a template is never trusted to run code.

    HTML escapes every value (autoescape); Markdown passes every value through
    :func:`engine.present.escape.markdown_text` (``finalize``), so no name becomes markup in either.
    """
    return report_environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=markdown_text if markdown else None,
    )


def render_markdown(report: Report) -> str:
    return (
        _environment(markdown=True)
        .get_template("cabinet.md.j2")
        .render(report=report, header_fields=HEADER_FIELDS)
    )


def render_html(report: Report) -> str:
    images: dict[Path, str] = {}
    for section in report.all_sections():
        for block in section.blocks:
            if block.kind == "image" and block.image is not None:
                data = base64.b64encode(block.image.read_bytes()).decode()
                images[block.image] = f"data:image/png;base64,{data}"
    return (
        _environment()
        .get_template("cabinet.html.j2")
        .render(report=report, header_fields=HEADER_FIELDS, images=images)
    )
