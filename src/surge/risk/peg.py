"""Pegging: which due date each unit of the plan's work serves, through the bill of materials.

Execution gives scarce hours and stock to the work that serves the earliest outstanding due
date (docs/risk.md). This module computes, once per plan, the *priority key* of every planned
row of work: for each operation-line (task) and lane and each week, the earliest due entry
(due week, then higher weight, then demand id) that the units of that row end up feeding in
the plan.

Pegging follows the plan's own flows backwards, first in first out: at each (site, item)
node the units that arrive (outputs, shipments, purchases, initial stock) are matched in
arrival order to the units that leave (inputs of operations, shipments, deliveries), the
most urgent leaving first within a week. All units arriving at a node in one week share
the earliest key of what they are matched to (so two rows arriving together never differ by
their ids). A row of work takes the key of the units it makes (an operation) or moves (a
lane); its own inputs are then pegged to that key. Work whose units feed no due entry gets
:data:`NEVER`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

NEVER = 2**40
"""Key of work that feeds no due entry [-]."""

_EPS = 1e-9


def entry_ranks(entries: list[tuple[int, float, str]]) -> list[int]:
    """Rank of each due entry ``(week, weight, demand id)``: earliest, heavier, smaller id."""
    order = sorted(range(len(entries)),
                   key=lambda e: (entries[e][0], -entries[e][1], entries[e][2]))
    rank = [0] * len(entries)
    for r, e in enumerate(order):
        rank[e] = r
    return rank


def _match(inflow: dict[int, float], outflow: list[tuple[int, float, int]]) -> dict[int, int]:
    """Key of each arrival week's block of units at one node (first in, first out).

    Parameters
    ----------
    inflow : {arrival week: units} (week -1: initial stock) [units]
    outflow : (week, units, key) of every use of the node's units [units]
    """
    outs = sorted((w, k, q) for w, q, k in outflow if q > _EPS)
    cum_out = np.cumsum([q for _, _, q in outs]) if outs else np.zeros(0)
    keys = [k for _, k, _ in outs]
    result: dict[int, int] = {}
    start = 0.0
    for week in sorted(inflow):
        q = inflow[week]
        if q <= _EPS:
            continue
        end = start + q
        tol = _EPS * max(1.0, end)
        lo = int(np.searchsorted(cum_out, start + tol, side="right"))
        hi = int(np.searchsorted(cum_out, end - tol, side="left"))
        hi = min(hi, len(keys) - 1)
        result[week] = min(keys[lo: hi + 1], default=NEVER) if lo < len(keys) else NEVER
        start = end
    return result


def peg(
    weeks: int, n_nodes: int,
    tasks: tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray], np.ndarray,
                 np.ndarray],
    lanes: tuple[np.ndarray, np.ndarray, np.ndarray, int],
    fixed_in: list[tuple[int, int, float]],
    deliveries: list[tuple[int, int, float, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """Priority keys of the planned rows of work (see the module docstring).

    Parameters
    ----------
    tasks : (starts (weeks, tasks), out node, input nodes, units per start, lead, yield)
    lanes : (quantity (weeks, lanes), from node, to node, transport lead)
    fixed_in : (node, arrival week, units) of purchases and initial stock (week -1)
    deliveries : (node, week, units, key) of the plan's deliveries, split by due entry

    Returns
    -------
    (weeks, tasks), (weeks, lanes) int
        Key of each row: the rank of the earliest due entry its units feed, or NEVER.
    """
    starts, t_out, t_in, t_per, t_lead, t_yield = tasks
    ship, s_from, s_to, s_lead = lanes
    t_key = np.full(starts.shape, NEVER, dtype=np.int64)
    s_key = np.full(ship.shape, NEVER, dtype=np.int64)
    inflow: list[dict[int, float]] = [defaultdict(float) for _ in range(n_nodes)]
    for nd, w, q in fixed_in:
        inflow[nd][w] += q
    t_rows = list(zip(*np.nonzero(starts > 0), strict=True))
    s_rows = list(zip(*np.nonzero(ship > 0), strict=True))
    for w, j in t_rows:
        inflow[int(t_out[j])][int(w + t_lead[j])] += float(starts[w, j] * t_yield[j])
    for w, j in s_rows:
        inflow[int(s_to[j])][int(w + s_lead)] += float(ship[w, j])
    for _ in range(n_nodes + 1):  # keys only decrease: a fixpoint within as many rounds
        outflow: list[list[tuple[int, float, int]]] = [[] for _ in range(n_nodes)]
        for nd, w, q, k in deliveries:
            outflow[nd].append((w, q, k))
        for w, j in t_rows:
            for nd, c in zip(t_in[j], t_per[j], strict=True):
                outflow[int(nd)].append((int(w), float(starts[w, j] * c), int(t_key[w, j])))
        for w, j in s_rows:
            outflow[int(s_from[j])].append((int(w), float(ship[w, j]), int(s_key[w, j])))
        blocks = [_match(inflow[nd], outflow[nd]) for nd in range(n_nodes)]
        changed = False
        for w, j in t_rows:
            k = blocks[int(t_out[j])].get(int(w + t_lead[j]), NEVER)
            if k < t_key[w, j]:
                t_key[w, j], changed = k, True
        for w, j in s_rows:
            k = blocks[int(s_to[j])].get(int(w + s_lead), NEVER)
            if k < s_key[w, j]:
                s_key[w, j], changed = k, True
        if not changed:
            break
    return t_key, s_key


def delivery_keys(
    cum_due_before: list[tuple[float, float, int]], delivered: list[tuple[int, float]]
) -> list[tuple[int, float, int]]:
    """Split one demand's plan deliveries by the due entries they fill, earliest first.

    Parameters
    ----------
    cum_due_before : (units due before the entry, entry units, entry key), in due order
    delivered : (week, units) of the plan's deliveries to the demand

    Returns
    -------
    (week, units, key): units beyond the total due get :data:`NEVER`.
    """
    out = []
    done = 0.0
    for week, q in sorted(delivered):
        a, b = done, done + q
        for before, qty, key in cum_due_before:
            part = min(b, before + qty) - max(a, before)
            if part > _EPS:
                out.append((week, part, key))
        total = cum_due_before[-1][0] + cum_due_before[-1][1] if cum_due_before else 0.0
        if b - max(a, total) > _EPS:
            out.append((week, b - max(a, total), NEVER))
        done = b
    return out
