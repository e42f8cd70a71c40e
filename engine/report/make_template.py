"""Build the shipped Word templates (``templates/cabinet.docx`` and ``templates/exempt.docx``).

Run ``python -m engine.report.make_template`` after changing the outline; the output is byte for
byte the same on every run (fixed document dates and zip times), so the templates in the repository
can be checked against it.  A council's own template uses the same tags: ``{{ header.<field> }}``
for the header block, ``{{ release }}``, ``{{p <section key> }}`` for each section's body,
``{{ gantt }}`` for the chart and ``{{ provenance }}``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from engine.io.atomic import atomic_write
from engine.report.document import EXEMPT_OUTLINE, HEADER_FIELDS, PUBLIC_OUTLINE, TEMPLATES

FIXED = datetime(2026, 1, 1)


def template_bytes(exempt: bool = False) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        style.font.name = "Arial"
    header = doc.add_table(rows=0, cols=2)
    header.style = doc.styles["Table Grid"]
    for key, label in HEADER_FIELDS:
        cells = header.add_row().cells
        cells[0].paragraphs[0].add_run(f"{label}:").bold = True
        cells[1].paragraphs[0].add_run(f"{{{{ header.{key} }}}}")
    release = doc.add_paragraph()
    release.alignment = WD_ALIGN_PARAGRAPH.CENTER
    release.add_run("{{ release }}").bold = True
    for key, number, title in EXEMPT_OUTLINE if exempt else PUBLIC_OUTLINE:
        doc.add_heading(f"{number} {title}", level=1)
        if key == "appendix_plan":
            doc.add_paragraph("{{ gantt }}")
        doc.add_paragraph(f"{{{{p {key} }}}}")
    doc.add_heading("Report details", level=2)
    doc.add_paragraph("{{ provenance }}")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.text = "{{ release }}"
    props = doc.core_properties
    props.author, props.title = "ssplan", "Cabinet report template"
    props.created = props.modified = (
        FIXED  # (last_printed would be written in the wrong namespace once docxcompose is imported)
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated ``FIXED``, so builds are reproducible."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in sorted(source.infolist(), key=lambda i: i.filename):
            info = zipfile.ZipInfo(item.filename, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def main() -> None:
    for name, exempt in (("cabinet.docx", False), ("exempt.docx", True)):
        atomic_write(TEMPLATES / name, template_bytes(exempt))
        print(f"wrote {TEMPLATES / name}")


if __name__ == "__main__":
    main()
