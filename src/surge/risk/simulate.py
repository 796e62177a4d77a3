"""Execute a plan in many runs at once, week by week, and run chunks of runs.

:func:`execute` advances every run of a chunk together with the kernels of
:mod:`surge.risk.kernels`; :func:`run_chunk` draws a chunk from its own seed and reduces
it to :class:`~surge.risk.results.Tally`; :func:`simulate` runs all chunks in-process or on
Dask and merges the tallies in chunk order, so the numbers never depend on where or in
which order the chunks ran.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from surge.plan.model import Plan
from surge.risk import kernels as k
from surge.risk.draws import Draws, draw
from surge.risk.model import RiskModel, prepare
from surge.risk.results import Tally, risk_document
from surge.scenario.model import Scenario

DEFAULT_CHUNK = 2000
DEFAULT_CRITICALITY_RUNS = 10_000


@dataclass(frozen=True)
class Outcome:
    """What happened in each run: ``delivered`` (weeks, demands, runs) cumulative [units],
    ``service`` (runs,) [unit-weeks]."""

    delivered: np.ndarray
    service: np.ndarray


def purchase_inflow(m: RiskModel, dr: Draws) -> tuple[np.ndarray, np.ndarray]:
    """Units arriving by purchase: (purchase nodes,), (weeks + 1, purchase nodes, runs)."""
    T, n = m.weeks, dr.runs
    arrive = np.empty_like(dr.delay)
    for i, s in enumerate(m.suppliers):
        mine = np.flatnonzero(m.o_supplier == i)
        open_week = None
        if s.outage is not None and dr.outage_start[i].any():
            open_week = k.next_open_week(k.outage_weeks(dr.outage_start[i], s.outage.weeks))
        arrive[mine] = k.supply_arrival(m.o_arrival[mine], dr.delay[mine], open_week, T)
    pnodes, slot = np.unique(m.o_node, return_inverse=True)
    qty = m.o_qty[:, None] * dr.fill
    flat = (arrive * len(pnodes) + slot[:, None]) * n + np.arange(n)[None, :]
    inflow = np.bincount(flat.ravel(), weights=qty.ravel(), minlength=(T + 1) * len(pnodes) * n)
    return pnodes, inflow.reshape(T + 1, len(pnodes), n)


def execute(m: RiskModel, dr: Draws) -> Outcome:
    """Execute the plan in ``dr.runs`` runs under the drawn disruptions (docs/risk.md).

    Work is done one stage at a time (:attr:`RiskModel.task_stages`): the same result as
    one operation-line after the other, in order, but vectorised over a stage too.
    """
    T, n, N = m.weeks, dr.runs, m.n_nodes
    pnodes, inflow = purchase_inflow(m, dr)
    span = int(max(m.t_lead.max(initial=0), m.transport_lead)) + 1
    pipe = np.zeros((span, N, n))  # outputs and shipments on their way, by arrival week % span
    stock = np.empty((N + 1, n))  # the last row: a bottomless input that pads short lists
    stock[:N] = m.initial[:, None]
    stock[N] = np.inf
    task_backlog = np.zeros((len(m.tasks), n))
    lane_backlog = np.zeros((len(m.lanes), n))
    stages = [_task_stage(m, dr, idx, N) for idx in m.task_stages]
    dnodes = np.unique(m.d_node)
    node_done = np.zeros((N, n))
    delivered = np.zeros((T, len(m.demands), n))
    for t in range(T):
        stock[:N] += pipe[t % span]
        pipe[t % span] = 0.0
        stock[pnodes] += inflow[t]
        hours = k.line_hours(m.l_hours, m.l_ramp, m.l_ready, dr.slip, dr.up[t], t)
        for p in range(m.passes):
            for st in stages:
                idx = st["idx"]
                request = task_backlog[idx] + m.t_starts[t, idx][:, None] if p == 0 \
                    else task_backlog[idx]
                made = k.starts_possible(request, hours[st["line"]], st["hours"][:, None],
                                         stock[st["ins"]], st["per"])
                task_backlog[idx] = request - made
                hours[st["line"]] -= made * st["hours"][:, None]
                for i in range(st["ins"].shape[1]):
                    stock[st["ins"][:, i]] -= st["per"][:, i, None] * made
                y = np.repeat(st["yield"][:, None], n, axis=1)
                if st["drawn"].size:
                    y[st["drawn"]] = dr.yields[t, st["draw"]]
                good = made * y
                now = st["lead"] == 0
                stock[st["out"][now]] += good[now]
                pipe[(t + st["lead"][~now]) % span, st["out"][~now]] += good[~now]
            for idx in m.lane_stages:
                request = lane_backlog[idx] + m.s_qty[t, idx][:, None] if p == 0 \
                    else lane_backlog[idx]
                sent = k.ship_possible(request, stock[m.s_from[idx]])
                lane_backlog[idx] = request - sent
                stock[m.s_from[idx]] -= sent
                if m.transport_lead == 0:
                    stock[m.s_to[idx]] += sent
                else:
                    pipe[(t + m.transport_lead) % span, m.s_to[idx]] += sent
        held = held_stock(m, t, task_backlog, lane_backlog, dnodes, n)
        done = k.deliver(node_done[dnodes], stock[dnodes], held, m.node_total[dnodes])
        stock[dnodes] -= done - node_done[dnodes]
        node_done[dnodes] = done
        delivered[t] = k.per_demand(node_done, m.e_node, m.e_before, m.e_qty, m.e_demand,
                                    len(m.demands))
    return Outcome(delivered, k.service(delivered, m.d_due_cum, m.d_weight, m.d_unmet))


def _task_stage(m: RiskModel, dr: Draws, idx: np.ndarray, pad: int) -> dict[str, np.ndarray]:
    """Arrays of one stage of tasks; input lists padded with the bottomless node ``pad``."""
    width = max((len(m.t_inputs[j]) for j in idx), default=0)
    ins = np.full((len(idx), width), pad, dtype=np.int64)
    per = np.ones((len(idx), width))
    for r, j in enumerate(idx):
        ins[r, : len(m.t_inputs[j])] = m.t_inputs[j]
        per[r, : len(m.t_inputs[j])] = m.t_per_start[j]
    where = {int(t): i for i, t in enumerate(dr.yield_tasks)}
    drawn = np.array([r for r, j in enumerate(idx) if int(j) in where], dtype=np.int64)
    return {"idx": idx, "line": m.t_line[idx], "hours": m.t_hours[idx], "ins": ins, "per": per,
            "out": m.t_out[idx], "lead": m.t_lead[idx], "yield": m.t_yield[idx],
            "drawn": drawn, "draw": np.array([where[int(idx[r])] for r in drawn], dtype=np.int64)}


def held_stock(
    m: RiskModel, t: int, task_backlog: np.ndarray, lane_backlog: np.ndarray,
    dnodes: np.ndarray, runs: int,
) -> np.ndarray:
    """Units at each demand node kept for the plan's own later work there [units].

    The plan's end-of-week stock, plus the inputs of its late operations and the units of
    its late shipments.
    """
    held = np.repeat(m.plan_stock[t, dnodes][:, None], runs, axis=1)
    for row, j, c in m.held_tasks:
        held[row] += task_backlog[j] * c
    for row, j in m.held_lanes:
        held[row] += lane_backlog[j]
    return held


def run_chunk(m: RiskModel, seed: np.random.SeedSequence, runs: int, critical_runs: int) -> Tally:
    """Draw and execute one chunk of runs, and reduce it.

    Criticality re-executes the first ``critical_runs`` runs of the chunk once per
    uncertain source, with that source made perfect (same draws otherwise).
    """
    dr = draw(m, np.random.default_rng(seed), runs)
    base = execute(m, dr)
    tally = Tally.of(m, base)
    if critical_runs > 0:
        few = dr.head(critical_runs)
        s = base.service[:critical_runs]
        for kind, i in m.uncertain_sources():
            perfect = execute(m, few.perfect(m, kind, i))
            tally.add_source(kind, m.suppliers[i].id if kind == "supplier" else m.lines[i].id,
                             s - perfect.service)
    return tally


def chunk_sizes(runs: int, chunk_size: int) -> list[int]:
    """Runs of each chunk: all of ``chunk_size`` but the last."""
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    if chunk_size < 1:
        raise ValueError(f"chunk size must be >= 1, got {chunk_size}")
    full, rest = divmod(runs, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


def simulate(
    scenario: Scenario, plan: Plan, *, runs: int = 10_000, seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK, cluster: str | None = None,
    criticality_runs: int | None = DEFAULT_CRITICALITY_RUNS,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Run the plan ``runs`` times and return the risk file (format v1) as a dict.

    Chunk ``i`` always draws from ``SeedSequence(seed).spawn(...)[i]``, so the numbers
    depend on ``seed``, ``runs`` and ``chunk_size`` only, never on ``cluster``.
    Criticality uses the first ``criticality_runs`` runs (``None``: all of them, 0: none):
    with common random numbers, paired differences need far fewer runs than ``S`` itself.

    >>> import surge.risk  # doctest: +SKIP
    >>> surge.risk.simulate(scenario, plan, runs=1000, seed=7)["p_all_met"]  # doctest: +SKIP
    0.83
    """
    m = prepare(scenario, plan)
    sizes = chunk_sizes(runs, chunk_size)
    budget = runs if criticality_runs is None else min(runs, criticality_runs)
    critical = [max(0, min(size, budget - i * chunk_size)) for i, size in enumerate(sizes)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    if cluster:
        from surge.risk.dask_backend import run_on_dask

        total = run_on_dask(m, seeds, sizes, critical, cluster, progress)
    else:
        total = None
        for s, size, crit in zip(seeds, sizes, critical):
            tally = run_chunk(m, s, size, crit)
            total = tally if total is None else total.merge(tally)  # in chunk order
            if progress:
                progress(size)
    return risk_document(m, total, runs=runs, seed=seed, chunk_size=chunk_size,
                         criticality_runs=budget)
