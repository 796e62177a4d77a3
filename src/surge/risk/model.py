"""A plan and its scenario's uncertainty, prepared as arrays for the simulator.

Everything the simulator needs is indexed by small integers once, here: *nodes* are the
(site, item) pairs that hold stock, *tasks* are the (operation, line) pairs the plan runs,
*lanes* are the (item, from, to) pairs it ships on, *orders* are its purchases (one per
supplier, item, site and order week). Arrays over weeks are shaped ``(weeks, n)``.

See docs/risk.md for the execution rules these arrays serve.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from surge.errors import InputError
from surge.plan.model import Activation, Plan
from surge.risk.peg import delivery_keys, entry_ranks, peg
from surge.risk.program import Program, compile_program
from surge.scenario.model import Beta, Demand, Outage, Scenario


@dataclass(frozen=True)
class WeekDist:
    """A distribution over whole weeks: ``values[k]`` with probability ``probs[k]``."""

    values: np.ndarray
    probs: np.ndarray

    @property
    def is_certain_zero(self) -> bool:
        return bool(np.all(self.values[self.probs > 0] == 0))


@dataclass(frozen=True)
class SupplierSource:
    id: str
    delay: WeekDist | None
    fill: Beta | None
    outage: Outage | None


@dataclass(frozen=True)
class LineSource:
    id: str
    slip: WeekDist | None
    availability: float | None


@dataclass(frozen=True)
class PlanArrays:
    """The plan as arrays (see the module docstring): what :func:`prepare` indexes."""

    scenario: str
    weeks: int
    nodes: list[tuple[str, str]]
    initial: np.ndarray  # (nodes,) [units]
    # purchase orders
    o_node: np.ndarray  # (orders,)
    o_arrival: np.ndarray  # (orders,) planned arrival week
    o_qty: np.ndarray  # (orders,) [units]
    o_supplier: np.ndarray  # (orders,) index into suppliers
    suppliers: list[SupplierSource]
    # lines
    lines: list[LineSource]
    l_hours: np.ndarray  # (lines,) hours per week of the activated option [h/week]
    l_ready: np.ndarray  # (lines,) planned ready week
    l_ramp: np.ndarray  # (lines, R+1) ramp(k) for k = 0..R; ramp(k > R) = ramp(R) = 1
    # tasks = (operation, line), in execution order (producers before consumers)
    tasks: list[tuple[str, str]]
    t_line: np.ndarray  # (tasks,)
    t_out: np.ndarray  # (tasks,) output node
    t_lead: np.ndarray  # (tasks,) weeks from start to output
    t_inputs: list[np.ndarray]  # per task: input nodes
    t_per_start: list[np.ndarray]  # per task: units of each input per start [units]
    t_hours: np.ndarray  # (tasks,) line hours per start [h]
    t_yield: np.ndarray  # (tasks,) mean yield [-]
    t_yield_sd: np.ndarray  # (tasks,) [-]
    t_starts: np.ndarray  # (weeks, tasks) planned starts = good quantity / yield
    t_depth: list[int]  # (tasks,) depth of the produced item (its execution level)
    # shipment lanes
    lanes: list[tuple[str, str, str]]
    s_from: np.ndarray
    s_to: np.ndarray
    s_qty: np.ndarray  # (weeks, lanes) [units]
    transport_lead: int
    # demands
    demands: list[str]
    d_node: np.ndarray  # (demands,)
    d_weight: np.ndarray
    d_unmet: np.ndarray
    d_due_cum: np.ndarray  # (weeks, demands) cumulative due [units]
    d_total: np.ndarray
    due_dates: list[tuple[int, int]]  # (demand index, week), by demand id and week
    # delivery entries per node, in priority order (earliest week, higher weight, smaller id)
    e_node: np.ndarray
    e_demand: np.ndarray
    e_before: np.ndarray  # node total due before the entry
    e_qty: np.ndarray
    node_total: np.ndarray  # (nodes,) total due

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    def uncertain_sources(self) -> list[tuple[str, int]]:
        """(kind, index) of every supplier and line with some uncertainty, in id order."""
        out = [("supplier", i) for i, s in enumerate(self.suppliers)
               if (s.delay is not None and not s.delay.is_certain_zero)
               or (s.fill is not None and not (s.fill.mean == 1 and s.fill.sd == 0))
               or (s.outage is not None and s.outage.probability_per_week > 0)]
        out += [("line", i) for i, ln in enumerate(self.lines)
                if (ln.slip is not None and not ln.slip.is_certain_zero)
                or (ln.availability is not None and ln.availability < 1)]
        return out


@dataclass(frozen=True)
class RiskModel(PlanArrays):
    """The plan as arrays, with what execution derives from them once: the plan's own
    end-of-week stock, the number of passes per week, and the compiled
    :class:`~surge.risk.program.Program`. Built by :func:`prepare`."""

    plan_stock: np.ndarray  # (weeks, nodes) the plan's own end-of-week stock [units]
    passes: int  # zero-lead shipments can feed work at their destination in the same week
    program: Program  # the arrays laid out for execution (surge.risk.program)


RECEIPTS = "(receipts)"


def _dist(d: dict[int, float] | None) -> WeekDist | None:
    if d is None:
        return None
    return WeekDist(np.array(list(d), dtype=np.int64), np.array(list(d.values()), dtype=float))


class _Nodes:
    """The (site, item) nodes, numbered in the order they are first named."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], int] = {}

    def __call__(self, site: str, item: str) -> int:
        return self.index.setdefault((site, item), len(self.index))


