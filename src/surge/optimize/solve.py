"""Solving a scenario: the facade over staging, extraction and infeasibility diagnosis.

>>> import surge
>>> plan = surge.solve(surge.load("examples/minimal.yaml"))  # doctest: +SKIP
>>> plan.objective.service, plan.objective.cost               # doctest: +SKIP
(0.0, 126000.0)

The pieces: :mod:`surge.optimize.stages` (which objective when, relax-and-fix,
branch-and-bound), :mod:`surge.optimize.extract` (the plan file from a solution) and
:mod:`surge.optimize.diagnose` (which policy rule makes a scenario infeasible).
"""

from __future__ import annotations

import time

from surge.errors import SolverError
from surge.optimize.data import prepare
from surge.optimize.diagnose import diagnose_infeasible
from surge.optimize.extract import make_plan, pooled_shipments
from surge.optimize.model import Built, create_model, drop_idle_options
from surge.optimize.portfolio import Portfolio
from surge.optimize.solver import StageResult
from surge.optimize.stability import Reference, keep_close, stability_message
from surge.optimize.stages import (
    Progress,
    Solved,
    SolveInfo,
    StageRunner,
    empty_plan_start,
    n_labels,
    run_stages,
    stage,
)
from surge.plan.model import TOL, Plan, PlanObjective
from surge.scenario.model import Scenario

__all__ = [
    "Progress", "SolveInfo", "Solved", "diagnose_infeasible", "drop_idle_options",
    "empty_plan_start", "n_labels", "pooled_shipments", "solve", "solve_detailed", "stage",
]


def solve(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: Progress | None = None,
    stability: Reference | None = None,
    cluster: str | None = None,
) -> Plan:
    """Find the best plan of ``scenario`` (scenario format, objective section).

    Parameters
    ----------
    time_limit : float, optional
        Seconds for the whole solve [s]; default the scenario's ``objective.time_limit_s``.
    mip_gap : float, optional
        Relative gap each stage is solved to [-]; default ``objective.mip_gap``.
    threads : int, optional
        Solver threads.
    solver : str
        ``"highs"`` (default, driven directly) or any solver linopy supports.
    progress : callable, optional
        Called with the name of each step as it starts.
    stability : Reference, optional
        Replanning: stay close to an old plan (:mod:`surge.optimize.stability`), in a
        last stage after ``S`` (and ``C``) are minimal.
    cluster : str, optional
        ``local[:N]`` or ``tcp://HOST:PORT``: independent LPs of the stages (constructions,
        roundings, neighbourhoods) run side by side on Dask workers
        (:mod:`surge.optimize.portfolio`); HiGHS only.

    Returns
    -------
    Plan
        Status ``optimal``, ``feasible`` (time limit; bounds say how far off),
        ``infeasible`` (``message`` names the rule at fault) or ``error``.
    """
    plan, _ = solve_detailed(scenario, time_limit=time_limit, mip_gap=mip_gap,
                             threads=threads, solver=solver, progress=progress,
                             stability=stability, cluster=cluster)
    return plan


def solve_detailed(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: Progress | None = None,
    stability: Reference | None = None,
    cluster: str | None = None,
) -> tuple[Plan, Solved | None]:
    """Like :func:`solve`, also returning the built model (its solver session released);
    ``None`` instead when the model could not be built (out of memory)."""
    obj = scenario.objective
    limit = float(time_limit if time_limit is not None else obj.time_limit_s)
    gap = float(mip_gap if mip_gap is not None else obj.mip_gap)
    say = progress or (lambda step: None)
    t_start = time.perf_counter()
    info = SolveInfo(solver=solver, started=t_start)
    if cluster is not None and solver != "highs":
        raise SolverError(f"--cluster works with the HiGHS solver only, not {solver!r}")
    with Portfolio(scenario, cluster if solver == "highs" else None) as portfolio:
        return _solve(scenario, limit, gap, threads, solver, say, stability, portfolio, info)


