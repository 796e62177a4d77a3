"""Solving a scenario: stages, time budget, reading the plan back, naming infeasibility.

>>> import surge
>>> plan = surge.solve(surge.load("examples/minimal.yaml"))  # doctest: +SKIP
>>> plan.objective.service, plan.objective.cost               # doctest: +SKIP
(0.0, 126000.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from surge.optimize.aggregate import split_purchases
from surge.optimize.construct import constructions
from surge.optimize.data import ModelData, prepare
from surge.optimize.model import Built, create_model
from surge.optimize.solver import HighsSession, StageResult, run_linopy
from surge.plan.model import EPS_QUANTITY, Costs, Plan, PlanObjective
from surge.plan.evaluate import evaluate
from surge.scenario.model import Scenario

Progress = Callable[[str], None]


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

    def to_dict(self) -> dict:
        return {
            "name": self.solver, "variables": self.variables, "constraints": self.constraints,
            "binaries": self.binaries, "prepare_s": round(self.prepare_s, 4),
            "build_s": round(self.build_s, 4), "export_s": round(self.export_s, 4),
            "extract_s": round(self.extract_s, 4),
            "first_plan_s": None if self.first_plan_s is None else round(self.first_plan_s, 4),
            "stages": [{"name": s.name, "status": s.status, "value": s.value, "bound": s.bound,
                        "gap": s.gap, "seconds": round(s.seconds, 4)} for s in self.stages],
        }


def solve(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: Progress | None = None,
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

    Returns
    -------
    Plan
        Status ``optimal``, ``feasible`` (time limit; bounds say how far off),
        ``infeasible`` (``message`` names the rule at fault) or ``error``.
    """
    plan, _ = solve_detailed(scenario, time_limit=time_limit, mip_gap=mip_gap,
                             threads=threads, solver=solver, progress=progress)
    return plan


def solve_detailed(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: Progress | None = None,
    keep: bool = False,
) -> tuple[Plan, "Solved | None"]:
    """Like :func:`solve`, also returning the built model and solver (``keep=True``);
    ``None`` instead when the model could not be built (out of memory)."""
    obj = scenario.objective
    limit = float(time_limit if time_limit is not None else obj.time_limit_s)
    gap = float(mip_gap if mip_gap is not None else obj.mip_gap)
    say = progress or (lambda step: None)
    t_start = time.perf_counter()
    info = SolveInfo(solver=solver, started=t_start)
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
        solved = _run_stages(built, info, solver, limit, gap, threads, t_start, say)
        say("extract")
        t0 = time.perf_counter()
        plan = _make_plan(scenario, built, solved, info)
        info.extract_s = time.perf_counter() - t0
    except MemoryError:
        plan = Plan(scenario=scenario.name, status="error",
                    message="out of memory while building or solving the model",
                    objective=PlanObjective(mode=scenario.objective.mode))
        return plan.model_copy(update={"solver": info.to_dict()}), None
    plan = plan.model_copy(update={"solver": info.to_dict()})
    if not keep and solved.session is not None:
        solved.session = None
    return plan, solved


@dataclass
class Solved:
    built: Built
    stages: list[StageResult]
    final: StageResult | None
    session: HighsSession | None = None
    status: str = "error"
    message: str = ""