def _week_ok(T: int, what: str, week: int) -> None:
    if not 0 <= week < T:
        raise InputError(f"plan {what}: week {week} is outside the horizon 0..{T - 1}")


def prepare(scenario: Scenario, plan: Plan) -> RiskModel:
    """Index the plan against its scenario; a plan that does not fit gives an InputError."""
    if not plan.has_plan:
        raise InputError(f"plan for '{plan.scenario}' has status '{plan.status}': "
                         "there is nothing to simulate (expected 'optimal' or 'feasible')")
    node = _Nodes()
    demands = sorted(scenario.demands, key=lambda d: d.id)
    for d in demands:  # demands first, so their nodes come first
        node(d.site, d.item)
    for st in scenario.inventory:
        node(st.site, st.item)
    parts: dict[str, Any] = {}
    parts |= _orders(scenario, plan, node)
    parts |= _lines(scenario, plan)
    parts |= _tasks(scenario, plan, node, parts["lines"])
    parts |= _lanes(scenario, plan, node)
    n = len(node.index)
    initial = np.zeros(n)
    for st in scenario.inventory:
        initial[node.index[(st.site, st.item)]] += st.quantity
    d_node = np.array([node.index[(d.site, d.item)] for d in demands], dtype=np.int64)
    arrays = PlanArrays(
        scenario=scenario.name, weeks=scenario.weeks, nodes=list(node.index), initial=initial,
        transport_lead=scenario.transport.lead_time_weeks,
        demands=[d.id for d in demands], d_node=d_node,
        d_weight=np.array([d.weight for d in demands], dtype=float),
        d_unmet=np.array([float(d.unmet_weeks or 0) for d in demands]),
        d_total=np.array([d.total for d in demands]),
        **parts, **_due(demands, d_node, scenario.weeks, n),
    )
    sites = {site for site, _ in arrays.nodes}
    t_key, s_key = _pegging(arrays, plan)
    return RiskModel(
        **{f.name: getattr(arrays, f.name) for f in fields(PlanArrays)},
        plan_stock=_plan_stock(arrays, plan),
        passes=1 if arrays.transport_lead > 0 or not arrays.lanes else 1 + len(sites),
        program=compile_program(arrays, t_key, s_key, arrays.t_depth),
    )


