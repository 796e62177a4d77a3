"""The staging strategy: which objective is minimised when, and how each stage is solved.

``service-then-cost`` minimises ``S``, adds the row ``S <= S*`` and minimises ``C``;
``weighted`` minimises ``C + late_penalty * S`` once. Each stage is solved by
relax-and-fix first and by branch-and-bound only when that is not enough
(:func:`stage`, docs/model.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import linopy
import numpy as np

from surge.optimize.construct import constructions
from surge.optimize.improve import improve
from surge.optimize.model import Built, drop_idle_options
from surge.optimize.portfolio import Portfolio, Task
from surge.optimize.solver import HighsSession, StageResult, run_linopy
from surge.optimize.terms import Terms

Progress = Callable[[str], None]

# Shares of the time left [-] that each step of a stage may use.
SHORTCUT_SHARE = 0.5      # service stage: every line on, as early as allowed
RELAXATION_SHARE = 0.5    # the LP relaxation (proven bound)
ROUNDING_SHARE = 0.25     # each rounded-and-fixed LP
ALL_LINES_SHARE = 0.6     # no relaxation in time: every line on
POLISH_SHARE = 0.9        # the cost stage's polish, the last step of a solve
LARGE_RELAXATION_SHARE = 0.9  # large models: the bound is worth most of the time left
LARGE_MODEL_COLUMNS = 100_000  # from this size on (300 lines: ~85 s of 120 for the bound)
BRANCH_SHARE = 0.85       # branch-and-bound (headroom: HiGHS's root LP ignores the limit)
MIN_LP_SECONDS = 1.0      # no LP of a stage gets less than this [s]
ROOT_LP_FACTOR = 3        # branching needs ~this many relaxation times to be worth it [-]
SETUP_FACTOR = 3          # an LP's set-up takes up to this many builds+exports [-]
ROOT_OVERRUN = 1.5        # relaxation times the MIP's root may run past its limit [-]
# a neighbourhood MIP's root LP (dual simplex, not interruptible) against the stage's
# interior point relaxation: 32 s for 7.5 s at 100 lines, 105-178 s for 29 s at 100 x 52
ROOT_PER_RELAXATION = 4   # [-]
BRANCH_MAX_COLUMNS = 30_000  # from here on no branch-and-bound (issue 12: 0 nodes, overruns)
SIMPLEX_MAX_COLUMNS = 8_000  # below: simplex (exact vertices, quick); above: interior point
CONSTRUCTION_SHARE = 0.6  # --cluster: the raced constructions [-]
RACE_COVERS = (0.3, 0.6, 1.0, 1.5, 2.0)  # --cluster: margins raced side by side [-]
ROUNDING_THRESHOLDS = (0.5, 0.1, 1e-6)  # fewer lines first; the last one rounds all up
ZERO_SERVICE = 1e-6       # S at or below this is S = 0 [unit-weeks]
SOLVER_PRECISION = 1e-7   # relative: values this close are equal to HiGHS [-]
ROW_TOLERANCE = 1e-7      # HiGHS's primal feasibility tolerance on a row [row units]
SERVICE_SLACK = ZERO_SERVICE  # the cost stage may exceed S* by this, then polish [unit-weeks]
ABS_GAP = 1e-6           # absolute gap that always counts as closed [objective units]


@dataclass
class SolveInfo:
    """What happened during a solve: sizes, seconds, stages (kept in the plan's ``solver``)."""

    solver: str
    variables: int = 0
    constraints: int = 0
    binaries: int = 0
    prepare_s: float = 0.0
    build_s: float = 0.0
    export_s: float = 0.0
    extract_s: float = 0.0
    stages: list[StageResult] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    first_plan_s: float | None = None  # seconds to the first plan that delivers something
    workers: int = 0  # Dask workers of the portfolio (0: everything in this process)

    def to_dict(self) -> dict:
        """The ``solver`` section of the plan file."""
        return {
            "name": self.solver, "variables": self.variables, "constraints": self.constraints,
            "binaries": self.binaries, "prepare_s": round(self.prepare_s, 4),
            "build_s": round(self.build_s, 4), "export_s": round(self.export_s, 4),
            "extract_s": round(self.extract_s, 4),
            "first_plan_s": None if self.first_plan_s is None else round(self.first_plan_s, 4),
            "workers": self.workers,
            "stages": [{"name": s.name, "status": s.status, "value": s.value, "bound": s.bound,
                        "gap": s.gap, "seconds": round(s.seconds, 4)} for s in self.stages],
        }


@dataclass
class Solved:
    """The stages of a solve and the one whose plan is kept (``final``)."""

    built: Built
    stages: list[StageResult]
    final: StageResult | None
    session: HighsSession | None = None
    status: str = "error"
    message: str = ""


class StageRunner:
    """Runs stages on one model within one time budget, recording each in ``info``."""

    def __init__(self, built: Built, info: SolveInfo, *, solver: str, limit: float,
                 gap: float, threads: int | None, t_start: float, say: Progress,
                 portfolio: Portfolio | None = None) -> None:
        self.built, self.info, self.solver = built, info, solver
        self.portfolio = portfolio  # independent LPs on Dask workers (portfolio.py)
        self.limit, self.gap, self.threads = limit, gap, threads
        self.t_start, self.say = t_start, say
        self.n = n_labels(built.m)
        self.session: HighsSession | None = None
        self.cap: float | None = None  # S <= cap in the cost stage
        self.service_row = -1  # the row S <= cap in the HiGHS session
        if solver == "highs":
            t0 = time.perf_counter()
            self.session = HighsSession(built.m, threads=threads)
            info.export_s = time.perf_counter() - t0

    def left(self) -> float:
        """Seconds left of the whole solve's time limit [s]."""
        return self.limit - (time.perf_counter() - self.t_start)

    @property
    def parallel(self) -> bool:
        """Independent LPs go to Dask workers (``--cluster`` with two workers or more: one
        worker runs nothing side by side, and its queued tasks only lose time to their
        deadlines; measured at 300 lines, C = 93.5 M on one worker against 39.1 M in this
        process and on 2 or 4 workers)."""
        return self.session is not None and self.portfolio is not None and \
            self.portfolio.remote

    def tasks(self, name: str, tasks: list[Task]) -> list[np.ndarray | None]:
        """Run ``tasks`` of stage ``name`` on the portfolio; their plans, in order."""
        assert self.portfolio is not None and self.session is not None
        for t in tasks:
            t.objective = name  # type: ignore[assignment]  # a constructed stage's name
            t.cap = self.cap if name == "cost" else None
            t.deadline = time.time() + t.time_limit
        outs = self.portfolio.map(tasks, self.built, self.session, self.service_row)
        return [o.x for o in outs]

    def branch(self, name: str, objective: np.ndarray, start: np.ndarray | None,
               share: float = 1.0, reserve: float = 0.0) -> StageResult:
        """Branch-and-bound (or the linopy solver) on ``objective`` from ``start``, with
        ``share`` of the time left less ``reserve`` seconds (at least 1 s)."""
        m, n = self.built.m, self.n
        if self.session is not None:
            self.session.set_objective(objective)
            limit = max(self.left() * share - reserve, MIN_LP_SECONDS)
            res = self.session.run(name, time_limit=limit, mip_gap=self.gap, start=start)
        else:
            m.objective = expression(m, objective)
            res = run_linopy(m, name, self.solver, time_limit=self.left(), mip_gap=self.gap,
                             threads=self.threads)
        if res.x is not None and len(res.x) < n:
            res.x = np.concatenate([res.x, np.full(n - len(res.x), np.nan)])
        self.info.stages.append(res)
        return res

    def bound_service(self, s_vec: np.ndarray, cap: float) -> None:
        """Add the row ``S <= cap`` for the cost stage."""
        self.cap = cap
        if self.session is not None:
            self.service_row = self.session.add_row(s_vec, -np.inf, cap)
        else:
            m = self.built.m
            m.add_constraints(expression(m, s_vec) <= cap, name="service-stage-bound")

    def record(self, res: StageResult) -> StageResult:
        """Keep ``res`` as a stage of the solve."""
        self.info.stages.append(res)
        return res


def run_stages(runner: StageRunner) -> list[StageResult]:
    """The stages of the scenario's objective mode; the last one holds the plan kept."""
    built = runner.built
    sc, n = built.d.sc, runner.n
    assert built.service is not None and built.cost is not None
    s_vec, c_vec = built.service.vector(n), built.cost.vector(n)
    empty = empty_plan_start(built, n)
    if sc.objective.mode == "weighted":
        return [stage(runner, "weighted", c_vec + sc.objective.late_penalty * s_vec, empty)]

    first = stage(runner, "service", s_vec, empty)
    if not first.has_solution or first.x is None:
        return [first]
    x1 = np.nan_to_num(first.x)
    s_star = float(s_vec @ x1)
    strict = s_star + 1e-9 * max(1.0, abs(s_star))
    # S* + SERVICE_SLACK: quantities are exact to 1e-7 (plan files) and a rolled scenario's
    # stock and receipts come from such plans, so an exact S* can need lines that S* + 1e-6
    # does not (docs/model.md, "The service slack"); polish_service takes the slack back.
    runner.bound_service(s_vec, strict + SERVICE_SLACK)
    start = drop_idle_options(built, x1)
    second = stage(runner, "cost", c_vec, start)
    if not second.has_solution:  # out of time in stage 2: keep the cleaned stage-1 plan
        second = StageResult("cost", "feasible", float(c_vec @ start), None, second.seconds,
                             second.message or "no time left for the cost stage", start)
        runner.info.stages[-1] = second
    polish_service(runner, second, s_vec, c_vec, strict)
    return [first, second]


def polish_service(runner: StageRunner, res: StageResult, s_vec: np.ndarray,
                   c_vec: np.ndarray, strict: float) -> None:
    """With the cost stage's activations fixed, minimise ``C`` again under ``S <= strict``
    (no slack) and keep that plan when it exists: the slack then only decided which lines
    are used, and no plan is later than S* by rounding dust it did not need.

    ``res`` is updated in place (plan, value; its bound, of the looser row, stays valid).
    """
    session, b = runner.session, runner.built
    if session is None or res.x is None or runner.service_row < 0:
        return
    x = np.nan_to_num(res.x)
    if float(s_vec @ x) <= strict or runner.left() <= MIN_LP_SECONDS:
        return
    fix = {int(lab): float(round(x[lab])) for lab in b.act[b.act >= 0]}
    session.set_row_bounds(runner.service_row, -np.inf, strict)
    session.set_objective(c_vec)
    try:
        lp = session.relaxed("cost-polish", time_limit=max(runner.left() * POLISH_SHARE,
                                                           MIN_LP_SECONDS), fix=fix,
                             method="simplex" if session.n_cols < SIMPLEX_MAX_COLUMNS
                             else "ipm")
    finally:
        session.set_row_bounds(runner.service_row, -np.inf, runner.cap or np.inf)
    if not lp.has_solution or lp.x is None:
        return
    x_p = np.nan_to_num(lp.x)
    for lab, val in fix.items():
        x_p[lab] = val
    if float(s_vec @ x_p) > strict + ROW_TOLERANCE:
        return
    res.x, res.value = x_p, float(c_vec @ x_p)
    if res.bound is not None:
        res.bound = min(res.bound, res.value)
        # solver precision (as solver._same_value): the slack moves C by far less
        if res.status == "optimal" and not _within_gap(res.value, res.bound,
                                                       max(runner.gap, SOLVER_PRECISION)):
            res.status = "feasible"


def _within_gap(value: float, bound: float | None, gap: float) -> bool:
    return bound is not None and value <= bound + max(gap * abs(value), ABS_GAP)


class _Incumbent:
    """The best plan of a stage so far, improved by rounded-and-fixed LPs."""

    def __init__(self, runner: StageRunner, name: str, vec: np.ndarray,
                 start: np.ndarray) -> None:
        self.runner, self.name, self.vec = runner, name, vec
        self.x, self.value = start, float(vec @ start)
        session = runner.session
        assert session is not None
        self.method = "simplex" if session.n_cols < SIMPLEX_MAX_COLUMNS else "ipm"
        self.lp_seconds = 0.0  # the longest LP with activations fixed so far [s]

    def consider(self, x_h: np.ndarray) -> None:
        """Keep ``x_h`` (idle options dropped) if it is better than the incumbent."""
        b, info = self.runner.built, self.runner.info
        x_h = drop_idle_options(b, x_h)
        if float(self.vec @ x_h) < self.value:
            self.x, self.value = x_h, float(self.vec @ x_h)
            on = b.act[b.act >= 0]
            if info.first_plan_s is None and on.size and x_h[on].max() > 0.5:
                info.first_plan_s = time.perf_counter() - info.started

    def try_fixed(self, fixed: dict[int, float], share: float) -> None:
        session = self.runner.session
        assert session is not None
        if not fixed or self.runner.left() <= MIN_LP_SECONDS:
            return
        heur = session.relaxed(f"{self.name}-fixed",
                               time_limit=max(self.runner.left() * share, MIN_LP_SECONDS),
                               fix=fixed, method=self.method)
        self.lp_seconds = max(self.lp_seconds, heur.seconds)
        if heur.has_solution and heur.x is not None:
            x_h = np.nan_to_num(heur.x)
            for lab, val in fixed.items():
                x_h[lab] = val
            self.consider(x_h)


def stage(runner: StageRunner, name: str, vec: np.ndarray, start: np.ndarray) -> StageResult:
    """One stage: relax-and-fix first (HiGHS), branch-and-bound only if it is not enough.

    The LP relaxation (interior point) gives a proven bound. Its activations, rounded up
    (on each line the option it uses most, from the first week it uses it) and fixed, give
    a plan through one more LP. If that plan meets the bound within the gap, the stage is
    solved without branching; otherwise branch-and-bound starts from the better of that
    plan and ``start``, and the stage's bound is the better of both bounds. On large models
    this replaces minutes of simplex at the root by interior-point solves (docs/model.md).
    """
    runner.say(name)
    session, b, gap = runner.session, runner.built, runner.gap
    if session is None:
        return runner.branch(name, vec, start)
    t0 = time.perf_counter()
    session.set_objective(vec)
    best = _Incumbent(runner, name, vec, start)
    if _first_plans(runner, name, best):
        return runner.record(StageResult(name, "optimal", best.value, 0.0,
                                         time.perf_counter() - t0, "", best.x))
    # Interior point without crossover on large models: the bound is all that is needed.
    share = RELAXATION_SHARE if session.n_cols < LARGE_MODEL_COLUMNS else LARGE_RELAXATION_SHARE
    # measured at 5,000 lines: interior point given 11.8 s ran 20 s (presolve and set-up
    # are not interrupted); the model's build and export time is the scale of that set-up
    setup = SETUP_FACTOR * (runner.info.build_s + runner.info.export_s)
    if runner.left() > MIN_LP_SECONDS + setup:
        lp = session.relaxed(f"{name}-relaxation",
                             time_limit=max(runner.left() * share, MIN_LP_SECONDS),
                             crossover=best.method == "simplex")
    else:  # HiGHS's set-up alone (presolve, first iteration) would overrun the limit
        lp = StageResult(f"{name}-relaxation", "no-solution", message="no time left")
    bound = float(lp.value) if lp.has_solution and lp.value is not None else None
    if lp.has_solution and lp.x is not None:
        _round_relaxation(runner, name, best, np.nan_to_num(lp.x), bound)
    elif name != "service" and best.x is start:  # nothing better yet: every line on
        best.try_fixed(fix_all_lines(b), ALL_LINES_SHARE)
    seconds = time.perf_counter() - t0
    if bound is not None and _within_gap(best.value, bound, gap):
        return runner.record(StageResult(name, "optimal", best.value, min(bound, best.value),
                                         seconds, "", best.x))
    if (lp.seconds * ROOT_LP_FACTOR > runner.left() or runner.left() <= MIN_LP_SECONDS
            or session.n_cols >= BRANCH_MAX_COLUMNS):
        # HiGHS's root LP (simplex) cannot be interrupted and is slower than the interior
        # point relaxation: without time for it, branching would only overrun the limit.
        # From 100 lines on it explored no node in any measured run (47-263 s) and overran.
        return _without_branching(runner, name, best, bound, lp.seconds, t0)
    # HiGHS checks its MIP time limit only after the root node: measured at 30 lines (root
    # LP 10 s), a 31 s limit ended after 45 s; the root's overrun is kept in reserve.
    res = runner.branch(name, vec, best.x, BRANCH_SHARE, ROOT_OVERRUN * lp.seconds)
    res.seconds += seconds
    if res.bound is None or (bound is not None and bound > res.bound):
        res.bound = bound
    if res.status == "optimal" or not res.has_solution:
        return res
    if res.bound is not None and res.value is not None and _within_gap(res.value, res.bound, gap):
        res.status, res.message = "optimal", ""
    return res


def _round_relaxation(runner: StageRunner, name: str, best: _Incumbent, x_lp: np.ndarray,
                      bound: float | None) -> None:
    """Fix the activations rounded from the relaxation ``x_lp`` at each threshold of
    ``ROUNDING_THRESHOLDS`` and solve the LP: one after another until the plan is within
    the gap of ``bound``, or (``--cluster``) all at once, read in the same order."""
    b = runner.built
    if runner.parallel:
        fixes = [fix_from_relaxation(b, x_lp, th) for th in ROUNDING_THRESHOLDS]
        t_fixed = time.perf_counter()
        limit = max(runner.left() * ROUNDING_SHARE * 2, MIN_LP_SECONDS)
        for x_h in runner.tasks(name, [Task("fixed", "cost", limit, fix=f,
                                            method=best.method) for f in fixes if f]):
            if x_h is not None:
                best.consider(x_h)
        best.lp_seconds = max(best.lp_seconds, time.perf_counter() - t_fixed)
        return
    for threshold in ROUNDING_THRESHOLDS:
        best.try_fixed(fix_from_relaxation(b, x_lp, threshold), ROUNDING_SHARE)
        if _within_gap(best.value, bound, runner.gap):
            break


def _first_plans(runner: StageRunner, name: str, best: _Incumbent) -> bool:
    """The stage's first incumbents; ``True`` when the service stage reached ``S = 0``.

    Construction first (construct.py): a plan from few cheap lines, or this stage's start
    re-solved for its own objective, each on a reduced model (the latter only where
    branch-and-bound is not run). In the service stage, every
    line on as early as allowed is the most capacity there can be (with monotone ramps):
    when it meets every due date, S = 0 is optimal (S >= 0). Below ``LARGE_MODEL_COLUMNS``
    that LP comes right after the first construction (measured at 100 lines: the greedy
    plans were late, every line on was not, and further constructions cost a quarter of the
    limit); on large models it is not tried (at 1,000 lines it does not finish in minutes).
    """
    b, session = runner.built, runner.session
    assert session is not None
    large = session.n_cols >= LARGE_MODEL_COLUMNS
    if name == "cost" and session.n_cols < BRANCH_MAX_COLUMNS:
        return False  # relax-and-fix and branch-and-bound do better (demo: 3 s saved)
    build_s = runner.info.prepare_s + runner.info.build_s + runner.info.export_s
    if runner.parallel and name in ("service", "weighted"):
        return _race_constructions(runner, name, best, large)
    for n, x_c in enumerate(constructions(b, name, best.x, len(best.x), runner.left,
                                          runner.cap, session.threads, min_left=build_s)):
        best.consider(x_c)
        if name == "service" and best.value <= ZERO_SERVICE:
            return True
        if name == "service" and not large and n == 0:
            break
    if name == "service" and not large:
        best.try_fixed(fix_all_lines(b), SHORTCUT_SHARE)
    return name == "service" and best.value <= ZERO_SERVICE


def _race_constructions(runner: StageRunner, name: str, best: _Incumbent,
                        large: bool) -> bool:
    """``--cluster``: a plan first, in this process (the greedy lines of the smallest
    cover, as without a cluster), then the greedy constructions of every other cover in
    ``RACE_COVERS`` and (below ``LARGE_MODEL_COLUMNS``) every line on, at once on the
    workers. The latest plan is the stage's objective's best, and of those within
    ``ZERO_SERVICE`` of it the cheapest (the cost stage's start), smaller covers first on
    ties: the same choice whatever the order the workers finish in. (Racing the first
    cover too left the solve without a plan until the whole race had ended: 18.3 s of
    120 at 300 lines on 2 workers, against 1.5 s in process.)"""
    from surge.optimize.construct import HUGE_COLUMNS, HUGE_COVERS, construct, greedy_options

    b, session = runner.built, runner.session
    assert session is not None
    covers = (HUGE_COVERS[0], *RACE_COVERS) if int(b.m.nvars) >= HUGE_COLUMNS else RACE_COVERS
    groups = [opts for opts in dict.fromkeys(tuple(greedy_options(b, c)) for c in covers)
              if opts]
    plans: list[np.ndarray] = []
    if groups:
        x0 = construct(b, runner.n, list(groups[0]), name,
                       lambda: CONSTRUCTION_SHARE * runner.left(), threads=session.threads)
        if x0 is not None:
            plans.append(drop_idle_options(b, x0))
            best.consider(plans[0])
    limit = max(runner.left() * CONSTRUCTION_SHARE, MIN_LP_SECONDS)
    tasks = [Task("construct", "service", limit, options=list(opts)) for opts in groups[1:]]
    if not large:
        tasks.append(Task("fixed", "service", limit, fix=fix_all_lines(b), method=best.method))
    assert b.cost is not None
    c_vec = b.cost.vector(runner.n)
    plans += [drop_idle_options(b, x) for x in runner.tasks(name, tasks) if x is not None]
    if plans:
        values = [float(best.vec @ x) for x in plans]
        floor = min(values)
        pick = min((i for i, v in enumerate(values) if v <= floor + ZERO_SERVICE),
                   key=lambda i: (float(c_vec @ plans[i]), i))
        best.consider(plans[pick])
    return name == "service" and best.value <= ZERO_SERVICE


def _without_branching(runner: StageRunner, name: str, best: _Incumbent,
                       bound: float | None, lp_seconds: float, t0: float) -> StageResult:
    """End a stage without branch-and-bound: fix-and-optimise by organisations
    (improve.py) uses the time left, then the best plan is kept with the LP bound."""
    session, gap = runner.session, runner.gap
    assert session is not None
    if best.lp_seconds > 0:
        x_i, _ = improve(runner.built, session, best.vec, best.x, runner.left, gap,
                         lambda v: _within_gap(v, bound, gap), best.lp_seconds,
                         (lambda ts: runner.tasks(name, ts)) if runner.parallel else None,
                         root_s=ROOT_PER_RELAXATION * lp_seconds)
        best.consider(x_i)
    seconds = time.perf_counter() - t0
    if _within_gap(best.value, bound, gap):
        assert bound is not None
        return runner.record(StageResult(name, "optimal", best.value, min(bound, best.value),
                                         seconds, "", best.x))
    plan_is = ("time limit reached" if lp_seconds * ROOT_LP_FACTOR > runner.left()
               or runner.left() <= MIN_LP_SECONDS else
               f"no branch-and-bound on {session.n_cols:,} columns (from "
               f"{BRANCH_MAX_COLUMNS:,} on it explores no node in the time)")
    why = (f"{plan_is}: best constructed, rounded or improved plan, LP relaxation bound"
           if bound is not None else f"{plan_is}; the LP relaxation was not solved in "
           "time: best constructed plan, no proven bound")
    return runner.record(StageResult(name, "feasible", best.value, bound, seconds, why, best.x))


def fix_all_lines(b: Built) -> dict[int, float]:
    """Activation values (by label): every line on its option with most hours, from its
    earliest start (the most capacity as early as possible)."""
    d = b.d
    best: dict[str, int] = {}
    for k, line in enumerate(d.opt_line):
        if line not in best or d.opt_hours[k] > d.opt_hours[best[line]]:
            best[line] = k
    chosen = set(best.values())
    return {int(lab): float(k in chosen) for k in range(len(d.opt_id)) for lab in b.act[k]
            if lab >= 0}


def fix_from_relaxation(b: Built, x: np.ndarray, threshold: float = 1e-6) -> dict[int, float]:
    """Activation values (by label) rounded from a relaxed solution ``x``: on each line the
    option the relaxation uses most, if it uses it at least ``threshold``, on from the first
    week the relaxation starts it."""
    d = b.d
    act = np.where(b.act >= 0, x[np.clip(b.act, 0, None)], 0.0)
    K = len(d.opt_id)
    if not K:
        return {}
    use = act[np.arange(K), d.opt_last]
    chosen: dict[str, int] = {}
    for k, line in enumerate(d.opt_line):
        if use[k] >= threshold and (line not in chosen or use[k] > use[chosen[line]]):
            chosen[line] = k
    fix: dict[int, float] = {}
    for k in range(K):
        labels = b.act[k]
        on = np.zeros(len(labels))
        if chosen.get(d.opt_line[k]) == k:
            first = np.nonzero((act[k] > 1e-6) & (labels >= 0))[0]
            if first.size:
                on[first[0]:] = 1.0
        for t in np.nonzero(labels >= 0)[0]:
            fix[int(labels[t])] = float(on[t])
    return fix


def n_labels(m: linopy.Model) -> int:
    """Number of variable labels of a linopy model (labels run 0 .. n-1)."""
    return int(m._xCounter)


def expression(m: linopy.Model, vector: np.ndarray) -> linopy.LinearExpression:
    """``sum_l vector[l] * x_l`` as a linopy expression of ``m``."""
    labels = np.nonzero(vector)[0]
    t = Terms({})
    t.add(labels, vector[labels], np.zeros(len(labels), dtype=np.int64))
    return t.expression(m)


def empty_plan_start(b: Built, n: int) -> np.ndarray:
    """The plan that does nothing: always feasible without a budget (S = all due, C = 0)."""
    x = np.zeros(n)
    sc, T = b.d.sc, b.d.T
    due = np.zeros((len(sc.demands), T))
    for j, dem in enumerate(sc.demands):
        for row in dem.due:
            due[j, row.week] += row.quantity
    ok = b.backlog >= 0
    x[b.backlog[ok]] = np.cumsum(due, axis=1)[ok]
    on_hand = b.d.receipts.copy()  # arrivals whatever the plan does, then their sum
    for stock in sc.inventory:
        node = b.d.node_index.get((stock.site, stock.item))
        if node is not None:
            on_hand[node, 0] += stock.quantity
    on_hand = np.cumsum(on_hand, axis=1)
    has = b.stock >= 0
    x[b.stock[has]] += on_hand[has]
    return x