def _run_stages(built: Built, info: SolveInfo, solver: str, limit: float, gap: float,
                threads: int | None, t_start: float, say: Progress) -> Solved:
    sc, m = built.d.sc, built.m
    n = n_labels(m)
    assert built.service is not None and built.cost is not None
    s_vec, c_vec = built.service.vector(n), built.cost.vector(n)
    weighted = sc.objective.mode == "weighted"
    left = lambda: limit - (time.perf_counter() - t_start)  # noqa: E731

    session = None
    if solver == "highs":
        t0 = time.perf_counter()
        session = HighsSession(m, threads=threads)
        info.export_s = time.perf_counter() - t0

    def run(name: str, objective: np.ndarray, start: np.ndarray | None,
            share: float = 1.0) -> StageResult:
        if session is not None:
            session.set_objective(objective)
            res = session.run(name, time_limit=left() * share, mip_gap=gap, start=start)
        else:
            m.objective = _expression(m, objective)
            res = run_linopy(m, name, solver, time_limit=left(), mip_gap=gap, threads=threads)
        if res.x is not None and len(res.x) < n:
            res.x = np.concatenate([res.x, np.full(n - len(res.x), np.nan)])
        info.stages.append(res)
        return res

    empty = empty_plan_start(built, n)
    if weighted:
        res = stage("weighted", c_vec + sc.objective.late_penalty * s_vec, empty,
                    built, session, run, gap, left, say, info)
        return _finish(built, info, [res], res, session)

    first = stage("service", s_vec, empty, built, session, run, gap, left, say, info)
    if not first.has_solution:
        return _finish(built, info, [first], None, session)
    x1 = np.nan_to_num(first.x)
    s_star = float(s_vec @ x1)
    cap = s_star + 1e-9 * max(1.0, abs(s_star))
    if session is not None:
        session.add_row(s_vec, -np.inf, cap)
    else:
        m.add_constraints(_expression(m, s_vec) <= cap, name="service-stage-bound")
    start = drop_idle_options(built, x1)
    second = stage("cost", c_vec, start, built, session, run, gap, left, say, info, cap)
    if not second.has_solution:  # out of time in stage 2: keep the cleaned stage-1 plan
        second = StageResult("cost", "feasible", float(c_vec @ start), None, second.seconds,
                             second.message or "no time left for the cost stage", start)
        info.stages[-1] = second
    return _finish(built, info, [first, second], second, session)


def stage(name: str, vec: np.ndarray, start: np.ndarray, b: Built,
          session: HighsSession | None, run: Callable[..., StageResult], gap: float,
          left: Callable[[], float], say: Progress, info: SolveInfo,
          cap: float | None = None) -> StageResult:
    """One stage: relax-and-fix first (HiGHS), branch-and-bound only if it is not enough.

    The LP relaxation (interior point) gives a proven bound. Its activations, rounded up
    (on each line the option it uses most, from the first week it uses it) and fixed, give
    a plan through one more LP. If that plan meets the bound within the gap, the stage is
    solved without branching; otherwise branch-and-bound starts from the better of that
    plan and ``start``, and the stage's bound is the better of both bounds. On large models
    this replaces minutes of simplex at the root by interior-point solves (docs/model.md).
    """
    say(name)
    if session is None:
        return run(name, vec, start)
    t0 = time.perf_counter()
    session.set_objective(vec)
    # Simplex gives exact vertices and is quick on small models; interior point scales.
    method = "simplex" if session.n_cols < 8_000 else "ipm"
    best, best_value = start, float(vec @ start)

    def consider(x_h: np.ndarray) -> None:
        nonlocal best, best_value
        x_h = drop_idle_options(b, x_h)
        if float(vec @ x_h) < best_value:
            best, best_value = x_h, float(vec @ x_h)
            if info.first_plan_s is None and (b.act >= 0).any() and \
                    x_h[b.act[b.act >= 0]].max() > 0.5:
                info.first_plan_s = time.perf_counter() - info.started

    def try_fixed(fixed: dict[int, float], share: float) -> None:
        if not fixed or left() <= 0.5:
            return
        heur = session.relaxed(f"{name}-fixed", time_limit=max(left() * share, 0.5),
                               fix=fixed, method=method)
        if heur.has_solution and heur.x is not None:
            x_h = np.nan_to_num(heur.x)
            for lab, val in fixed.items():
                x_h[lab] = val
            consider(x_h)

    # Construction first (construct.py): a plan from few cheap lines in seconds, or this
    # stage's start re-solved for its own objective, each on a reduced model.
    for x_c in constructions(b, name, start, len(start), left, cap, session.threads):
        consider(x_c)
        if name == "service" and best_value <= 1e-6:
            break
    if name == "service" and best_value <= 1e-6:
        res = StageResult(name, "optimal", best_value, 0.0, time.perf_counter() - t0, "", best)
        info.stages.append(res)
        return res
    if name == "service":
        # Every line on, as early as allowed, is the most capacity there can be (with
        # monotone ramps); when it meets every due date, S = 0 is optimal (S >= 0).
        try_fixed(_fix_all_lines(b), 0.5)
        if best_value <= 1e-6:
            res = StageResult(name, "optimal", best_value, 0.0, time.perf_counter() - t0, "",
                              best)
            info.stages.append(res)
            return res
    # Interior point without crossover: the bound is all that is needed (crossover took
    # longer than the interior point itself at 300 lines).
    # Large models: the bound is worth most of the time left (300 lines: ~85 s of 120).
    share = 0.5 if session.n_cols < 100_000 else 0.9
    lp = session.relaxed(f"{name}-relaxation", time_limit=max(left() * share, 0.5),
                         crossover=method == "simplex")
    bound = float(lp.value) if lp.has_solution and lp.value is not None else None
    if lp.has_solution:
        x_lp = np.nan_to_num(lp.x)
        for threshold in (0.5, 0.1, 1e-6):  # fewer lines first; the last one rounds all up
            try_fixed(_fix_from_relaxation(b, x_lp, threshold), 0.25)
            if bound is not None and best_value <= bound + max(gap * abs(best_value), 1e-6):
                break
    elif name != "service" and best is start:  # nothing better yet: every line on
        try_fixed(_fix_all_lines(b), 0.6)
    seconds = time.perf_counter() - t0
    if bound is not None and best_value <= bound + max(gap * abs(best_value), 1e-6):
        res = StageResult(name, "optimal", best_value, min(bound, best_value), seconds, "", best)
        info.stages.append(res)
        return res
    if lp.seconds * 3 > left():
        # HiGHS's root LP (simplex) cannot be interrupted and is slower than the interior
        # point relaxation: without time for it, branching would only overrun the limit.
        why = ("time limit reached: best constructed or rounded plan, LP relaxation bound"
               if bound is not None else "time limit reached before the LP relaxation was "
               "solved: best constructed plan, no proven bound")
        res = StageResult(name, "feasible", best_value, bound, seconds, why, best)
        info.stages.append(res)
        return res
    res = run(name, vec, best, 0.85)  # headroom: HiGHS's root LP ignores the time limit
    res.seconds += seconds
    if res.bound is None or (bound is not None and bound > res.bound):
        res.bound = bound
    if res.status == "optimal" or not res.has_solution:
        return res
    if res.bound is not None and res.value is not None and \
            res.value <= res.bound + max(gap * abs(res.value), 1e-6):
        res.status, res.message = "optimal", ""
    return res