def _orders(scenario: Scenario, plan: Plan, node: _Nodes) -> dict[str, Any]:
    """Purchases, one order per supplier, item, site and order week, and the receipts."""
    unc, sup_ids = scenario.uncertainty, {s.id for s in scenario.suppliers}
    orders: dict[tuple[str, str, str, int], list[float]] = {}
    for p in plan.purchases:
        if p.supplier not in sup_ids:
            raise InputError(f"plan purchases: unknown supplier '{p.supplier}' (not in the "
                             "scenario)")
        _week_ok(scenario.weeks, f"purchase from '{p.supplier}'", p.week)
        entry = orders.setdefault((p.supplier, p.item, p.site, p.week),
                                  [0.0, float(p.arrival_week)])
        entry[0] += p.quantity
    # receipts (state.md) arrive whatever happens: orders of a supplier without risk
    # (RECEIPTS is not an id, so it names no supplier and is never an uncertain source)
    for rec in scenario.receipts:
        entry = orders.setdefault((RECEIPTS, rec.item, rec.site, rec.week), [0.0, rec.week])
        entry[0] += rec.quantity
    sup_list = sorted({k[0] for k in orders})
    sup_index = {s: i for i, s in enumerate(sup_list)}
    keys = sorted(orders)
    suppliers = []
    for sid in sup_list:
        r = unc.supplier(sid) if unc and sid != RECEIPTS else None
        suppliers.append(SupplierSource(sid, _dist(r.delay_weeks) if r else None,
                                        r.fill_rate if r else None, r.outage if r else None))
    return {
        "o_node": np.array([node(k[2], k[1]) for k in keys], dtype=np.int64),
        "o_arrival": np.array([int(orders[k][1]) for k in keys], dtype=np.int64),
        "o_qty": np.array([orders[k][0] for k in keys]),
        "o_supplier": np.array([sup_index[k[0]] for k in keys], dtype=np.int64),
        "suppliers": suppliers,
    }


