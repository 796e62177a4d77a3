"""Reading a solution back: from variable values to the rows of a plan file."""

from __future__ import annotations

from typing import Any

import numpy as np

from surge.optimize.aggregate import split_purchases
from surge.optimize.model import Built
from surge.optimize.solver import StageResult
from surge.optimize.stages import Solved
from surge.plan.evaluate import evaluate
from surge.plan.model import EPS_QUANTITY, Costs, Plan, PlanObjective
from surge.scenario.model import Scenario

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


def make_plan(sc: Scenario, b: Built, solved: Solved, gap: float | None = None) -> Plan:
    """The plan file of a solve: the kept stage's solution read back, valued by
    :func:`surge.plan.evaluate.evaluate` (not by the solver).

    The status is ``optimal`` only when every stage's recomputed value is within ``gap``
    (default ``objective.mip_gap``) of the stage's proven bound; otherwise ``feasible``,
    with the gap in the message.
    """
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
        if d.opt_committed[k]:  # activated with its committed option and ready week
            r = int(d.opt_ready[k])
            activations.append({"line": d.opt_line[k], "option": d.opt_id[k],
                                "start_week": r - int(d.opt_lead[k]), "ready_week": r})
            active_option[d.opt_line[k]] = k
        elif on.size:
            s = int(on[0])
            activations.append({"line": d.opt_line[k], "option": d.opt_id[k], "start_week": s,
                                "ready_week": s + int(d.opt_lead[k])})
            active_option[d.opt_line[k]] = k
    prod = _values(x, b.prod)
    production: dict[tuple[str, str, int], float] = {}
    for p, k, t in zip(*np.nonzero(prod), strict=True):
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
                  "quantity": float(ship[j, t])} for j, t in zip(*np.nonzero(ship), strict=True)]
    shipments += pooled_shipments(b, x)
    deliv = _values(x, b.deliver)
    dem_ids = [dm.id for dm in sc.demands]
    deliveries = [{"demand": dem_ids[j], "week": int(t), "quantity": float(deliv[j, t])}
                  for j, t in zip(*np.nonzero(deliv), strict=True)]
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
        value = ev.cost + sc.objective.late_penalty * ev.service
        # b.cost_constant: the part of C the solver does not see (committed lines' weekly cost)
        checked = [(stages["weighted"], value - b.cost_constant)]
        objective.update(service_bound=None, cost_bound=None, value=value,
                         bound=_bound(stages["weighted"], value, b.cost_constant))
    else:
        checked = [(stages["service"], ev.service), (stages["cost"], ev.cost - b.cost_constant)]
        objective.update(service_bound=_bound(stages["service"], ev.service),
                         cost_bound=_bound(stages["cost"], ev.cost, b.cost_constant))
    status, message = solved.status, solved.message
    misses = [m for st, v in checked
              if (m := gap_miss(st, v, sc.objective.mip_gap if gap is None else gap))]
    if misses:
        status = "feasible"
        message = "; ".join(([message] if message else []) + misses)
    return plan.model_copy(update={"status": status, "message": message,
                                   "objective": PlanObjective(**objective),
                                   "costs": Costs(**ev.costs_dict())})


NOISE = 1e-5  # absolute difference of a recomputed value that is solver noise [objective]


def gap_miss(stage: StageResult, value: float, gap: float) -> str:
    """Why ``stage`` is not proven optimal for the plan's recomputed ``value`` ("" if it is).

    A stage is proven when ``value <= bound + max(gap * |value|, 1e-6 * |value|, NOISE)``.
    """
    bound = stage.bound
    if bound is None:
        if stage.status == "optimal":
            return ""
        return f"{stage.name} stage: no proven bound"
    if value <= bound + max(gap * abs(value), 1e-6 * abs(value), NOISE):
        return ""
    rel = (value - bound) / max(abs(value), 1e-9)
    return (f"{stage.name} stage: plan value {value:,.2f} is {rel:.2%} above the proven "
            f"bound {bound:,.2f} (gap allowed {gap:.2%})")


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
            senders: list[list[Any]] = [[s, q] for s, q in sorted(send.items()) if q > 0]
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


def _bound(stage: StageResult, value: float, offset: float = 0.0) -> float:
    """The stage's proven lower bound (plus ``offset``, the constant part of the
    objective the solver does not see), never above the plan's own value."""
    if stage.status == "optimal" and (stage.bound is None or stage.gap is None):
        return value
    if stage.bound is None:
        return 0.0
    return float(min(stage.bound + offset, value))
