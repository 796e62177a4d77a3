"""A small adapter between the model and its solver, returning typed results.

HiGHS is driven directly through highspy so that the two stages of
``service-then-cost`` share one solver instance: the second stage only changes two
objective coefficients and one bound, and starts from the first stage's plan. Any other
solver linopy supports is reached through ``linopy.Model.solve``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import linopy
import numpy as np

from surge import interrupt
from surge.errors import SolverError

StageStatus = Literal["optimal", "feasible", "infeasible", "no-solution", "error"]
NEIGHBOURHOOD_LP_SOLVER = "ipm"  # HiGHS's mip_lp_solver in restricted() [-]


@dataclass
class StageResult:
    """The outcome of one solve: status, objective value and proven bound."""

    name: str
    status: StageStatus
    value: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    message: str = ""
    x: np.ndarray | None = field(default=None, repr=False)  # value by variable label

    @property
    def gap(self) -> float | None:
        """Relative gap [-]; 0 when value and bound differ by at most 1e-6 (a lateness of
        3e-11 unit-weeks against a bound of 0 is closed, not a gap of 3%)."""
        if self.value is None or self.bound is None:
            return None
        if abs(self.value - self.bound) <= 1e-6:
            return 0.0
        return abs(self.value - self.bound) / max(abs(self.value), 1e-9)

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible") and self.x is not None


class HighsSession:
    """One HiGHS instance holding the model; objectives and bounds change between runs."""

    def __init__(self, model: linopy.Model, *, threads: int | None = None,
                 log: bool = False) -> None:
        import highspy

        self._hs = highspy
        self.threads = threads
        M = model.matrices
        self.vlabels = np.asarray(M.vlabels)
        self.n_labels = int(model._xCounter) if hasattr(model, "_xCounter") else int(
            self.vlabels.max() + 1)
        self.col_of = np.full(max(self.n_labels, int(self.vlabels.max(initial=-1)) + 1), -1)
        self.col_of[self.vlabels] = np.arange(len(self.vlabels))
        self.clabels = np.asarray(M.clabels)
        # Any: highspy is typed, but its stubs lag behind the callbacks and info used here
        h: Any = _quiet_highs(highspy) if not log else highspy.Highs()
        h.setOptionValue("output_flag", bool(log))
        if threads:
            # HiGHS keeps one thread scheduler per process: once a solve has run, another
            # thread count fails ("Not Set") unless the scheduler is reset first.
            highspy.Highs.resetGlobalScheduler(True)
            h.setOptionValue("threads", int(threads))
        h.addVars(len(self.vlabels), M.lb, M.ub)
        vtypes = M.vtypes
        ints = np.nonzero((vtypes == "B") | (vtypes == "I"))[0]
        if len(ints):
            h.changeColsIntegrality(len(ints), ints.astype(np.int32), np.ones(len(ints), np.uint8))
        A = M.A
        if A is not None:
            A = A.tocsr()
            lower = np.where(M.sense != "<", M.b, -np.inf)
            upper = np.where(M.sense != ">", M.b, np.inf)
            h.addRows(A.shape[0], lower, upper, A.nnz, A.indptr, A.indices, A.data)
        self.h = h
        # HiGHS does not check its time limit everywhere (crossover, some presolve steps);
        # an interrupt callback on the wall clock makes every run stop near its deadline.
        self._deadline = float("inf")
        for event in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
            event += self._interrupt_when_late
        self.n_cols = len(self.vlabels)
        self.is_mip = len(ints) > 0
        self._ints = ints

    def _interrupt_when_late(self, event: object) -> None:
        # HiGHS keeps the callback's interrupt flag from one run to the next: set once, it
        # stopped every later run of this instance at its first callback (measured at 100
        # lines: each neighbourhood after the first "interrupted by user" within 0.5 s of
        # its 8-13 s limit, the cost polish in 0.2 s). So the flag is written every time.
        late = time.perf_counter() > self._deadline or interrupt.requested()
        event.interrupt(late)  # type: ignore[attr-defined]

    def col(self, label: int) -> int:
        c = int(self.col_of[label])
        if c < 0:
            raise SolverError(f"variable label {label} is not in the solver model")
        return c

    def set_objective(self, by_label: np.ndarray) -> None:
        """Objective: ``by_label[l]`` is the coefficient of the variable labelled ``l``."""
        cost = _pad(by_label, self.col_of.shape[0])[self.vlabels]
        self.h.changeColsCost(self.n_cols, np.arange(self.n_cols, dtype=np.int32), cost)

    def add_row(self, by_label: np.ndarray, lower: float, upper: float) -> int:
        """Add the row ``lower <= sum by_label[l] x_l <= upper``; returns its index."""
        coef = _pad(by_label, self.col_of.shape[0])
        labels = np.nonzero(coef)[0]
        cols = self.col_of[labels]
        keep = cols >= 0
        self.h.addRow(lower, upper, int(keep.sum()), cols[keep].astype(np.int32),
                      coef[labels[keep]])
        return int(self.h.getNumRow()) - 1

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Change the bounds of row ``row`` (an index :meth:`add_row` returned)."""
        self.h.changeRowBounds(row, lower, upper)

    def run(self, name: str, *, time_limit: float, mip_gap: float,
            start: np.ndarray | None = None) -> StageResult:
        h, hs = self.h, self._hs
        # HiGHS compares time_limit with its run time summed over every run of this
        # instance, so each run's limit is set on top of what earlier runs used.
        h.setOptionValue("time_limit", float(h.getRunTime() + max(time_limit, 0.01)))
        self._deadline = time.perf_counter() + max(time_limit, 0.01) + 0.5
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("mip_abs_gap", 1e-6)
        # Binaries within HiGHS's default 1e-6 of 0 still offer hours: with a large
        # late_penalty an "off" option at 3.6e-7 made 1e-5 units before it was ready.
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
        if start is not None:
            sol = hs.HighsSolution()
            sol.col_value = list(start[self.vlabels])
            sol.value_valid = True
            h.setSolution(sol)
        t0 = time.perf_counter()
        h.run()
        interrupt.check()  # Ctrl-C: stop here, nothing of this run is used
        seconds = time.perf_counter() - t0
        status = h.getModelStatus()
        info = h.getInfo()
        ms = hs.HighsModelStatus
        has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
        x = None
        if has_primal:
            x = np.full(self.col_of.shape[0], np.nan)
            x[self.vlabels] = np.asarray(h.getSolution().col_value)
        value = float(info.objective_function_value) if has_primal else None
        if self.is_mip:
            bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
        else:
            bound = value if status == ms.kOptimal else None
        if status == ms.kModelEmpty:  # no variables at all: the empty plan, value 0
            return StageResult(name, "optimal", 0.0, 0.0, seconds, "",
                               np.full(self.col_of.shape[0], np.nan))
        if value is not None and x is not None:
            lp = h.getLp()
            own = float(np.asarray(lp.col_cost_) @ np.asarray(h.getSolution().col_value))
            own += float(lp.offset_)
            if not _same_value(own, value):
                if start is not None and self.is_mip:
                    # HiGHS (1.16) can value a user start wrongly in its presolved space
                    # ("MIP start solution is feasible in the reduced space: objective value
                    # is ..." below its true value, by the fixed cost of options the start
                    # activates); branch-and-bound then prunes against that understated
                    # incumbent and reports it optimal. Solve again without the start, if
                    # there is time for its root LP (which ignores the limit: measured at
                    # 100 lines, 0.01 s given, 14 s taken); keep this plan if that run
                    # finds none (the start is a plan: it must not be lost).
                    left, took = time_limit - seconds, seconds
                    if left > seconds:
                        h.clearSolver()
                        again = self.run(name, time_limit=left, mip_gap=mip_gap, start=None)
                        again.seconds += seconds
                        if again.has_solution:
                            return again
                        took = again.seconds
                    return StageResult(name, "feasible", own, None, took,
                                       "time limit reached: HiGHS valued its start wrongly "
                                       "and found no plan without it in time; the start is "
                                       "kept, no proven bound", x)
                # The solver's value is not its plan's: keep the plan's, no proven bound.
                value, bound = own, None
        if status == ms.kOptimal:
            return StageResult(name, "optimal", value, bound if bound is not None else value,
                               seconds, "", x)
        if status == ms.kInfeasible:
            return StageResult(name, "infeasible", seconds=seconds, message="infeasible")
        if status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt):
            if has_primal:
                return StageResult(name, "feasible", value, bound, seconds,
                                   "time limit reached before the gap was proven", x)
            return StageResult(name, "no-solution", bound=bound, seconds=seconds,
                               message="time limit reached before any plan was found")
        if status == ms.kUnboundedOrInfeasible:
            return StageResult(name, "infeasible", seconds=seconds,
                               message="infeasible (or unbounded)")
        return StageResult(name, "error", seconds=seconds,
                           message=f"HiGHS stopped with status {h.modelStatusToString(status)}")

    def relaxed(self, name: str, *, time_limit: float, fix: dict[int, float] | None = None,
                method: str = "ipm", crossover: bool = True) -> StageResult:
        """Solve the LP relaxation (``method`` "ipm" or "simplex"), optionally with some
        variables fixed (by label); the model is left as it was."""
        h = self.h
        cols = self._ints.astype(np.int32)
        lp = h.getLp()
        fixed_cols = np.array([self.col(lab) for lab in (fix or {})], dtype=np.int32)
        old_lo = np.asarray(lp.col_lower_)[fixed_cols]
        old_up = np.asarray(lp.col_upper_)[fixed_cols]
        if len(fixed_cols):
            vals = np.array(list((fix or {}).values()), dtype=np.float64)
            h.changeColsBounds(len(fixed_cols), fixed_cols, vals, vals)
        if len(cols):
            h.changeColsIntegrality(len(cols), cols, np.zeros(len(cols), np.uint8))
        h.setOptionValue("solver", method)
        h.setOptionValue("run_crossover", "on" if crossover else "off")
        was_mip, self.is_mip = self.is_mip, False
        try:
            return self.run(name, time_limit=time_limit, mip_gap=1.0)
        finally:
            self.is_mip = was_mip
            h.setOptionValue("solver", "choose")
            h.setOptionValue("run_crossover", "on")
            if len(cols):
                h.changeColsIntegrality(len(cols), cols, np.ones(len(cols), np.uint8))
            if len(fixed_cols):
                h.changeColsBounds(len(fixed_cols), fixed_cols, old_lo, old_up)
            h.clearSolver()

    def restricted(self, name: str, *, time_limit: float, mip_gap: float,
                   fix: dict[int, float], start: np.ndarray | None = None) -> StageResult:
        """Branch-and-bound with some variables fixed (by label), from ``start``; the model
        is left as it was (a fix-and-optimise neighbourhood, improve.py).

        The MIP's LPs start with interior point (``mip_lp_solver``): its root LP, which
        HiGHS does not interrupt, then overran less (100 lines: 28.5 s against 43.5 s for a
        14 s limit; 100 x 52: 48 s against 100 s for a 45 s limit)."""
        h = self.h
        h.setOptionValue("mip_lp_solver", NEIGHBOURHOOD_LP_SOLVER)
        lp = h.getLp()
        cols = np.array([self.col(lab) for lab in fix], dtype=np.int32)
        old_lo = np.asarray(lp.col_lower_)[cols]
        old_up = np.asarray(lp.col_upper_)[cols]
        vals = np.array(list(fix.values()), dtype=np.float64)
        if len(cols):
            h.changeColsBounds(len(cols), cols, vals, vals)
        try:
            return self.run(name, time_limit=time_limit, mip_gap=mip_gap, start=start)
        finally:
            if len(cols):
                h.changeColsBounds(len(cols), cols, old_lo, old_up)
            h.setOptionValue("mip_lp_solver", "choose")
            h.clearSolver()

    def fix_integers(self, x: np.ndarray) -> None:
        """Fix every integer column at its (rounded) value in ``x``; they become continuous
        so the solve is a linear program with duals."""
        if not len(self._ints):
            return
        cols = self._ints
        vals = np.round(x[self.vlabels[cols]])
        self.h.changeColsBounds(len(cols), cols.astype(np.int32), vals, vals)
        self.h.changeColsIntegrality(len(cols), cols.astype(np.int32),
                                     np.zeros(len(cols), np.uint8))
        self.is_mip = False

    def row_duals(self) -> np.ndarray:
        """Dual value of each constraint, by linopy constraint label (nan if absent).

        Rows added after the model (like ``S <= S*``) are left out.
        """
        duals = np.asarray(self.h.getSolution().row_dual)[: len(self.clabels)]  # model rows only
        out = np.full(int(self.clabels.max(initial=-1)) + 1, np.nan)
        out[self.clabels] = duals
        return out