def _fix_all_lines(b: Built) -> dict[int, float]:
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


def _fix_from_relaxation(b: Built, x: np.ndarray, threshold: float = 1e-6) -> dict[int, float]:
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


def n_labels(m: object) -> int:
    """Number of variable labels of a linopy model (labels run 0 .. n-1)."""
    return int(getattr(m, "_xCounter"))


def _expression(m, vector: np.ndarray):  # noqa: ANN001, ANN202
    from surge.optimize.terms import Terms

    labels = np.nonzero(vector)[0]
    t = Terms({})
    t.add(labels, vector[labels], 0)
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
    for stock in sc.inventory:
        node = b.d.node_index.get((stock.site, stock.item))
        if node is not None:
            labels = b.stock[node]
            x[labels[labels >= 0]] += stock.quantity
    return x


def drop_idle_options(b: Built, x: np.ndarray) -> np.ndarray:
    """``x`` with every activated option that makes nothing switched off (still feasible,
    same S, lower C): the service stage has no reason to leave idle lines off."""
    x = x.copy()
    prod = np.where(b.prod >= 0, x[np.clip(b.prod, 0, None)], 0.0)
    idle = prod.sum(axis=(0, 2)) <= 1e-9
    for k in np.nonzero(idle)[0]:
        labels = b.act[k]
        x[labels[labels >= 0]] = 0.0
    return x


def _finish(built: Built, info: SolveInfo, stages: list[StageResult], final: StageResult | None,
            session: HighsSession | None) -> Solved:
    solved = Solved(built, stages, final, session)
    if final is not None and final.has_solution:
        solved.status = "optimal" if all(s.status == "optimal" for s in stages) else "feasible"
        solved.message = "; ".join(f"{s.name} stage: {s.message}" for s in stages if s.message)
        return solved
    bad = stages[-1]
    if bad.status == "infeasible":
        solved.status = "infeasible"
        solved.message = diagnose_infeasible(built.d)
    elif bad.status == "no-solution":
        solved.status = "error"
        solved.message = f"{bad.name} stage: {bad.message}"
    else:
        solved.status = "error"
        solved.message = f"{bad.name} stage: {bad.message}"
    return solved


