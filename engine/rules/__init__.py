"""Rule sets: criteria, weights (listed or by pairwise comparison), rules written as safe
expressions; the expression checker (``expr``) and both evaluators (row by row in ``evaluate``,
column at a time in ``expr_columns``); what a rule may read (``context``); rule-engine's parser.

Imports: ``engine.base``, ``engine.programme``, ``engine.io``.
"""