def _lines(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """Every line the plan activates or produces on, in id order."""
    unc, T, lines_by_id = scenario.uncertainty, scenario.weeks, scenario.by_id("lines")
    act: dict[str, Activation] = {a.line: a for a in plan.activations}
    for a in plan.activations:
        if a.line not in lines_by_id:
            raise InputError(f"plan activations: unknown line '{a.line}' (not in the scenario)")
    line_ids = sorted(set(act) | {p.line for p in plan.production})
    l_hours, l_ready, ramps, line_src = [], [], [], []
    for lid in line_ids:
        if lid not in lines_by_id:
            raise InputError(f"plan production: unknown line '{lid}' (not in the scenario)")
        got = act.get(lid)
        opt = next((o for o in lines_by_id[lid].options if got and o.id == got.option), None)
        if got is not None and opt is None:
            raise InputError(f"plan activations: line '{lid}' has no option '{got.option}'")
        l_hours.append(opt.hours_per_week if opt else 0.0)
        l_ready.append(got.ready_week if got else T)
        ramps.append(list(opt.ramp_up) if opt else [])
        lr = unc.line(lid) if unc else None
        line_src.append(LineSource(lid, _dist(lr.slip_weeks) if lr else None,
                                   lr.availability if lr else None))
    R = max((len(x) for x in ramps), default=0)
    l_ramp = np.ones((len(line_ids), R + 1))
    for i, rp in enumerate(ramps):
        l_ramp[i, : len(rp)] = rp
    return {"lines": line_src, "l_hours": np.array(l_hours, dtype=float),
            "l_ready": np.array(l_ready, dtype=np.int64), "l_ramp": l_ramp}


def _tasks(scenario: Scenario, plan: Plan, node: _Nodes,
           line_src: list[LineSource]) -> dict[str, Any]:
    """Tasks (operation, line), producers before consumers (depth of the output item)."""
    unc, T = scenario.uncertainty, scenario.weeks
    ops, lines_by_id = scenario.by_id("operations"), scenario.by_id("lines")
    starts: dict[tuple[str, str], np.ndarray] = defaultdict(lambda: np.zeros(T))
    for p in plan.production:
        if p.operation not in ops:
            raise InputError(f"plan production: unknown operation '{p.operation}'")
        _week_ok(T, f"production of '{p.operation}' on '{p.line}'", p.week)
        starts[(p.operation, p.line)][p.week] += p.quantity / ops[p.operation].yield_
    depth = _item_depth(scenario)
    tasks = sorted(starts, key=lambda k: (depth[ops[k[0]].produces], k[0], k[1]))
    t_inputs, t_per_start = [], []
    for oid, lid in tasks:
        site, op = lines_by_id[lid].site, ops[oid]
        t_inputs.append(np.array([node(site, i) for i in sorted(op.consumes)], dtype=np.int64))
        t_per_start.append(np.array([op.consumes[i] for i in sorted(op.consumes)]))
    line_index = {ln.id: i for i, ln in enumerate(line_src)}
    return {
        "tasks": tasks,
        "t_line": np.array([line_index[lid] for _, lid in tasks], dtype=np.int64),
        "t_out": np.array([node(lines_by_id[lid].site, ops[oid].produces) for oid, lid in tasks],
                          dtype=np.int64),
        "t_lead": np.array([ops[o].lead_time_weeks for o, _ in tasks], dtype=np.int64),
        "t_inputs": t_inputs, "t_per_start": t_per_start,
        "t_hours": np.array([ops[o].hours_per_unit for o, _ in tasks], dtype=float),
        "t_yield": np.array([ops[o].yield_ for o, _ in tasks], dtype=float),
        "t_yield_sd": np.array([(unc.operation(oid).yield_sd or 0.0) if unc else 0.0
                                for oid, _ in tasks]),
        "t_starts": np.stack([starts[k] for k in tasks], axis=1) if tasks else np.zeros((T, 0)),
        "t_depth": [depth[ops[oid].produces] for oid, _ in tasks],
    }


def _lanes(scenario: Scenario, plan: Plan, node: _Nodes) -> dict[str, Any]:
    """Shipment lanes (item, from, to), in that order."""
    T = scenario.weeks
    ship: dict[tuple[str, str, str], np.ndarray] = defaultdict(lambda: np.zeros(T))
    for sh in plan.shipments:
        _week_ok(T, f"shipment of '{sh.item}' from '{sh.from_}'", sh.week)
        ship[(sh.item, sh.from_, sh.to)][sh.week] += sh.quantity
    lanes = sorted(ship)
    s_from = np.array([node(f, i) for i, f, _ in lanes], dtype=np.int64)
    s_to = np.array([node(t, i) for i, _, t in lanes], dtype=np.int64)
    return {"lanes": lanes, "s_from": s_from, "s_to": s_to,
            "s_qty": np.stack([ship[k] for k in lanes], axis=1) if lanes else np.zeros((T, 0))}


def _item_depth(scenario: Scenario) -> dict[str, int]:
    """Longest chain of operations below each item (0 for items nobody makes from inputs)."""
    makers: dict[str, list[set[str]]] = defaultdict(list)
    for op in scenario.operations:
        makers[op.produces].append(set(op.consumes))
    depth: dict[str, int] = {}

    def visit(item: str) -> int:
        if item not in depth:
            depth[item] = 0
            depth[item] = max((1 + visit(i) for ins in makers[item] for i in ins), default=0)
        return depth[item]

    for it in scenario.items:
        visit(it.id)
    return depth


def _due(demands: list[Demand], d_node: np.ndarray, T: int, n_nodes: int) -> dict[str, Any]:
    """Cumulative due per week, the due dates, and the delivery entries in priority order."""
    d_due_cum = np.zeros((T, len(demands)))
    due_dates = []
    entries = []  # (node, week, -weight, demand id, demand index, qty)
    for j, d in enumerate(demands):
        per_week: dict[int, float] = defaultdict(float)
        for x in d.due:
            per_week[x.week] += x.quantity
        for w, q in sorted(per_week.items()):
            d_due_cum[w:, j] += q
            due_dates.append((j, w))
            entries.append((int(d_node[j]), w, -d.weight, d.id, j, q))
    entries.sort()
    node_total = np.zeros(n_nodes)
    before = []
    for nd, _, _, _, _, q in entries:
        before.append(node_total[nd])
        node_total[nd] += q
    return {
        "d_due_cum": d_due_cum,
        "due_dates": sorted(due_dates, key=lambda x: (demands[x[0]].id, x[1])),
        "e_node": np.array([e[0] for e in entries], dtype=np.int64),
        "e_demand": np.array([e[4] for e in entries], dtype=np.int64),
        "e_before": np.array(before, dtype=float),
        "e_qty": np.array([e[5] for e in entries], dtype=float),
        "node_total": node_total,
    }


def _plan_stock(m: PlanArrays, plan: Plan) -> np.ndarray:
    """The plan's own end-of-week stock at every node (it holds these for later work)."""
    T = m.weeks
    flow = np.zeros((T + 1 + max(0, m.transport_lead) + int(m.t_lead.max(initial=0)), m.n_nodes))
    np.add.at(flow, (m.o_arrival, m.o_node), m.o_qty)
    for k in range(len(m.tasks)):
        s = m.t_starts[:, k]
        flow[np.arange(T) + m.t_lead[k], m.t_out[k]] += s * m.t_yield[k]
        for nd, c in zip(m.t_inputs[k], m.t_per_start[k], strict=False):
            flow[:T, nd] -= s * c
    for k in range(len(m.lanes)):
        flow[:T, m.s_from[k]] -= m.s_qty[:, k]
        flow[np.arange(T) + m.transport_lead, m.s_to[k]] += m.s_qty[:, k]
    index = {d: j for j, d in enumerate(m.demands)}
    for dl in plan.deliveries:
        if dl.demand not in index:
            raise InputError(f"plan deliveries: unknown demand '{dl.demand}' (not in the scenario)")
        flow[dl.week, m.d_node[index[dl.demand]]] -= dl.quantity
    return m.initial[None, :] + np.cumsum(flow[:T], axis=0)


def _pegging(m: PlanArrays, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Priority keys of the plan's rows of work (:func:`surge.risk.peg.peg`)."""
    entries = [(w, float(m.d_weight[j]), m.demands[j]) for j, w in m.due_dates]
    rank = dict(zip(m.due_dates, entry_ranks(entries), strict=False))
    index = {d: j for j, d in enumerate(m.demands)}
    got: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for dl in plan.deliveries:
        got[index[dl.demand]].append((dl.week, dl.quantity))
    deliveries = []
    for j in range(len(m.demands)):
        due, before = [], 0.0
        for w in sorted(w for jj, w in m.due_dates if jj == j):
            q = float(m.d_due_cum[w, j]) - before
            due.append((before, q, rank[(j, w)]))
            before += q
        deliveries += [(int(m.d_node[j]), w, q, k) for w, q, k in delivery_keys(due, got[j])]
    fixed = [(int(nd), int(w), float(q))
             for nd, w, q in zip(m.o_node, m.o_arrival, m.o_qty, strict=False)]
    fixed += [(nd, -1, float(q)) for nd, q in enumerate(m.initial) if q > 0]
    return peg(m.weeks, m.n_nodes,
               (m.t_starts, m.t_out, m.t_inputs, m.t_per_start, m.t_lead, m.t_yield),
               (m.s_qty, m.s_from, m.s_to, m.transport_lead), fixed, deliveries)
