"""Names and text from other people's files, made safe for each place they are shown.

A programme, scenario or rule file is untrusted: a name may hold ``<script>``, a Markdown link to
``javascript:``, or a terminal escape sequence (OSC 52 writes the clipboard).  Each output escapes
through one function here: :func:`html_text` (HTML pages and plotly labels), :func:`markdown_text`
(the Markdown report) and :func:`terminal_text` (tables written to a terminal).  Spreadsheet cells
are :mod:`engine.io.cells`.
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL, but not tab (\\t) and newline (\\n), which are layout."""
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|])")
"""Markdown syntax a name could start: code, emphasis, links and images, table pipes (backslashed)."""
_SCHEME = re.compile(r"(javascript|vbscript|data|file)(\s*):", re.IGNORECASE)


def html_text(value: object) -> str:
    """Text for an HTML page (or a plotly label, which plotly reads as HTML): ``<>&"'`` as entities."""
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """Text for the Markdown report, shown as the same words and never as markup.

    ``<``, ``>`` and ``&`` become HTML entities (no raw tags in any renderer); Markdown syntax (code,
    emphasis, link and image brackets, table pipes, a heading's ``#``) gets a backslash; a
    ``javascript:``-style scheme loses its colon (``javascript&#58;``, which reads the same); control
    characters go and line breaks become spaces, so a name can neither start a block nor end a table row.
    """
    text = " ".join(_CONTROL_ALL.sub(" ", str(value)).split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    if text.startswith("#"):
        text = "\\" + text
    return _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}&#58;", text)


def terminal_text(value: object) -> str:
    """Text for a terminal: control characters (escape sequences, bells, carriage returns) shown as
    ``?``; tab and newline are kept, as layout."""
    return _CONTROL.sub("?", str(value))


def document_text(value: object) -> str:
    """Text for a Word document: XML cannot hold most control characters (python-docx refuses them),
    so they are shown as ``?``, as on a terminal; tab and newline are kept."""
    return terminal_text(value)