def _same_value(a: float, b: float) -> bool:
    """Two objective values agree to solver precision (1e-7 relative, 1e-6 absolute)."""
    return abs(a - b) <= max(1e-7 * max(abs(a), abs(b)), 1e-6)


def _pad(vector: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size)
    n = min(size, len(vector))
    out[:n] = vector[:n]
    return out


def _quiet_highs(highspy: Any) -> Any:
    """A ``highspy.Highs()`` without the banner it prints to stdout when constructed."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def run_linopy(model: linopy.Model, name: str, solver: str, *, time_limit: float,
               mip_gap: float, threads: int | None) -> StageResult:
    """Solve ``model`` as it stands with another solver through linopy."""
    if solver not in linopy.available_solvers:
        raise SolverError(
            f"solver '{solver}' is not available; installed: {', '.join(linopy.available_solvers)}"
        )
    options = _OPTIONS.get(solver, {})
    kwargs: dict[str, Any] = {}
    if "time" in options:
        kwargs[options["time"]] = time_limit
    if "gap" in options:
        kwargs[options["gap"]] = mip_gap
    if threads and "threads" in options:
        kwargs[options["threads"]] = threads
    t0 = time.perf_counter()
    status, condition = model.solve(solver_name=solver, **kwargs)
    seconds = time.perf_counter() - t0
    if status == "ok" or condition in ("optimal", "time_limit", "suboptimal"):
        sol = model.solution
        n = max(int(v.labels.max()) for _, v in model.variables.items()) + 1
        x = np.full(n, np.nan)
        for key, var in model.variables.items():
            lab = var.labels.values
            val = sol[key].values if key in sol else np.full(lab.shape, np.nan)
            ok = lab >= 0
            x[lab[ok]] = val[ok]
        value = float(model.objective.value)  # type: ignore[arg-type]  # set whenever a solution is
        report = getattr(model.solver, "report", None) if model.solver is not None else None
        bound = report.dual_bound if report is not None and report.dual_bound is not None else (
            value if condition == "optimal" else None)
        st: StageStatus = "optimal" if condition == "optimal" else "feasible"
        return StageResult(name, st, value, bound, seconds, "", x)
    if condition in ("infeasible", "infeasible_or_unbounded"):
        return StageResult(name, "infeasible", seconds=seconds, message=condition)
    return StageResult(name, "error", seconds=seconds, message=f"{solver}: {status} / {condition}")


_OPTIONS: dict[str, dict[str, str]] = {
    "highs": {"time": "time_limit", "gap": "mip_rel_gap", "threads": "threads"},
    "gurobi": {"time": "TimeLimit", "gap": "MIPGap", "threads": "Threads"},
    "cplex": {"time": "timelimit", "gap": "mip.tolerances.mipgap", "threads": "threads"},
    "scip": {"time": "limits/time", "gap": "limits/gap", "threads": "parallel/maxnthreads"},
    "cbc": {"time": "sec", "gap": "ratioGap", "threads": "threads"},
    "glpk": {"time": "tmlim", "gap": "mipgap"},
    "xpress": {"time": "maxtime", "gap": "miprelstop", "threads": "threads"},
    "copt": {"time": "TimeLimit", "gap": "RelGap", "threads": "Threads"},
    "mosek": {},
}
