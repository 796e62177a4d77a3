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
from typing import Any

import numpy as np

from surge.plan.model import Plan
from surge.risk import kernels as k
from surge.risk.draws import Draws, draw
from surge.risk.model import RiskModel, prepare
from surge.risk.program import Level, Program, Work
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
    flat = arrive * (len(pnodes) * n)
    flat += slot[:, None] * n + np.arange(n)
    inflow = np.bincount(flat.ravel(), weights=qty.ravel(), minlength=(T + 1) * len(pnodes) * n)
    return pnodes, inflow.reshape(T + 1, len(pnodes), n)


def execute(m: RiskModel, dr: Draws) -> Outcome:
    """Execute the plan in ``dr.runs`` runs under the drawn disruptions (docs/risk.md).

    Work is done level by level (:mod:`surge.risk.program`); within a group of competitors
    for hours or stock, in the priority order of each run.
    """
    T, n, N = m.weeks, dr.runs, m.n_nodes
    prog = m.program
    pnodes, inflow = purchase_inflow(m, dr)
    pipe = np.zeros((prog.span, len(prog.pipe_nodes), n))  # arriving later, by week % span
    stock = np.empty((N + 1, n))  # the last row: a bottomless input that pads short lists
    stock[:N] = m.initial[:, None]
    stock[N] = np.inf
    state = _State(stock, pipe, np.zeros((len(m.tasks), n)), np.zeros((len(m.lanes), n)),
                   np.empty((len(m.lines), n)))
    table, ready = k.ramp_hours(m.l_hours, m.l_ramp), m.l_ready[:, None] + dr.slip
    dnodes = np.unique(m.d_node)
    done = np.zeros((len(dnodes), n))
    history = np.empty((T, len(dnodes), n))
    runs = np.arange(n)
    for t in range(T):
        if len(prog.pipe_nodes):
            stock[prog.pipe_nodes] += pipe[t % prog.span]
            pipe[t % prog.span] = 0.0
        stock[pnodes] += inflow[t]
        state.hours = k.line_hours(table, ready, dr.up[t], t)
        for p in range(m.passes):
            for lv in prog.tasks.levels:
                for rows in _ranked(prog.tasks, lv, state.task_backlog, t, p == 0, runs):
                    _tasks(m, prog, rows, t, p == 0, state, dr, runs)
            for lv in prog.lanes.levels:
                for rows in _ranked(prog.lanes, lv, state.lane_backlog, t, p == 0, runs):
                    _lanes(prog, rows, t, p == 0, state, m, runs)
        held = held_stock(m, t, state.task_backlog, state.lane_backlog, dnodes, n)
        new = k.deliver(done, stock[dnodes], held, m.node_total[dnodes])
        stock[dnodes] -= new - done
        done = history[t] = new
    row = np.searchsorted(dnodes, m.e_node)
    delivered = k.per_demand(history, row, m.e_before, m.e_qty, m.e_demand, len(m.demands))
    return Outcome(delivered, k.service(delivered, m.d_due_cum, m.d_weight, m.d_unmet))


@dataclass
class _State:
    """What execution changes week by week; arrays shaped (..., runs)."""

    stock: np.ndarray  # (nodes + 1, runs) [units]
    pipe: np.ndarray  # (span, pipe nodes, runs) outputs and shipments on their way [units]
    task_backlog: np.ndarray  # (tasks, runs) starts not yet made
    lane_backlog: np.ndarray  # (lanes, runs) units not yet shipped
    hours: np.ndarray  # (lines, runs) hours left this week [h]


def _ranked(work: Work, lv: Level, backlog: np.ndarray, t: int, first: bool,
            runs: np.ndarray) -> list[np.ndarray]:
    """Rows of work to execute one after the other: ``(groups, runs)`` each.

    The ``k``-th array holds the ``k``-th member of every group in that run's priority order
    (earliest key first; id order, the order of the group, for exact ties).
    """
    n = len(runs)
    if lv.size <= 1:
        g = np.concatenate(lv.groups) if lv.groups else np.zeros(0, dtype=np.int64)
        return [np.broadcast_to(g[:, None], (len(g), n))] if len(g) else []
    ordered = []
    for g in lv.groups:
        if len(g) == 1:
            ordered.append(np.broadcast_to(g[:, None], (1, n)))
            continue
        key = work.next_key(g, backlog[g], t, first)
        ordered.append(g[np.argsort(key, axis=0, kind="stable")])
    return [np.stack([ordered[i][r] for i in lv.rank(r)]) for r in range(lv.size)]


def _flat(a: np.ndarray) -> np.ndarray:
    """A 1-d view of a C-contiguous state array (never a copy: writes must land)."""
    return np.reshape(a, -1, copy=False)


def _per_row(rows: np.ndarray) -> np.ndarray:
    """What to look a row's constants up with: (groups, 1) when ``rows`` is the same in
    every run (a broadcast, as :func:`_ranked` gives for groups of one), else ``rows``.
    The lookups then broadcast over the runs instead of being gathered run by run."""
    return rows[:, :1] if rows.shape[1] and rows.strides[1] == 0 else rows


