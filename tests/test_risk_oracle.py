"""The vectorised simulator against a plain per-run oracle of the same execution rules.

The oracle below is written from docs/risk.md, one run at a time with Python floats; for
the same draws both must give the same deliveries and the same S.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

import surge
from surge.plan.model import Plan
from surge.risk.draws import Draws, draw
from surge.risk.model import RiskModel, prepare
from surge.risk.simulate import execute


def order(m: RiskModel, kind: str, late: list[float], t: int, first: bool) -> list[int]:
    """Rows of work in execution order: level by level, each by (key of its next unit, index).

    The key of the next unit: the pegged key of the first planned week whose cumulative
    planned quantity exceeds what was done (docs/risk.md).
    """
    assert m.program is not None
    work = getattr(m.program, kind)
    out = []
    for lv in work.levels:
        keyed = []
        for j in sorted(int(x) for g in lv.groups for x in g):
            cum = [float(x) for x in work.cum[j]]
            done = (cum[t - 1] if first and t > 0 else 0.0 if first else cum[t]) - late[j]
            week = next((w for w, c in enumerate(cum) if c > done + float(work.eps[j])), m.weeks)
            keyed.append((int(work.key[j, week]), j))
        out += [j for _, j in sorted(keyed)]
    return out


def oracle(m: RiskModel, dr: Draws, r: int) -> tuple[list[list[float]], float]:  # noqa: C901 (one plain loop on purpose: the oracle must read as the spec)
    """Execute the plan in run ``r``: cumulative deliveries (weeks x demands) and S."""
    T, N = m.weeks, m.n_nodes
    stock = [float(x) for x in m.initial]
    moving: dict[tuple[int, int], float] = defaultdict(float)  # (week, node) outputs, shipments
    bought: dict[tuple[int, int], float] = defaultdict(float)  # (week, node) purchases
    for o in range(len(m.o_qty)):
        s = int(m.o_supplier[o])
        week = min(int(m.o_arrival[o]) + int(dr.delay[o, r]), T)
        outage = m.suppliers[s].outage
        if outage is not None:
            down = {w + k for w in range(T) if dr.outage_start[s, w, r]
                    for k in range(outage.weeks)}
            while week < T and week in down:
                week += 1
        bought[(week, int(m.o_node[o]))] += float(m.o_qty[o]) * float(dr.fill[o, r])
    task_late = [0.0] * len(m.tasks)
    lane_late = [0.0] * len(m.lanes)
    done = [0.0] * N
    delivered = []
    for t in range(T):
        for nd in range(N):
            stock[nd] += moving.pop((t, nd), 0.0)
        for nd in range(N):
            if (t, nd) in bought:
                stock[nd] += bought[(t, nd)]
        hours = []
        for ln in range(len(m.lines)):
            k = t - int(m.l_ready[ln]) - int(dr.slip[ln, r])
            share = float(m.l_ramp[ln, min(k, m.l_ramp.shape[1] - 1)]) if k >= 0 else 0.0
            hours.append(float(m.l_hours[ln]) * share if k >= 0 and dr.up[t, ln, r] else 0.0)
        for p in range(m.passes):
            for j in order(m, "tasks", task_late, t, p == 0):
                ask = task_late[j] + float(m.t_starts[t, j]) if p == 0 else task_late[j]
                ln, h = int(m.t_line[j]), float(m.t_hours[j])
                can = min(ask, max(hours[ln], 0.0) / h)
                for nd, c in zip(m.t_inputs[j], m.t_per_start[j], strict=False):
                    can = min(can, max(stock[nd], 0.0) / float(c))
                task_late[j] = ask - can
                hours[ln] -= can * h
                for nd, c in zip(m.t_inputs[j], m.t_per_start[j], strict=False):
                    stock[nd] -= float(c) * can
                yk = list(dr.yield_tasks)
                y = float(dr.yields[t, yk.index(j), r]) if j in yk else float(m.t_yield[j])
                at = t + int(m.t_lead[j])
                if at == t:
                    stock[int(m.t_out[j])] += can * y
                elif at < T:
                    moving[(at, int(m.t_out[j]))] += can * y
            for j in order(m, "lanes", lane_late, t, p == 0):
                ask = lane_late[j] + float(m.s_qty[t, j]) if p == 0 else lane_late[j]
                sent = min(ask, max(stock[int(m.s_from[j])], 0.0))
                lane_late[j] = ask - sent
                stock[int(m.s_from[j])] -= sent
                at = t + m.transport_lead
                if at == t:
                    stock[int(m.s_to[j])] += sent
                elif at < T:
                    moving[(at, int(m.s_to[j]))] += sent
        for nd in sorted(set(int(x) for x in m.d_node)):
            held = float(m.plan_stock[t, nd])
            for j in range(len(m.tasks)):
                for n2, c in zip(m.t_inputs[j], m.t_per_start[j], strict=False):
                    if int(n2) == nd:
                        held += task_late[j] * float(c)
            for j in range(len(m.lanes)):
                if int(m.s_from[j]) == nd:
                    held += lane_late[j]
            new = min(done[nd] + max(stock[nd] - held, 0.0), float(m.node_total[nd]))
            stock[nd] -= new - done[nd]
            done[nd] = new
        per = [0.0] * len(m.demands)
        for e in range(len(m.e_qty)):
            part = min(max(done[int(m.e_node[e])] - float(m.e_before[e]), 0.0), float(m.e_qty[e]))
            per[int(m.e_demand[e])] += part
        delivered.append(per)
    s = 0.0
    for d in range(len(m.demands)):
        late = [max(float(m.d_due_cum[t, d]) - delivered[t][d], 0.0) for t in range(T)]
        s += float(m.d_weight[d]) * (sum(late) + float(m.d_unmet[d]) * late[-1])
    return delivered, s


def two_site_scenario(transport_lead: int = 1, *, demand_at_plant: bool = False) -> dict:
    """Two plants and a depot, a two-level bill of materials, shared inputs, 3 demands.

    ``demand_at_plant``: a 4th demand for frames at the south plant, where the plan also
    assembles and ships frames (so late work there holds units back from that demand).
    """
    raw = {
        "surge": 1, "name": "two sites", "start": "2026-01-05", "weeks": 10,
        "items": [{"id": x} for x in ("kit", "frame", "motor", "drone", "spare")],
        "operations": [
            {"id": "weld", "produces": "frame", "consumes": {"kit": 2}, "capability": "metal",
             "hours_per_unit": 1, "yield": 0.9, "lead_time_weeks": 1},
            {"id": "assemble", "produces": "drone", "consumes": {"frame": 1, "motor": 4},
             "capability": "assembly", "hours_per_unit": 2, "yield": 0.95},
            {"id": "pack", "produces": "spare", "consumes": {"motor": 2}, "capability": "assembly",
             "hours_per_unit": 0.5},
        ],
        "organizations": [{"id": "acme"}],
        "sites": [{"id": s, "organization": "acme", "country": "FR", "lat": 45 + i, "lon": 2.0}
                  for i, s in enumerate(("north", "south", "depot"))],
        "lines": [
            {"id": "n1", "site": "north", "options": [
                {"id": "a", "capabilities": ["metal"], "hours_per_week": 80, "lead_time_weeks": 1,
                 "ramp_up": [0.5]}]},
            {"id": "s1", "site": "south", "options": [
                {"id": "a", "capabilities": ["assembly"], "hours_per_week": 120,
                 "lead_time_weeks": 0}]},
            {"id": "s2", "site": "south", "options": [
                {"id": "a", "capabilities": ["assembly", "metal"], "hours_per_week": 60,
                 "lead_time_weeks": 2, "ramp_up": [0.3, 0.6]}]},
        ],
        "suppliers": [
            {"id": "kits", "country": "FR", "offers": [
                {"item": "kit", "unit_price": 1, "lead_time_weeks": 1, "capacity_per_week": 500}]},
            {"id": "motors", "country": "CN", "offers": [
                {"item": "motor", "unit_price": 1, "lead_time_weeks": 2,
                 "capacity_per_week": 900}]},
        ],
        "demands": [
            {"id": "d-a", "item": "drone", "site": "depot", "due": [{"week": 6, "quantity": 60},
                                                                   {"week": 9, "quantity": 60}]},
            {"id": "d-b", "item": "drone", "site": "depot", "weight": 2,
             "due": [{"week": 7, "quantity": 50}]},
            {"id": "d-c", "item": "spare", "site": "south", "due": [{"week": 8, "quantity": 40}]},
        ],
        "inventory": [{"site": "south", "item": "motor", "quantity": 40}],
        "transport": {"lead_time_weeks": transport_lead},
        "uncertainty": {
            "suppliers": {"*": {"delay_weeks": {0: 0.6, 1: 0.3, 3: 0.1},
                                "fill_rate": {"mean": 0.9, "sd": 0.08}},
                          "motors": {"delay_weeks": {0: 0.5, 2: 0.5},
                                     "outage": {"probability_per_week": 0.1, "weeks": 2}}},
            "lines": {"*": {"slip_weeks": {0: 0.7, 1: 0.3}, "availability": 0.85}},
            "operations": {"weld": {"yield_sd": 0.05}, "assemble": {"yield_sd": 0.02}},
        },
    }
    if demand_at_plant:
        raw["demands"].append({"id": "d-f", "item": "frame", "site": "south",
                               "due": [{"week": 5, "quantity": 20}, {"week": 8, "quantity": 30}]})
    return raw


def random_plan(sc: surge.Scenario, rng: np.random.Generator) -> Plan:
    """Any plan rows (feasible or not): the simulator executes whatever it can."""
    T = sc.weeks
    rows = {"production": [], "purchases": [], "shipments": []}
    for op, line in (("weld", "n1"), ("weld", "s2"), ("assemble", "s1"), ("assemble", "s2"),
                     ("pack", "s1")):
        for w in range(T):
            if rng.random() < 0.5:
                rows["production"].append({"operation": op, "line": line, "week": w,
                                           "quantity": float(rng.uniform(1, 40))})
    for sup, item, site in (("kits", "kit", "north"), ("kits", "kit", "south"),
                            ("motors", "motor", "south")):
        for w in range(T - 2):
            if rng.random() < 0.6:
                lead = 1 if sup == "kits" else 2
                rows["purchases"].append({"supplier": sup, "item": item, "site": site, "week": w,
                                          "arrival_week": w + lead,
                                          "quantity": float(rng.uniform(10, 200))})
    lead = sc.transport.lead_time_weeks
    for item, a, b in (("frame", "north", "south"), ("drone", "south", "depot"),
                       ("motor", "south", "north"), ("frame", "south", "north")):
        for w in range(T - lead):
            if rng.random() < 0.5:
                rows["shipments"].append({"item": item, "from": a, "to": b, "week": w,
                                          "arrival_week": w + lead,
                                          "quantity": float(rng.uniform(1, 60))})
    return Plan.from_dict({
        "scenario": sc.name, "status": "feasible",
        "activations": [{"line": "n1", "option": "a", "start_week": 0, "ready_week": 1},
                        {"line": "s1", "option": "a", "start_week": 0, "ready_week": 0},
                        {"line": "s2", "option": "a", "start_week": 1, "ready_week": 3}],
        **rows,
        "deliveries": [{"demand": d, "week": w, "quantity": float(rng.uniform(0, 30))}
                       for d in ("d-a", "d-b", "d-c") for w in range(3, T)],
    })


@pytest.mark.parametrize("lead", [1, 0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_equals_oracle_on_random_plans_and_draws(lead: int, seed: int) -> None:
    sc = surge.load(two_site_scenario(lead))
    rng = np.random.default_rng(seed)
    m = prepare(sc, random_plan(sc, rng))
    assert m.passes == (1 if lead else 4)
    dr = draw(m, rng, 40)
    out = execute(m, dr)
    # disruptions bite, differently per run
    assert len(set(np.round(out.delivered.sum(axis=(0, 1)), 6))) > 10
    for r in range(dr.runs):
        delivered, s = oracle(m, dr, r)
        np.testing.assert_array_equal(out.delivered[:, :, r], np.array(delivered))
        assert math.isclose(out.service[r], s, rel_tol=1e-12, abs_tol=1e-9)


def test_oracle_is_not_trivially_equal_when_draws_differ() -> None:
    sc = surge.load(two_site_scenario())
    rng = np.random.default_rng(5)
    m = prepare(sc, random_plan(sc, rng))
    dr = draw(m, rng, 30)
    out = execute(m, dr)
    services = {round(oracle(m, dr, r)[1], 6) for r in range(dr.runs)}
    assert len(services) > 5
    other = draw(m, np.random.default_rng(6), 30)
    assert not np.array_equal(execute(m, other).service, out.service)


def test_vectorised_equals_oracle_where_late_work_holds_units_back_from_a_demand() -> None:
    sc = surge.load(two_site_scenario(demand_at_plant=True))
    rng = np.random.default_rng(8)
    m = prepare(sc, random_plan(sc, rng))
    assert m.program is not None and m.program.held_tasks and m.program.held_lanes
    dr = draw(m, rng, 40)
    out = execute(m, dr)
    assert out.delivered[:, m.demands.index("d-f")].max() > 0
    for r in range(dr.runs):
        delivered, s = oracle(m, dr, r)
        np.testing.assert_array_equal(out.delivered[:, :, r], np.array(delivered))
        assert math.isclose(out.service[r], s, rel_tol=1e-12, abs_tol=1e-9)
