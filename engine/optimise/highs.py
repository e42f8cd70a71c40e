"""PuLP's HiGHS interface, with the whole matrix handed over in one call.

PuLP (3.3) hands a model to highspy a column and then a row at a time (one Python-to-C++ call
each, with lists converted every time); this subclass builds the costs, bounds and the row-wise
matrix as arrays and gives them to ``Highs.passModel`` at once.  Everything else (options,
running, reading the answer back) is PuLP's, so :func:`engine.optimise.run.translate` reads this
solver as it reads ``pulp.HiGHS``.  It relies on PuLP's ``buildSolverModel`` hook and on the
``index`` attributes its read-back uses, hence the upper bound on pulp in ``pyproject.toml``.

The priority-rule plan is not passed as a MIP start (``Highs.setSolution``): measured, it lost
(bench/README.md, issue 19: HiGHS's root search took as long or longer with it).  The plan of the
same model solved for the previous weights is (``start``; :mod:`engine.optimise.reuse`).
"""

from __future__ import annotations

import highspy
import numpy as np
import pulp


class HandOver(pulp.HiGHS):
    """``pulp.HiGHS`` that passes the matrix in one call (:func:`matrix`); ``prebuilt`` is that
    matrix when the caller has built it already (to recognise a model solved before:
    :mod:`engine.optimise.reuse`), so it is built once."""

    prebuilt: highspy.HighsLp | None = None
    start: np.ndarray | None = None  # column values of a feasible plan, handed to HiGHS as a MIP start

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # PuLP's hook
        built = self.prebuilt if self.prebuilt is not None else matrix(lp, integral=self.mip)
        if lp.solverModel.passModel(built) == highspy.HighsStatus.kError:
            raise pulp.PulpSolverError("HiGHS refused the model (a coefficient out of its range)")
        if self.start is not None and self.mip:
            solution = highspy.HighsSolution()
            solution.col_value = self.start
            solution.value_valid = True
            lp.solverModel.setSolution(solution)


def matrix(lp: pulp.LpProblem, integral: bool = True) -> highspy.HighsLp:
    """The whole model as one ``HighsLp``: costs (negated when maximising, as PuLP does), bounds,
    and the rows in compressed row form; each variable's and row's ``index`` set as PuLP's own
    hand-over sets them, so its read-back finds the values."""
    inf = highspy.kHighsInf
    variables = lp.variables()
    for i, var in enumerate(variables):
        var.index = i
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    model = highspy.HighsLp()
    model.num_col_ = len(variables)
    model.col_cost_ = np.array([sign * lp.objective.get(v, 0.0) for v in variables], dtype=np.float64)
    model.col_lower_ = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
    model.col_upper_ = np.array([inf if v.upBound is None else v.upBound for v in variables], dtype=float)
    starts, columns, values, lower, upper = [0], [], [], [], []
    for i, constraint in enumerate(lp.constraints()):
        constraint.index = i
        for var, coefficient in constraint.items():
            if coefficient:
                columns.append(var.index)
                values.append(coefficient)
        starts.append(len(columns))
        lb, ub = constraint.getLb(), constraint.getUb()
        lower.append(-inf if lb is None else lb)
        upper.append(inf if ub is None else ub)
    model.num_row_ = len(lower)
    model.row_lower_ = np.array(lower, dtype=np.float64)
    model.row_upper_ = np.array(upper, dtype=np.float64)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = model.num_col_, model.num_row_
    model.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    model.a_matrix_.index_ = np.array(columns, dtype=np.int32)
    model.a_matrix_.value_ = np.array(values, dtype=np.float64)
    if integral:
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        model.integrality_ = [integer if v.cat == pulp.LpInteger else continuous for v in variables]
    return model