def diagnose_infeasible(d: ModelData) -> str:
    """Name the policy rule that makes the scenario infeasible, by relaxing each in turn.

    Without policy rules every scenario is feasible (the empty plan is), so one of them
    must be at fault.
    """
    pol = d.sc.policy
    if pol.budget is not None and pol.budget < 0:
        return (f"policy.budget = {pol.budget:,.2f} is negative: every plan costs at least 0 "
                "(the empty plan costs 0), so no plan can hold")
    present = []
    if pol.budget is not None:
        present.append("budget")
    if pol.max_share_per_organization is not None:
        present.append("organization-share")
    if pol.restricted_origins is not None:
        present.append("restricted-origins")
    culprits = []
    for rule in present:
        b = create_model(d, relax_policy=frozenset([rule]))
        session = HighsSession(b.m)
        assert b.service is not None
        session.set_objective(b.service.vector(n_labels(b.m)))
        if session.run("diagnose", time_limit=30, mip_gap=1.0).has_solution:
            culprits.append(rule)
    words = {"budget": f"policy.budget = {pol.budget}",
             "organization-share": f"policy.max_share_per_organization = {pol.max_share_per_organization}",
             "restricted-origins": "policy.restricted_origins"}
    if culprits:
        return "infeasible because of " + " or ".join(words[c] for c in culprits) + \
            ": relaxing it makes a plan possible"
    return "infeasible: no single policy rule is at fault; the rules conflict together (" + \
        ", ".join(words[c] for c in present) + ")"


# --- reading the plan back -------------------------------------------------------------


ROUND_DECIMALS = 7  # solver noise (~1e-9) is rounded away: 49.9999999991 -> 50.0


