"""The optimiser, the only wing that imports a solver (PuLP, HiGHS, the SAT solver): the
planning problem as data (``instance``), priority-rule schedules (``heuristic``), the MIP
(``model``, ``constraints``, ``objective``, ``run``), pure scheduling and its proofs (``rcpsp``,
``sat``), PSPLIB files, infeasibility advice (``elastic``) and reasons (``reasons``). ``solve``
is the entry point.

Imports: every wing up to ``engine.plan``. Solver words (job, instance) stay inside this wing.
"""