def _solve(scenario: Scenario, limit: float, gap: float, threads: int | None, solver: str,
           say: Progress, stability: Reference | None, portfolio: Portfolio,
           info: SolveInfo) -> tuple[Plan, Solved | None]:
    t_start = info.started
    info.workers = portfolio.workers if portfolio.remote else 0
    try:
        say("prepare")
        t0 = time.perf_counter()
        data = prepare(scenario)
        info.prepare_s = time.perf_counter() - t0
        say("build")
        t0 = time.perf_counter()
        built = create_model(data)
        info.build_s = time.perf_counter() - t0
        info.variables = int(built.m.nvars)
        info.constraints = int(built.m.ncons)
        info.binaries = int(len(built.m.binaries.flat)) if len(built.m.binaries) else 0
        runner = StageRunner(built, info, solver=solver, limit=limit, gap=gap, threads=threads,
                             t_start=t_start, say=say, portfolio=portfolio)
        stages = run_stages(runner)
        cheapest = None
        if stability is not None:  # one more stage, on a model of its own
            stages, cheapest = keep_close(built, stages, stability, info, solver=solver,
                                          limit=limit, gap=gap, threads=threads,
                                          t_start=t_start)
        final = stages[-1] if stages[-1].has_solution else None
        solved = _finish(built, stages, final, runner)
        say("extract")
        t0 = time.perf_counter()
        plan = make_plan(scenario, built, solved, gap)
        if cheapest is not None:  # the stability stage's plan: S no worse than without it
            plan, solved, cheapest = _no_later(scenario, built, plan, solved, stages[:-1],
                                               runner, gap)
        info.extract_s = time.perf_counter() - t0
        if note := stability_message(plan, cheapest):
            plan = plan.model_copy(update={"message": "; ".join(
                x for x in (plan.message, note) if x)})
    except MemoryError:
        plan = Plan(scenario=scenario.name, status="error",
                    message="out of memory while building or solving the model",
                    objective=PlanObjective(mode=scenario.objective.mode))
        return plan.model_copy(update={"solver": info.to_dict()}), None
    plan = plan.model_copy(update={"solver": info.to_dict()})
    solved.session = None  # the HiGHS session holds the whole model: free it
    return plan, solved


def _no_later(scenario: Scenario, built: Built, plan: Plan, solved: Solved,
              before: list[StageResult], runner: StageRunner,
              gap: float) -> tuple[Plan, Solved, float | None]:
    """``plan`` (the stability stage's), or the plan of the ``before`` stages when ``plan``
    is later than it once read back by more than the plan format's tolerance (relative to
    ``max(1, S)``). Quantities below that tolerance are left out of a plan file, and a
    dropped delivery adds to ``S`` in every later week: on the demo at week 8 the stable
    plans read back up to 6e-6 unit-weeks later, which is kept as equal. Also returns the
    solve kept and the cheapest plan's ``C`` (``None`` when that plan is the one kept)."""
    solved_before = _finish(built, before, before[-1], runner)
    cheapest = make_plan(scenario, built, solved_before, gap)
    s_new, s_old = plan.objective.service, cheapest.objective.service
    late = 0.0 if s_new is None or s_old is None else s_new - s_old  # both evaluated: floats
    if late <= TOL * max(1.0, abs(s_old or 0.0)):
        return plan, solved, cheapest.objective.cost
    note = (f"stability stage: its plan was {late:.3g} unit-weeks later once read back, the "
            "cheapest plan is kept")
    return cheapest.model_copy(update={"message": "; ".join(
        x for x in (cheapest.message, note) if x)}), solved_before, None


def _finish(built: Built, stages: list[StageResult], final: StageResult | None,
            runner: StageRunner) -> Solved:
    solved = Solved(built, stages, final, runner.session)
    if final is not None:
        solved.status = "optimal" if all(s.status == "optimal" for s in stages) else "feasible"
        solved.message = "; ".join(f"{s.name} stage: {s.message}" for s in stages if s.message)
        return solved
    bad = stages[-1]
    if bad.status == "infeasible":
        solved.status = "infeasible"
        solved.message = diagnose_infeasible(built.d, time_limit=max(runner.left(), 0.0))
    else:
        solved.status = "error"
        solved.message = f"{bad.name} stage: {bad.message}"
    return solved
