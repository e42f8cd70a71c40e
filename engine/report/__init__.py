"""The Cabinet report: one content model, rendered to Word (docxtpl), Markdown and HTML."""

from engine.report.build import build_report
from engine.report.document import Block, Report, Section

__all__ = ["Block", "Report", "Section", "build_report"]
