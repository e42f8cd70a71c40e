"""Plans: what a plan is asked for (``settings``), a plan and its result (``result``), capacity and
budget windows (``windows``), the independent verifier, one checker per constraint family
(``verify``), and which of a plan's figures may be shown (``disclosure``).

Imports: the wings below (``base``, ``programme``, ``io``, ``rules``, ``scoring``); never a solver.
"""