def _tasks(m: RiskModel, prog: Program, rows: np.ndarray, t: int, first: bool, s: _State,
           dr: Draws, runs: np.ndarray) -> None:
    """Operation-lines ``rows`` (groups, runs) in week ``t`` (step 3 of docs/risk.md).

    The state arrays are (rows, runs) and C-contiguous, ``runs`` is ``0..n-1``: a cell is
    read and written through its flat index ``row * n + run``, which numpy gathers and
    scatters much faster than a pair of index arrays. Within one call the groups share no
    line, input or output, so no cell is written twice (but the bottomless input node).
    """
    n = len(runs)
    j = _per_row(rows)
    backlog, hours, stock = _flat(s.task_backlog), _flat(s.hours), _flat(s.stock)
    cell = rows * n + runs
    request = backlog.take(cell)
    if first:
        request += prog.tasks.planned[t].take(j)
    per_start = m.t_hours.take(j)
    line_cell = m.t_line.take(j) * n + runs
    # inputs (groups, width, runs): the runs innermost, so the minimum over the inputs in
    # starts_possible is taken row against contiguous row
    ins = prog.ins[j].transpose(0, 2, 1)
    per = prog.per[j].transpose(0, 2, 1)
    in_cell = ins * n + runs
    made = k.starts_possible(request, hours.take(line_cell), per_start, stock.take(in_cell),
                             per)
    backlog[cell] = request - made
    hours[line_cell] -= made * per_start
    if ins.shape[1]:
        stock[in_cell] -= per * made[:, None, :]
    yr = prog.yield_row.take(j)
    y = m.t_yield.take(j)
    if (yr >= 0).any():
        y = np.where(yr >= 0, dr.yields[t, np.maximum(yr, 0), runs] if dr.yields.size else y, y)
    made *= y
    lead, out = m.t_lead.take(j), m.t_out.take(j)
    out_cell = out * n + runs
    if not lead.any():
        stock[out_cell] += made
        return
    now = np.broadcast_to(lead == 0, rows.shape)
    stock[out_cell[now]] += made[now]
    later = ~now
    lead, out = np.broadcast_to(lead, rows.shape), np.broadcast_to(out, rows.shape)
    r = np.broadcast_to(runs, rows.shape)
    pipe_cell = (((t + lead[later]) % prog.span) * len(prog.pipe_nodes)
                 + prog.pipe_row.take(out[later])) * n + r[later]
    _flat(s.pipe)[pipe_cell] += made[later]


def _lanes(prog: Program, rows: np.ndarray, t: int, first: bool, s: _State, m: RiskModel,
           runs: np.ndarray) -> None:
    """Lanes ``rows`` (groups, runs) in week ``t`` (step 4 of docs/risk.md); flat cells as
    in :func:`_tasks` (lanes of one call share no origin or destination)."""
    n = len(runs)
    j = _per_row(rows)
    backlog, stock = _flat(s.lane_backlog), _flat(s.stock)
    cell = rows * n + runs
    request = backlog.take(cell)
    if first:
        request += prog.lanes.planned[t].take(j)
    from_cell = m.s_from.take(j) * n + runs
    sent = k.ship_possible(request, stock.take(from_cell))
    backlog[cell] = request - sent
    stock[from_cell] -= sent
    to = m.s_to.take(j)
    if m.transport_lead == 0:
        stock[to * n + runs] += sent
    else:
        slot = (t + m.transport_lead) % prog.span
        _flat(s.pipe)[(slot * len(prog.pipe_nodes) + prog.pipe_row.take(to)) * n + runs] += sent


def held_stock(
    m: RiskModel, t: int, task_backlog: np.ndarray, lane_backlog: np.ndarray,
    dnodes: np.ndarray, runs: int,
) -> np.ndarray:
    """Units at each demand node kept for the plan's own later work there [units].

    The plan's end-of-week stock, plus the inputs of its late operations and the units of
    its late shipments (backlogs in execution order, :mod:`surge.risk.program`).
    """
    held = np.repeat(m.plan_stock[t, dnodes][:, None], runs, axis=1)
    for row, j, c in m.program.held_tasks:
        held[row] += task_backlog[j] * c
    for row, j in m.program.held_lanes:
        held[row] += lane_backlog[j]
    return held


def run_chunk(m: RiskModel, seed: np.random.SeedSequence, runs: int, critical_runs: int) -> Tally:
    """Draw and execute one chunk of runs, and reduce it.

    Criticality re-executes the first ``critical_runs`` runs of the chunk once per
    uncertain source, with that source made perfect (same draws otherwise); runs in which
    the source is already perfect keep their ``S`` without re-execution.
    """
    dr = draw(m, np.random.default_rng(seed), runs)
    base = execute(m, dr)
    tally = Tally.of(m, base)
    if critical_runs > 0:
        few = dr.head(critical_runs)
        s = base.service[:critical_runs]
        for kind, i in m.uncertain_sources():
            drop = np.zeros(critical_runs)  # where the source is already perfect: no change
            hit = np.flatnonzero(few.disrupted(m, kind, i))
            if hit.size > 0.9 * critical_runs:  # taking out the few others costs more
                hit = np.arange(critical_runs)
            if hit.size:
                some = few if hit.size == critical_runs else few.take(hit)
                drop[hit] = s[hit] - execute(m, some.perfect(m, kind, i)).service
            tally.add_source(kind, m.suppliers[i].id if kind == "supplier" else m.lines[i].id,
                             drop)
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
) -> dict[str, Any]:
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

        total = run_on_dask(m, seeds, sizes, critical, cluster, run_chunk, progress)
    else:
        tallies = (run_chunk(m, s, size, crit)
                   for s, size, crit in zip(seeds, sizes, critical, strict=True))
        total = next(tallies)  # chunk_sizes() gives at least one chunk
        if progress:
            progress(sizes[0])
        for size, tally in zip(sizes[1:], tallies, strict=True):
            total = total.merge(tally)  # in chunk order
            if progress:
                progress(size)
    return risk_document(m, total, runs=runs, seed=seed, chunk_size=chunk_size,
                         criticality_runs=budget)
