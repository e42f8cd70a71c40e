"""Files in and out: YAML with positions, Excel workbooks, the shipped programmes and rule sets,
atomic writes, every problem located by line or by sheet, row and column (``records`` holds the
generic parse-and-validate helpers), spreadsheet cells made inert (``cells``).

Imports: ``engine.base`` and ``engine.programme``.
"""
