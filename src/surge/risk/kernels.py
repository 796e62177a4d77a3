"""One pure, vectorised kernel per mechanism of plan execution (see docs/risk.md).

Each kernel takes arrays whose last axis is the runs and returns arrays; none draws
random numbers (the draws are made in :mod:`surge.risk.draws`) and none keeps state.
"""

from __future__ import annotations

import numpy as np


def outage_weeks(start: np.ndarray, length: int) -> np.ndarray:
    """Weeks a supplier does not ship: each start stops it for ``length`` weeks.

    Parameters
    ----------
    start : (weeks, runs) bool
        Weeks in which an outage starts.
    length : int
        Weeks an outage lasts [weeks].

    Returns
    -------
    (weeks, runs) bool
        True where an outage started in this week or in one of the ``length - 1`` before.
    """
    c = np.cumsum(start, axis=0, dtype=np.int64)
    lagged = np.zeros_like(c)
    lagged[length:] = c[:-length] if length < len(c) else 0
    return (c - lagged) > 0


def next_open_week(out: np.ndarray) -> np.ndarray:
    """For each week, the first week at or after it without an outage.

    Parameters
    ----------
    out : (weeks, runs) bool

    Returns
    -------
    (weeks + 1, runs) int
        ``weeks`` (after the horizon) where the outage lasts to the end; the last row maps
        "after the horizon" to itself.
    """
    T, n = out.shape
    nxt = np.empty((T + 1, n), dtype=np.int64)
    nxt[T] = T
    for w in range(T - 1, -1, -1):
        nxt[w] = np.where(out[w], nxt[w + 1], w)
    return nxt


def supply_arrival(
    planned: np.ndarray, delay: np.ndarray, open_week: np.ndarray | None, weeks: int
) -> np.ndarray:
    """Week each purchase order arrives: planned + delay, pushed past any outage.

    Parameters
    ----------
    planned : (orders,) int
        The plan's arrival week of each order.
    delay : (orders, runs) int
        Extra weeks of lead time [weeks].
    open_week : (weeks + 1, runs) int or None
        :func:`next_open_week` of the supplier of these orders (None: no outage).
    weeks : int
        Horizon; an arrival at ``weeks`` or later is never (it is reported as ``weeks``).

    Returns
    -------
    (orders, runs) int
    """
    arrive = np.minimum(planned[:, None] + delay, weeks)
    if open_week is not None:
        arrive = np.take_along_axis(open_week, arrive, axis=0)
    return arrive


def ramp_hours(hours_per_week: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """Hours each line offers ``k`` weeks after it is ready, as a table for :func:`line_hours`.

    Parameters
    ----------
    hours_per_week : (lines,) [h/week]
    ramp : (lines, R + 1) ramp(k) for k = 0..R; ramp(k) = ramp(R) = 1 beyond

    Returns
    -------
    (lines, R + 2) [h]: column 0 for "not ready yet" (0 h), column ``1 + k`` for ``k`` weeks
    after ready (``k >= R`` in the last column).
    """
    table = np.zeros((len(hours_per_week), ramp.shape[1] + 1))
    table[:, 1:] = hours_per_week[:, None] * ramp
    return table


def line_hours(table: np.ndarray, ready: np.ndarray, up: np.ndarray, week: int) -> np.ndarray:
    """Hours each line offers in ``week``.

    Parameters
    ----------
    table : (lines, R + 2) from :func:`ramp_hours` [h]
    ready : (lines, runs) week each line is ready: the plan's ready week + the slip
    up : (lines, runs) bool, the line works this week

    Returns
    -------
    (lines, runs) [h]
    """
    lines, width = table.shape
    cell = np.subtract(week + 1, ready)  # 1 + weeks since ready
    np.clip(cell, 0, width - 1, out=cell)
    cell += (np.arange(lines) * width)[:, None]
    hours = table.take(cell)
    hours *= up
    return hours


def starts_possible(
    request: np.ndarray, hours_left: np.ndarray, hours_per_start: np.ndarray,
    stock_in: np.ndarray, per_start: np.ndarray,
) -> np.ndarray:
    """Starts of operations on lines: what is asked, as far as hours and inputs allow.

    Parameters
    ----------
    request : (tasks, runs) starts asked (planned this week + backlog)
    hours_left : (tasks, runs) hours of each task's line not yet used this week [h]
    hours_per_start : (tasks, 1) [h]
    stock_in : (tasks, inputs, runs) stock of each input at the line's site [units]
    per_start : (tasks, inputs, 1) units of each input per start [units]

    Returns
    -------
    (tasks, runs) starts made
    """
    can = np.maximum(hours_left, 0.0)
    can /= hours_per_start
    np.minimum(can, request, out=can)
    if stock_in.shape[1]:
        most = np.maximum(stock_in, 0.0)
        most /= per_start
        np.minimum(can, most.min(axis=1), out=can)
    return can


def ship_possible(request: np.ndarray, stock_from: np.ndarray) -> np.ndarray:
    """Units of one lane shipped: what is asked, as far as the origin's stock allows."""
    sent = np.maximum(stock_from, 0.0)
    return np.minimum(sent, request, out=sent)


def deliver(
    delivered: np.ndarray, stock: np.ndarray, held: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Units delivered at the demand nodes by the end of the week (cumulative).

    Parameters
    ----------
    delivered : (nodes, runs) cumulative units delivered at each demand node so far
    stock : (nodes, runs) stock at each node after this week's work [units]
    held : (nodes, runs) units the plan keeps there for its own later work [units]
    total : (nodes,) total due at each node [units]

    Returns
    -------
    (nodes, runs) new cumulative units delivered (never above ``total``)
    """
    free = np.maximum(stock - held, 0.0)
    return np.minimum(delivered + free, total[:, None])


def per_demand(
    node_delivered: np.ndarray, e_row: np.ndarray, e_before: np.ndarray, e_qty: np.ndarray,
    e_demand: np.ndarray, n_demands: int,
) -> np.ndarray:
    """Split cumulative deliveries at each demand node among its demands' due entries.

    Entries are filled in priority order (earliest due week, then higher weight, then
    smaller id), so an entry holds ``clip(delivered - due before it, 0, quantity)``.

    Parameters
    ----------
    node_delivered : (weeks, demand nodes, runs) cumulative units delivered at each node
    e_row : (entries,) demand node of each entry (row of ``node_delivered``)

    Returns
    -------
    (weeks, demands, runs) cumulative units delivered to each demand
    """
    T, _, n = node_delivered.shape
    out = np.zeros((T, n_demands, n))
    for e in range(len(e_row)):  # in entry order, as a per-run sum would add them
        part = node_delivered[:, e_row[e]] - e_before[e]
        np.clip(part, 0.0, e_qty[e], out=part)
        out[:, e_demand[e]] += part
    return out


def service(
    delivered: np.ndarray, due_cum: np.ndarray, weight: np.ndarray, unmet_weeks: np.ndarray
) -> np.ndarray:
    """Service ``S`` of each run (scenario.md): weighted unit-weeks late.

    Parameters
    ----------
    delivered : (weeks, demands, runs) cumulative deliveries [units]
    due_cum : (weeks, demands) cumulative due [units]

    Returns
    -------
    (runs,) [unit-weeks]
    """
    backlog = np.maximum(due_cum[:, :, None] - delivered, 0.0)
    per = backlog.sum(axis=0) + unmet_weeks[:, None] * backlog[-1]
    return (weight[:, None] * per).sum(axis=0)
