"""Scores: every option on every criterion, combined by the MCDA kernels (``mcda``: WSM and
TOPSIS, batched over weight draws), the MoU exception rule (``recommend``), each partner's own
weights (``consensus``), switching values and cost draws (``uncertainty``).

Imports: the wings below (``base``, ``programme``, ``io``, ``rules``); never a solver.
"""
