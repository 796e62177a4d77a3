"""A plan's work laid out for vectorised execution: stages of contiguous rows.

:func:`surge.risk.model.prepare` groups operation-lines (*tasks*) and lanes into stages whose
members share nothing (:attr:`RiskModel.task_stages`, :attr:`RiskModel.lane_stages`), so a
stage can run as one array operation with the result of running its members one by one.
This module orders every task and lane stage after stage, so that a stage is a *slice* of
the arrays (no gathers for backlogs, planned quantities and yields), and within a stage by
the week of its first planned work: before that week a member has nothing to do (no
backlog either), so the members at work in week ``t`` are the first ``active[t]`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from surge.risk.model import RiskModel


@dataclass(frozen=True)
class TaskStage:
    """Rows ``start .. start + size`` of the execution order of tasks (see module doc)."""

    start: int
    size: int
    active: np.ndarray  # (weeks,) rows at work in each week: a prefix
    planned: np.ndarray  # (weeks,) bool: some row has planned starts that week
    line: np.ndarray  # (rows,) line of each row
    hours: np.ndarray  # (rows, 1) line hours per start [h]
    ins: np.ndarray  # (rows, width) input nodes, padded with the bottomless node
    per: np.ndarray  # (rows, width, 1) units of each input per start [units]
    flat_ins: np.ndarray  # input nodes row after row, without padding
    flat_per: np.ndarray  # (flat, 1) [units]
    flat_row: np.ndarray | None  # row of each flat input; None: one input per row
    flat_end: np.ndarray  # (rows + 1,) inputs of the first r rows: flat[:flat_end[r]]
    out: np.ndarray  # (rows,) output node (stock) or pipe row (lead > 0)
    lead: int  # weeks from start to output, the same for every row of the stage
    mean_yield: np.ndarray  # (rows, 1) [-]
    yield_at: int  # first row of this stage in Draws.yields, -1: no row's yield varies
    hours_later: bool  # some later stage or pass uses a line of this stage this week


@dataclass(frozen=True)
class LaneStage:
    """Rows ``start .. start + size`` of the execution order of lanes."""

    start: int
    size: int
    active: np.ndarray  # (weeks,)
    planned: np.ndarray  # (weeks,) bool
    frm: np.ndarray  # (rows,) origin node
    to: np.ndarray  # (rows,) destination node (stock) or pipe row (lead > 0)


@dataclass(frozen=True)
class Program:
    task_order: np.ndarray  # task index of each execution row
    lane_order: np.ndarray  # lane index of each execution row
    starts: np.ndarray  # (weeks, tasks) planned starts, in execution order
    ship: np.ndarray  # (weeks, lanes) planned shipments, in execution order
    task_stages: list[TaskStage]
    lane_stages: list[LaneStage]
    pipe_nodes: np.ndarray  # nodes that receive work in later weeks (rows of the pipe)
    span: int  # weeks the pipe looks ahead (longest lead + 1)
    held_tasks: list[tuple[int, int, float]]  # (demand-node row, execution row, units per start)
    held_lanes: list[tuple[int, int]]  # (demand-node row, execution row)


def _first_week(planned: np.ndarray, weeks: int) -> np.ndarray:
    """(members,) first week with planned work (``weeks``: never)."""
    has = planned > 0
    return np.where(has.any(axis=0), has.argmax(axis=0), weeks)


def _by_first_week(g: np.ndarray, first: np.ndarray) -> np.ndarray:
    return g[np.lexsort((g, first[g]))]


def _active(first: np.ndarray, weeks: int) -> np.ndarray:
    return np.array([int((first <= t).sum()) for t in range(weeks)], dtype=np.int64)


def compile_program(m: RiskModel) -> Program:
    """Lay out the tasks and lanes of ``m`` for :func:`surge.risk.simulate.execute`.

    A stage of tasks is split further by lead time and by whether the yield varies (its
    members share nothing, so any split runs the same), then its members are ordered by
    their first week of work.
    """
    T = m.weeks
    t_first = _first_week(m.t_starts, T)
    l_first = _first_week(m.s_qty, T)
    varies = m.t_yield_sd > 0
    t_groups = [_by_first_week(idx[(m.t_lead[idx] == lead) & (varies[idx] == v)], t_first)
                for idx in m.task_stages
                for lead, v in sorted({(int(m.t_lead[j]), bool(varies[j])) for j in idx})]
    l_groups = [_by_first_week(idx, l_first) for idx in m.lane_stages]
    task_order = np.concatenate(t_groups) if t_groups else np.zeros(0, dtype=np.int64)
    lane_order = np.concatenate(l_groups) if l_groups else np.zeros(0, dtype=np.int64)
    late = set(m.t_out[m.t_lead > 0].tolist())
    if m.transport_lead > 0:
        late |= set(m.s_to.tolist())
    pipe_nodes = np.array(sorted(late), dtype=np.int64)
    pipe_row = {int(nd): r for r, nd in enumerate(pipe_nodes)}
    drawn = task_order[varies[task_order]]
    yield_row = {int(j): r for r, j in enumerate(drawn)}
    lines_of = [set(m.t_line[g].tolist()) for g in t_groups]
    task_stages, start = [], 0
    for s, g in enumerate(t_groups):
        later = m.passes > 1 or any(lines_of[s] & x for x in lines_of[s + 1:])
        task_stages.append(_task_stage(m, g, start, t_first, pipe_row, yield_row, later))
        start += len(g)
    lane_stages, start = [], 0
    for g in l_groups:
        to = [pipe_row[int(x)] for x in m.s_to[g]] if m.transport_lead > 0 else m.s_to[g].tolist()
        lane_stages.append(LaneStage(start, len(g), _active(l_first[g], T),
                                     (m.s_qty[:, g] > 0).any(axis=1), m.s_from[g],
                                     np.array(to, dtype=np.int64)))
        start += len(g)
    t_pos = {int(j): r for r, j in enumerate(task_order)}
    l_pos = {int(j): r for r, j in enumerate(lane_order)}
    return Program(
        task_order=task_order.astype(np.int64), lane_order=lane_order.astype(np.int64),
        starts=np.ascontiguousarray(m.t_starts[:, task_order]),
        ship=np.ascontiguousarray(m.s_qty[:, lane_order]),
        task_stages=task_stages, lane_stages=lane_stages, pipe_nodes=pipe_nodes,
        span=int(max(m.t_lead.max(initial=0), m.transport_lead)) + 1,
        held_tasks=[(row, t_pos[j], c) for row, j, c in m.held_tasks],
        held_lanes=[(row, l_pos[j]) for row, j in m.held_lanes],
    )


def _task_stage(
    m: RiskModel, rows: np.ndarray, start: int, first: np.ndarray,
    pipe_row: dict[int, int], yield_row: dict[int, int], later: bool,
) -> TaskStage:
    N = m.n_nodes
    width = max((len(m.t_inputs[j]) for j in rows), default=0)
    ins = np.full((len(rows), width), N, dtype=np.int64)
    per = np.ones((len(rows), width, 1))
    flat_ins: list[int] = []
    flat_per: list[float] = []
    flat_row: list[int] = []
    flat_end = [0]
    for r, j in enumerate(rows):
        n_in = len(m.t_inputs[j])
        ins[r, :n_in] = m.t_inputs[j]
        per[r, :n_in, 0] = m.t_per_start[j]
        flat_ins += m.t_inputs[j].tolist()
        flat_per += m.t_per_start[j].tolist()
        flat_row += [r] * n_in
        flat_end.append(len(flat_ins))
    lead = int(m.t_lead[rows[0]])
    out = [pipe_row[int(x)] for x in m.t_out[rows]] if lead > 0 else m.t_out[rows].tolist()
    return TaskStage(
        start=start, size=len(rows), active=_active(first[rows], m.weeks),
        planned=(m.t_starts[:, rows] > 0).any(axis=1), line=m.t_line[rows],
        hours=m.t_hours[rows][:, None], ins=ins, per=per,
        flat_ins=np.array(flat_ins, dtype=np.int64), flat_per=np.array(flat_per)[:, None],
        flat_row=None if flat_row == list(range(len(rows))) else np.array(flat_row, dtype=np.int64),
        flat_end=np.array(flat_end, dtype=np.int64), out=np.array(out, dtype=np.int64),
        lead=lead, mean_yield=m.t_yield[rows][:, None],
        yield_at=yield_row.get(int(rows[0]), -1), hours_later=later,
    )
