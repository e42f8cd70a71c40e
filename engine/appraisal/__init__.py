"""Appraisal of plans: Green Book finance (``finance``), what-if scenarios (``scenario``),
comparison, the value-for-money frontier, weight sensitivity, the scenario store and decision log,
the evidence a report needs (``evidence``) and the public view of appraised results (``public``).

Imports: every wing up to ``engine.optimise``.
"""
