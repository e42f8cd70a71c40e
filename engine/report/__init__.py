"""The Cabinet report: one content model (``document``) built from appraisal results
(``build``, ``implications``, ``appendices``, ``figures``) and rendered to Word (docxtpl) and
Markdown/HTML in Jinja's sandbox (``sandbox``, ``word``, ``text``).

Imports: every wing up to ``engine.present``.
"""
