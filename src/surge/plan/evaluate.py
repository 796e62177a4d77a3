"""Service ``S`` and cost ``C`` of a plan's own rows, by the scenario's definitions.

Used by the planner to fill a plan's ``objective`` and ``costs`` from the rows it writes
(after quantities below 1e-6 are left out), so the numbers always match the rows.
The verifier (:mod:`surge.plan.verify`) recomputes them on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from surge.plan.model import Plan
from surge.scenario.due import due_per_week
from surge.scenario.geo import haversine_km
from surge.scenario.model import Scenario


@dataclass
class Evaluation:
    service: float
    activation: float
    operating: float
    purchase: float
    transport: float
    service_by_demand: dict[str, float]

    @property
    def cost(self) -> float:
        return self.activation + self.operating + self.purchase + self.transport

    def costs_dict(self) -> dict[str, float]:
        return {"activation": self.activation, "operating": self.operating,
                "purchase": self.purchase, "transport": self.transport, "total": self.cost}


def evaluate(sc: Scenario, plan: Plan) -> Evaluation:
    """``S`` and the parts of ``C`` of ``plan`` under ``sc`` [unit-weeks], [currency]."""
    T = sc.weeks
    delivered: dict[str, np.ndarray] = {d.id: np.zeros(T) for d in sc.demands}
    for row in plan.deliveries:
        delivered[row.demand][row.week] += row.quantity
    service_by = {}
    for d in sc.demands:
        due = due_per_week(d, T)
        backlog = np.maximum(0.0, np.cumsum(due) - np.cumsum(delivered[d.id]))
        service_by[d.id] = float(d.weight * (backlog.sum() + d.unmet_weeks * backlog[-1]))

    lines = sc.by_id("lines")
    options = {}
    activation = 0.0
    for a in plan.activations:
        opt = next(o for o in lines[a.line].options if o.id == a.option)
        options[a.line] = opt
        if lines[a.line].committed is not None:  # fixed cost spent already (state.md)
            activation += opt.weekly_cost * max(0, T - max(0, a.ready_week))
        else:
            activation += opt.fixed_cost + opt.weekly_cost * max(0, T - a.ready_week)
    ops = sc.by_id("operations")
    operating = 0.0
    for r in plan.production:
        op = ops[r.operation]
        opt = options.get(r.line)
        if opt is not None:
            operating += r.quantity * op.hours_per_unit / op.yield_ * opt.cost_per_hour
    price = {(s.id, o.item): o.unit_price for s in sc.suppliers for o in s.offers}
    purchase = sum(r.quantity * price[(r.supplier, r.item)] for r in plan.purchases)
    sites = sc.by_id("sites")
    weight = {i.id: i.weight_kg for i in sc.items}
    rate = sc.transport.cost_per_kg_km
    transport = 0.0
    for s in plan.shipments:
        a, b = sites[s.from_], sites[s.to]
        transport += s.quantity * weight[s.item] * haversine_km(a.lat, a.lon, b.lat, b.lon) * rate
    return Evaluation(sum(service_by.values()), activation, operating, purchase, transport,
                      service_by)
