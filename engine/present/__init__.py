"""How results are shown to people: plain-English explanations, summaries, tables, charts, and
names made safe for HTML, Markdown, Word and the terminal (``escape``).

Imports: every wing up to ``engine.appraisal``.
"""
