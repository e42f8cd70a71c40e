"""The report as a Word document, through a docxtpl template a council may replace with its own.

The template owns the look (fonts, logo, fixed headings, header block); the engine fills the tags.
Each section's body is built as a sub-document with python-docx, so numbered paragraphs, tables and
captions use the template's own styles.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.shared import Mm, Pt
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError, TemplateSyntaxError

from engine.base.errors import InputError, SsplanError
from engine.io.atomic import atomic_write
from engine.present.escape import document_text
from engine.report.document import TEMPLATES, Block, Report, Section
from engine.report.sandbox import report_environment


def shipped_template(exempt: bool) -> Path:
    return TEMPLATES / ("exempt.docx" if exempt else "cabinet.docx")


KNOWN = ("release", "title", "header", "provenance", "gantt", "sections", "headings", "omitted")


def render_docx(report: Report, path: str | Path, template: str | Path | None = None) -> list[str]:
    """Render ``report`` through ``template`` (default: the shipped one) and write it to ``path``.

    A council's template may add, drop and reorder sections: a section the template does not place
    is not refused but returned (and named in the document's report details, "omitted sections"),
    and a tag the report does not know renders empty and is returned too.  The document's title,
    author and subject properties are set from the report.  Returns the warnings to show the user.
    """
    source = Path(template) if template else shipped_template(report.exempt)
    env = report_environment(autoescape=True)  # values are XML text in the document
    try:
        tpl = DocxTemplate(str(source))
        declared = tpl.get_undeclared_template_variables(jinja_env=env)
    except TemplateSyntaxError as exc:
        raise _refused(exc, source) from None
    except Exception as exc:  # a damaged or foreign file: say which, never a traceback
        raise InputError.one(f"cannot read the Word template: {exc}", file=str(source)) from None
    present = {s.key: s for s in report.all_sections()}
    omitted = [f"{s.heading}" for key, s in present.items() if key not in declared]
    unknown = sorted(declared - set(present) - set(KNOWN))
    provenance = list(report.provenance)
    if omitted:
        provenance.append(("omitted sections (not placed by the template)", "; ".join(omitted)))
    context: dict[str, object] = {  # names in it are text for XML: no control characters
        "release": document_text(report.release),
        "title": document_text(report.title),
        "header": {key: document_text(value) for key, value in report.header.items()},
        "provenance": document_text("; ".join(f"{k}: {v}" for k, v in provenance)),
        "gantt": "",
        "sections": {key: True for key in present},  # for a template's optional sections
        "headings": {key: document_text(s.heading) for key, s in present.items()},
        "omitted": document_text("; ".join(omitted)),
        **{name: "" for name in unknown},
    }
    for section in report.all_sections():
        context[section.key] = _body(tpl, section)
        image = next((b for b in section.blocks if b.kind == "image" and b.image), None)
        if section.key == "appendix_plan" and image is not None and image.image is not None:
            context["gantt"] = InlineImage(tpl, str(image.image), width=Mm(160))
    try:
        tpl.render(context, jinja_env=env)
    except Exception as exc:  # whatever a template's own expressions raise (1 / 0, recursion) is its fault
        raise _refused(exc, source) from None
    _set_properties(tpl, report)
    buffer = io.BytesIO()
    tpl.save(buffer)
    atomic_write(path, buffer.getvalue())
    warnings = []
    if omitted:
        warnings.append(
            f"{source.name} does not place these sections, so they are omitted: {'; '.join(omitted)}"
        )
    if unknown:
        warnings.append(
            f"{source.name} names tags the report does not have (left empty): {', '.join(unknown)}"
        )
    return warnings


def _set_properties(tpl: DocxTemplate, report: Report) -> None:
    """File > Properties: the report's own title, author and subject, never the template's."""
    props = tpl.docx.core_properties
    for name in ("title", "author", "subject"):
        value = report.properties.get(name) or (report.title if name == "title" else "")
        setattr(props, name, document_text(value)[:255])


def _refused(exc: BaseException, source: Path) -> SsplanError:
    """A template error as a located problem: the template, what was refused, and the text near it."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if not isinstance(exc, TemplateError):
        message = f"{type(exc).__name__}: {message}"
    near = " ".join(" ".join(getattr(exc, "docx_context", None) or ()).split())
    return InputError.one(
        f"the Word template cannot be used: {message}" + (f" (near: {near[:200]})" if near else ""),
        file=str(source),
        hint="a report template may only print the report's tags; see engine/report/make_template.py",
    )


def _body(tpl: DocxTemplate, section: Section) -> object:
    doc = tpl.new_subdoc()
    for label, block in section.numbered():
        _block(doc, label, block)
    return doc


def _block(doc: object, label: str, block: Block) -> None:
    def add_paragraph(text: str, style: str | None = None) -> None:
        doc.add_paragraph(document_text(text), style=style)  # type: ignore[attr-defined]

    if block.kind == "para":
        add_paragraph(f"{label} {block.text}" if label else block.text)
    elif block.kind == "subheading":
        add_paragraph(block.text, style="Heading 2")
    elif block.kind == "items":
        add_paragraph(f"{label} {block.text}" if label else block.text)
        for entry in block.items:
            add_paragraph(entry, style="List Paragraph")
    elif block.kind == "table":
        if block.caption:
            add_paragraph(block.caption, style="Caption")
        grid = doc.add_table(rows=1, cols=len(block.columns))  # type: ignore[attr-defined]
        grid.style = "Table Grid"
        size = Pt(8) if len(block.columns) > 5 else None  # wide matrices stay legible on A4
        for cell, name in zip(grid.rows[0].cells, block.columns, strict=True):
            run = cell.paragraphs[0].add_run(document_text(name))
            run.bold, run.font.size = True, size
        for row in block.rows:
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.paragraphs[0].add_run(document_text(value)).font.size = size
    elif block.kind == "image" and block.caption:
        add_paragraph(block.caption, style="Caption")  # the picture itself is the template's {{ gantt }}
