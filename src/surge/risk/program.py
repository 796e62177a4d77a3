"""A plan's work laid out for execution: levels, groups of competitors, priority keys.

Operation-lines (*tasks*) run level by level, producers before consumers (the depth of the
produced item in the bill of materials); lanes run after them. Within a level, tasks that
share a line, an input or an output (lanes: an origin or a destination) form a *group* of
competitors: in each run they are served one after the other in priority order, the
earliest key first (:mod:`surge.risk.peg`: the due date the next unit of their work
serves, then the week it was planned for), and in id order only for exact ties. Groups
share nothing, so the ``k``-th member of every group is executed together, vectorised over
groups and runs.

Built by :func:`compile_program` from the :class:`~surge.risk.model.PlanArrays` of a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from surge.risk.model import PlanArrays


@dataclass(frozen=True)
class Level:
    """Groups of competitors executed together; ``groups[g]`` lists members in id order."""

    groups: list[np.ndarray]
    size: int  # members of the largest group

    def rank(self, k: int) -> list[int]:
        """Groups with a ``k``-th member."""
        return [g for g, m in enumerate(self.groups) if len(m) > k]


@dataclass(frozen=True)
class Work:
    """Rows of one kind of work (tasks or lanes) and their priority keys."""

    levels: list[Level]
    planned: np.ndarray  # (weeks, rows) planned quantity (starts or units)
    cum: np.ndarray  # (rows, weeks) cumulative planned quantity through each week
    key: np.ndarray  # (rows, weeks + 1) key of the units planned in each week; last: none
    eps: np.ndarray  # (rows,) tolerance on cumulative quantities [units]

    def next_key(self, rows: np.ndarray, backlog: np.ndarray, t: int, first: bool) -> np.ndarray:
        """(rows, runs) key of the next unit each row has to make or move in week ``t``."""
        out = np.empty(backlog.shape, dtype=np.int64)
        week = t - 1 if first else t
        for i, j in enumerate(rows):
            done = (self.cum[j, week] if week >= 0 else 0.0) - backlog[i] + self.eps[j]
            out[i] = self.key[j].take(np.searchsorted(self.cum[j], done, side="right"))
        return out


@dataclass(frozen=True)
class Program:
    tasks: Work
    lanes: Work
    ins: np.ndarray  # (tasks, width) input nodes, padded with the bottomless node
    per: np.ndarray  # (tasks, width) units of each input per start, padded with 1 [units]
    pipe_row: np.ndarray  # (nodes,) row of each node in the pipe (-1: receives nothing late)
    pipe_nodes: np.ndarray  # nodes that receive work in later weeks (rows of the pipe)
    span: int  # weeks the pipe looks ahead (longest lead + 1)
    yield_row: np.ndarray  # (tasks,) row in Draws.yields, -1: the yield does not vary
    held_tasks: list[tuple[int, int, float]]  # (demand-node row, task, units per start)
    held_lanes: list[tuple[int, int]]  # (demand-node row, lane)


def _groups(members: list[int], uses: list[set]) -> list[np.ndarray]:
    """Connected groups of ``members`` that share a use, each in member order."""
    parent = {j: j for j in members}

    def root(j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    owner: dict[object, int] = {}
    for j in members:
        for u in uses[j]:
            if u in owner:
                parent[root(j)] = root(owner[u])
            else:
                owner[u] = j
    by_root: dict[int, list[int]] = {}
    for j in members:
        by_root.setdefault(root(j), []).append(j)
    return [np.array(g, dtype=np.int64) for g in sorted(by_root.values())]


def _level(groups: list[np.ndarray]) -> Level:
    return Level(groups, max((len(g) for g in groups), default=0))


def _work(levels: list[Level], planned: np.ndarray, key: np.ndarray) -> Work:
    T = planned.shape[0]
    rows = planned.shape[1]
    full = np.empty((rows, T + 1), dtype=np.int64)
    full[:, :T] = key.T * T + np.arange(T)[None, :]  # due entry first, then planned week
    full[:, T] = np.iinfo(np.int64).max
    cum = np.cumsum(planned, axis=0).T.copy()
    eps = 1e-9 * np.maximum(1.0, cum[:, -1] if T else np.ones(rows))
    return Work(levels, planned, cum, full, eps)


def compile_program(
    m: PlanArrays, t_key: np.ndarray, s_key: np.ndarray, depth: list[int]
) -> Program:
    """Lay out the tasks and lanes of ``m`` for :func:`surge.risk.simulate.execute`.

    ``t_key``, ``s_key``: pegging keys (weeks, rows) from :func:`surge.risk.peg.peg`;
    ``depth``: the level of each task (producers first).
    """
    n_tasks, n_lanes = len(m.tasks), len(m.lanes)
    uses: list[set] = [{("line", int(m.t_line[j])), ("out", int(m.t_out[j])),
                        *(("in", int(x)) for x in m.t_inputs[j])} for j in range(n_tasks)]
    levels = [_level(_groups([j for j in range(n_tasks) if depth[j] == d], uses))
              for d in sorted(set(depth))]
    lane_uses: list[set] = [{int(m.s_from[j]), int(m.s_to[j])} for j in range(n_lanes)]
    lane_levels = [_level(_groups(list(range(n_lanes)), lane_uses))] if n_lanes else []
    N = m.n_nodes
    width = max((len(x) for x in m.t_inputs), default=0)
    ins = np.full((n_tasks, width), N, dtype=np.int64)
    per = np.ones((n_tasks, width))
    for j in range(n_tasks):
        ins[j, : len(m.t_inputs[j])] = m.t_inputs[j]
        per[j, : len(m.t_inputs[j])] = m.t_per_start[j]
    late = set(m.t_out[m.t_lead > 0].tolist())
    if m.transport_lead > 0:
        late |= set(m.s_to.tolist())
    pipe_nodes = np.array(sorted(late), dtype=np.int64)
    pipe_row = np.full(N + 1, -1, dtype=np.int64)
    pipe_row[pipe_nodes] = np.arange(len(pipe_nodes))
    varies = np.flatnonzero(m.t_yield_sd > 0)
    yield_row = np.full(n_tasks, -1, dtype=np.int64)
    yield_row[varies] = np.arange(len(varies))
    row = {int(nd): r for r, nd in enumerate(np.unique(m.d_node))}
    return Program(
        tasks=_work(levels, m.t_starts, t_key), lanes=_work(lane_levels, m.s_qty, s_key),
        ins=ins, per=per, pipe_row=pipe_row, pipe_nodes=pipe_nodes,
        span=int(max(m.t_lead.max(initial=0), m.transport_lead)) + 1, yield_row=yield_row,
        held_tasks=[(row[int(nd)], j, float(c)) for j in range(n_tasks)
                    for nd, c in zip(m.t_inputs[j], m.t_per_start[j], strict=True)
                    if int(nd) in row],
        held_lanes=[(row[int(m.s_from[j])], j) for j in range(n_lanes)
                    if int(m.s_from[j]) in row],
    )