def _values(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Quantities of a variable family: rounded to 1e-7 units, those below 1e-6 dropped.

    Rounding moves any constraint by at most 5e-8 per term, well inside the plan format's
    tolerance (1e-6 relative to the size of the terms), and gives exact round numbers
    where the solver returned them up to its own tolerances.
    """
    out = np.where(labels >= 0, x[np.clip(labels, 0, None)], 0.0)
    out = np.round(np.nan_to_num(out, nan=0.0), ROUND_DECIMALS)
    return np.where(out >= EPS_QUANTITY, out, 0.0)


def _make_plan(sc: Scenario, b: Built, solved: Solved, info: SolveInfo) -> Plan:
    mode = sc.objective.mode
    if solved.final is None or solved.final.x is None or solved.status in ("infeasible", "error"):
        status = solved.status if solved.status in ("infeasible", "error") else "error"
        return Plan(scenario=sc.name, status=status, message=solved.message,
                    objective=PlanObjective(mode=mode, **({"value": None, "bound": None}
                                                          if mode == "weighted" else {})))
    x = solved.final.x
    d = b.d
    activations = []
    act = np.where(b.act >= 0, np.nan_to_num(x[np.clip(b.act, 0, None)]), 0.0)
    active_option: dict[str, int] = {}
    for k in range(len(d.opt_id)):
        on = np.nonzero(act[k] > 0.5)[0]
        if on.size:
            s = int(on[0])
            activations.append({"line": d.opt_line[k], "option": d.opt_id[k], "start_week": s,
                                "ready_week": s + int(d.opt_lead[k])})
            active_option[d.opt_line[k]] = k
    prod = _values(x, b.prod)
    production: dict[tuple[str, str, int], float] = {}
    for p, k, t in zip(*np.nonzero(prod)):
        if active_option.get(d.opt_line[k]) != k:
            continue  # numerical dust on an option that is not activated
        key = (d.ops[p], d.opt_line[k], int(t))
        production[key] = production.get(key, 0.0) + float(prod[p, k, t])
    assert b.purchases is not None
    purchases = split_purchases(d, b.purchases, x)
    tau = sc.transport.lead_time_weeks
    ship = _values(x, b.ship)
    shipments = [{"item": d.ship_lanes[j][0], "from": d.ship_lanes[j][1],
                  "to": d.ship_lanes[j][2], "week": int(t), "arrival_week": int(t) + tau,
                  "quantity": float(ship[j, t])} for j, t in zip(*np.nonzero(ship))]
    shipments += pooled_shipments(b, x)
    deliv = _values(x, b.deliver)
    dem_ids = [dm.id for dm in sc.demands]
    deliveries = [{"demand": dem_ids[j], "week": int(t), "quantity": float(deliv[j, t])}
                  for j, t in zip(*np.nonzero(deliv))]
    plan = Plan(
        scenario=sc.name, status=solved.status, message=solved.message,
        activations=activations,
        production=[{"operation": o, "line": ln, "week": t, "quantity": q}
                    for (o, ln, t), q in production.items()],
        purchases=purchases, shipments=shipments, deliveries=deliveries,
    ).normalized()
    ev = evaluate(sc, plan)
    stages = {s.name: s for s in solved.stages}
    objective: dict = {"mode": mode, "service": ev.service, "cost": ev.cost}
    if mode == "weighted":
        st = stages["weighted"]
        objective.update(service_bound=None, cost_bound=None,
                         value=ev.cost + sc.objective.late_penalty * ev.service,
                         bound=_bound(st, ev.cost + sc.objective.late_penalty * ev.service))
    else:
        objective.update(service_bound=_bound(stages["service"], ev.service),
                         cost_bound=_bound(stages["cost"], ev.cost))
    return plan.model_copy(update={"objective": PlanObjective(**objective),
                                   "costs": Costs(**ev.costs_dict())})


def pooled_shipments(b: Built, x: np.ndarray) -> list[dict]:
    """Shipments of the pooled (free transport) formulation, as (from, to) rows.

    Per item and week, a site that both sends into and takes from the pool keeps the
    smaller amount instead (holding stock is the same as sending it to itself, which the
    format does not allow); the rest is matched senders to receivers in id order. With
    free transport and one lead time any matching has the same cost and arrivals.
    """
    d, tau = b.d, b.d.sc.transport.lead_time_weeks
    if not d.pool_out:
        return []
    out, inn = _values(x, b.ship_out), _values(x, b.ship_in)
    rows = []
    for t in range(d.T):
        by_item: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
        for j in np.nonzero(out[:, t] > 0)[0]:
            item, site = d.pool_out[j]
            by_item.setdefault(item, ({}, {}))[0][site] = float(out[j, t])
        for j in np.nonzero(inn[:, t] > 0)[0]:
            item, site = d.pool_in[j]
            by_item.setdefault(item, ({}, {}))[1][site] = float(inn[j, t])
        for item, (send, take) in sorted(by_item.items()):
            for site in set(send) & set(take):
                keep = min(send[site], take[site])
                send[site] -= keep
                take[site] -= keep
            senders = [[s, q] for s, q in sorted(send.items()) if q > 0]
            i = 0
            for dst, need in sorted(take.items()):
                while need > 1e-12 and i < len(senders):
                    q = min(need, senders[i][1])
                    rows.append({"item": item, "from": senders[i][0], "to": dst, "week": t,
                                 "arrival_week": t + tau, "quantity": q})
                    need -= q
                    senders[i][1] -= q
                    if senders[i][1] <= 1e-12:
                        i += 1
    merged: dict[tuple, float] = {}
    for r in rows:
        key = (r["item"], r["from"], r["to"], r["week"])
        merged[key] = merged.get(key, 0.0) + r["quantity"]
    return [{"item": i, "from": a, "to": z, "week": t, "arrival_week": t + tau,
             "quantity": round(q, ROUND_DECIMALS)}
            for (i, a, z, t), q in merged.items() if q >= EPS_QUANTITY]


def _bound(stage: StageResult, value: float) -> float:
    """The stage's proven lower bound, never above the plan's own value."""
    if stage.status == "optimal" and (stage.bound is None or stage.gap is None):
        return value
    if stage.bound is None:
        return 0.0
    return float(min(stage.bound, value))
