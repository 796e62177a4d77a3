"""The checks on a plan as a whole and on its rows: format, references, weeks, lines,
supply, demand, stock.

Each check is a function of the plan (or of its :class:`PlanIndex`) that returns what it
found; the rule names are those of the optimiser's constraints where one exists
(``line-hours``, ``supplier-capacity``, ``delivery-total``, ``stock-balance``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from surge.fmt import num
from surge.plan.model import TOL, Plan
from surge.plan.verify.index import PlanIndex, Rows, weekly_sums
from surge.plan.verify.result import Found, slack
from surge.scenario.model import Scenario

MAX_QUANTITY = 1e12  # larger quantities overflow sums and tolerances: never a real plan

# The order of every list in a plan file (docs/plan.md), written out here on purpose:
# the verifier does not borrow the writer's idea of what is sorted.
SORTED_BY: dict[str, tuple[str, ...]] = {
    "activations": ("line", "option", "start_week", "ready_week"),
    "production": ("operation", "line", "week"),
    "purchases": ("supplier", "item", "site", "week", "arrival_week"),
    "shipments": ("item", "from_", "to", "week", "arrival_week"),
    "deliveries": ("demand", "week"),
}


def header(sc: Scenario, plan: Plan) -> Found:
    """The plan names this scenario and was made in its objective mode (warnings)."""
    found = Found()
    if plan.scenario != sc.name:
        found.warn("scenario-name", (plan.scenario,),
                   f"the plan is for scenario '{plan.scenario}', this scenario is '{sc.name}'")
    if plan.has_plan and plan.objective.mode != sc.objective.mode:
        found.warn("objective-mode", (plan.objective.mode,),
                   f"the plan was made in mode '{plan.objective.mode}', "
                   f"the scenario asks for '{sc.objective.mode}'")
    return found


def empty_plan(plan: Plan) -> Found:
    """An infeasible or error plan: empty lists and null numbers."""
    found, status = Found(), plan.status
    for kind in SORTED_BY:
        found.count("status")
        rows = getattr(plan, kind)
        if rows:
            found.add("status", (kind,), None,
                      f"a plan with status '{status}' must have no {kind}, got {len(rows)} rows")
    found.count("status")
    if plan.costs is not None:
        found.add("status", ("costs",), None,
                  f"a plan with status '{status}' must have costs null, got {plan.costs.total}")
    numbers = {**plan.objective.model_dump(exclude={"mode"}), **(plan.objective.model_extra or {})}
    for key, value in numbers.items():
        found.count("status")
        if value is not None:
            found.add("status", (f"objective.{key}",), None,
                      f"a plan with status '{status}' must have objective.{key} null, got "
                      f"{value!r}")
    return found


def list_format(plan: Plan) -> Found:
    """Lists sorted as docs/plan.md says, no duplicate keys, no quantity below 1e-6 (warnings)."""
    found = Found()
    for kind, keys in SORTED_BY.items():
        rows = getattr(plan, kind)
        tuples = [tuple(getattr(r, k) for k in keys) for r in rows]
        found.count("format")
        bad = next((i for i in range(1, len(tuples)) if tuples[i] < tuples[i - 1]), None)
        if bad is not None:
            found.warn("sorting", (kind,),
                       f"{kind} are not sorted by {', '.join(k.rstrip('_') for k in keys)}: "
                       f"row {bad} comes before row {bad - 1}")
        dup = next((i for i in range(1, len(tuples)) if tuples[i] == tuples[i - 1]), None)
        if dup is not None:
            found.warn("duplicate-row", (kind,),
                       f"{kind} rows {dup - 1} and {dup} have the same keys {tuples[dup]}; "
                       "their quantities are added")
        tiny = [i for i, r in enumerate(rows) if 0 <= getattr(r, "quantity", 1.0) < TOL]
        if tiny:
            found.warn("tiny-quantity", (kind,),
                       f"{len(tiny)} {kind} rows have a quantity below 1e-6 and should be left "
                       f"out (rows {', '.join(map(str, tiny[:5]))}"
                       f"{', ...' if len(tiny) > 5 else ''})")
    return found


def quantities(plan: Plan) -> Found:
    """Every quantity finite, >= 0 and at most 1e12."""
    found = Found()
    for kind in ("production", "purchases", "shipments", "deliveries"):
        for i, r in enumerate(getattr(plan, kind)):
            found.count("quantity")
            if not math.isfinite(r.quantity) or not -TOL <= r.quantity <= MAX_QUANTITY:
                found.add("quantity", (kind,), r.week,
                          f"{kind}[{i}] has quantity {num(r.quantity)}; quantities must be "
                          "finite and >= 0" + ("" if not r.quantity >= MAX_QUANTITY else
                                               f" and at most {MAX_QUANTITY:g}"),
                          max(0.0, -r.quantity))
    return found


def references(ix: PlanIndex) -> Found:
    """Every line, option, operation, offer, site, demand and item named exists."""
    found = Found()
    found.count("unknown-object", ix.references)
    found.violations += ix.unknown
    return found


def horizon(ix: PlanIndex) -> Found:
    """Every week, and every arrival (purchases, shipments, production output), in 0..T-1."""
    found, T = Found(), ix.T
    p = ix.production
    _weeks_in_horizon(found, "production", "production", p, T)
    late = p.in_t & (p.arrives > T - 1)
    found.count("horizon", len(p.week))
    for j in np.flatnonzero(late):
        found.add("horizon", p.objs[j], int(p.week[j]),
                  f"production[{p.idx[j]}]: {p.objs[j][1]} on {p.objs[j][0]} in week "
                  f"{p.week[j]} gives output in week {p.arrives[j]} (lead time {p.lead[j]}), "
                  f"after the horizon's last week {T - 1}")
    for kind, what, rows, arrival, lead in (
            ("purchases", "order", ix.purchases, ix.purchases.arrival, ix.purchases.lead),
            ("shipments", "departure", ix.shipments, ix.shipments.arrival, ix.shipments.lead)):
        _weeks_in_horizon(found, kind, what, rows, T)
        found.count("horizon", len(rows.week))
        for j in np.flatnonzero(rows.in_t & (arrival > T - 1)):
            found.add("horizon", rows.objs[j], int(rows.week[j]),
                      f"{kind}[{rows.idx[j]}] in week {rows.week[j]} arrives in week "
                      f"{arrival[j]} (lead time {lead[j]}), after the horizon's last week {T - 1}")
    _weeks_in_horizon(found, "deliveries", "delivery", ix.deliveries, T)
    return found


def _weeks_in_horizon(found: Found, kind: str, what: str, rows: Rows, T: int) -> None:
    found.count("horizon", len(rows.week))
    for j in np.flatnonzero(~rows.in_t):
        found.add("horizon", rows.objs[j], int(rows.week[j]),
                  f"{kind}[{rows.idx[j]}]: {what} week {rows.week[j]} is outside the horizon "
                  f"0..{T - 1}")


def activations(ix: PlanIndex) -> Found:
    """At most one activation per line, start within the option's window, ready = s + lead;
    a committed line activated with its committed option and ready week."""
    found, T = Found(), ix.T
    seen: dict[str, list[int]] = {}
    for k_a in ix.lines.activations:
        a, line, option = k_a.activation, k_a.line, k_a.option
        found.count("activation", 3)
        r = a.start_week + option.lead_time_weeks
        c = line.committed
        if c is not None:
            if a.option != c.option or a.ready_week != c.ready_week:
                found.add("activation", (a.line, a.option), a.start_week,
                          f"line {a.line} is committed to option {c.option} ready in week "
                          f"{c.ready_week}; the plan activates option {a.option} ready in week "
                          f"{a.ready_week}")
        elif not option.earliest_start_week <= a.start_week <= T - 1:
            found.add("activation", (a.line, a.option), a.start_week,
                      f"line {a.line} option {a.option} starts in week {a.start_week}; it may "
                      f"start in weeks {option.earliest_start_week}..{T - 1}")
        if a.ready_week != r:
            found.add("activation", (a.line, a.option), a.start_week,
                      f"line {a.line} option {a.option} started in week {a.start_week} is ready "
                      f"in week {r} (lead time {option.lead_time_weeks}), "
                      f"the plan says {a.ready_week}")
        seen.setdefault(a.line, []).append(k_a.row)
    for ln in ix.sc.lines:
        if ln.committed is not None and ln.id not in seen:
            found.count("activation")
            found.add("activation", (ln.id,), None,
                      f"line {ln.id} is committed to option {ln.committed.option} ready "
                      f"in week {ln.committed.ready_week}; the plan does not activate it")
    for line_id, rows in seen.items():
        found.count("activation")
        if len(rows) > 1:
            found.add("activation", (line_id,), None,
                      f"line {line_id} is activated {len(rows)} times (activations rows "
                      f"{', '.join(map(str, rows))}); at most one activation per line")
    return found


def production_lines(ix: PlanIndex) -> Found:
    """Each production row runs on an active line, with the capability, once it is ready."""
    found, p, sc = Found(), ix.production, ix.sc
    for rule in ("line-inactive", "capability", "line-not-ready"):
        found.count(rule, len(p.op))
    for j in np.flatnonzero(~p.active):
        found.add("line-inactive", p.objs[j], int(p.week[j]),
                  f"production[{p.idx[j]}]: {num(p.q[j])} of {p.objs[j][1]} on line "
                  f"{p.objs[j][0]}, which no activation converts")
    for j in np.flatnonzero(p.active & ~p.capable):
        cap = sc.operations[p.op[j]].capability
        found.add("capability", p.objs[j], int(p.week[j]),
                  f"production[{p.idx[j]}]: {p.objs[j][1]} needs capability '{cap}', the option "
                  f"activated on line {p.objs[j][0]} has {sorted(ix.lines.caps[p.line[j]])}")
    for j in np.flatnonzero(p.active & p.capable & ~p.ready):
        found.add("line-not-ready", p.objs[j], int(p.week[j]),
                  f"production[{p.idx[j]}]: {num(p.q[j])} of {p.objs[j][1]} on line "
                  f"{p.objs[j][0]} in week {p.week[j]}, before the line is ready in week "
                  f"{ix.lines.ready[p.line[j]]}")
    return found


def line_hours(ix: PlanIndex) -> Found:
    """Hours used per line and week <= hours offered (by capability and in total).

    The per-capability limit is implied by the total one once every row runs on a
    capability of its line's option (checked by ``capability``), so the total is checked.
    """
    found, p, lines, T = Found(), ix.production, ix.lines, ix.T
    nL = len(ix.sc.lines)
    m = p.runs
    used, size = weekly_sums(nL, T, p.line[m], p.week[m], p.hours[m])
    found.count("line-hours", int(lines.active.sum()) * T)
    offered = lines.offered
    over = used - offered > slack(offered, size)
    for k, t in zip(*np.nonzero(over), strict=True):
        lid = ix.sc.lines[k].id
        found.add("line-hours", (lid,), int(t),
                  f"line {lid} works {num(used[k, t])} h in week {t} but offers "
                  f"{num(offered[k, t])} h ({num(lines.hours_per_week[k])} h/week x ramp "
                  f"{num(offered[k, t] / lines.hours_per_week[k])}), "
                  f"{num(used[k, t] - offered[k, t])} h too many",
                  used[k, t] - offered[k, t])
    return found


def supplier_availability(ix: PlanIndex) -> Found:
    """No purchase ordered before its offer's available_from_week."""
    found, b = Found(), ix.purchases
    found.count("supplier-availability", len(b.week))
    for j in np.flatnonzero(b.week < b.available):
        found.add("supplier-availability", b.objs[j][:2], int(b.week[j]),
                  f"purchases[{b.idx[j]}]: {b.objs[j][1]} ordered from {b.objs[j][0]} in week "
                  f"{b.week[j]}, but the offer is available from week {b.available[j]}")
    return found


def lead_times(ix: PlanIndex) -> Found:
    """The plan's arrival weeks of purchases and shipments are week + lead."""
    found = Found()
    for kind, r, claimed, arrival, lead in (
            ("purchases", ix.purchases, ix.purchases.claimed, ix.purchases.arrival,
             ix.purchases.lead),
            ("shipments", ix.shipments, ix.shipments.claimed, ix.shipments.arrival,
             ix.shipments.lead)):
        found.count("lead-time", len(r.week))
        for j in np.flatnonzero(claimed != arrival):
            found.add("lead-time", r.objs[j], int(r.week[j]),
                      f"{kind}[{r.idx[j]}] leaves in week {r.week[j]} and arrives in week "
                      f"{arrival[j]} (lead time {lead[j]}), the plan says week {claimed[j]}")
    return found


def supplier_capacity(ix: PlanIndex) -> Found:
    """Units ordered per offer and week, over all sites, <= capacity_per_week."""
    found, b, T = Found(), ix.purchases, ix.T
    offer_list = ix.code.offer_list
    n = len(offer_list)
    m = b.in_t
    ordered, size = weekly_sums(n, T, b.offer[m], b.week[m], b.q[m])
    cap = np.array([[o.capacity(t) for t in range(T)] for _, o in offer_list]).reshape(n, T)
    found.count("supplier-capacity", n * T)
    over = ordered - cap > slack(cap, size)
    for k, t in zip(*np.nonzero(over), strict=True):
        s, o = offer_list[k]
        found.add("supplier-capacity", (s.id, o.item), int(t),
                  f"{num(ordered[k, t])} {o.item} ordered from {s.id} in week {t}, "
                  f"capacity {num(cap[k, t])}: {num(ordered[k, t] - cap[k, t])} too many",
                  ordered[k, t] - cap[k, t])
    return found


def shipment_routes(ix: PlanIndex) -> Found:
    """A shipment goes to another site."""
    found, s = Found(), ix.shipments
    found.count("shipment-route", len(s.week))
    for j in np.flatnonzero(s.src == s.dst):
        found.add("shipment-route", s.objs[j], int(s.week[j]),
                  f"shipments[{s.idx[j]}] ships {s.objs[j][0]} from {s.objs[j][1]} to itself; "
                  "a shipment goes to another site")
    return found


def delivery_total(ix: PlanIndex) -> Found:
    """Cumulative delivered <= the demand's total due, reported at the first week it is not."""
    found, d, sc = Found(), ix.deliveries, ix.sc
    total = d.due.sum(axis=1)
    cum = d.delivered.cumsum(axis=1)
    over = cum - total[:, None] > slack(total[:, None], d.size.cumsum(axis=1))
    found.count("delivery-total", len(sc.demands) * ix.T)
    for k in np.flatnonzero(over.any(axis=1)):
        t = int(np.argmax(over[k]))
        dem = sc.demands[k]
        found.add("delivery-total", (dem.id,), t,
                  f"demand {dem.id} has {num(cum[k, t])} {dem.item} delivered by week {t}, more "
                  f"than the {num(total[k])} due in all", cum[k, -1] - total[k])
    return found


Flow = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # site, item, week, +in/-out


def _flow(site: np.ndarray, item: np.ndarray, week: np.ndarray, q: np.ndarray,
          in_t: np.ndarray, T: int) -> Flow:
    """Stock movements of the rows in the horizon whose week of effect is too."""
    keep = in_t & (week >= 0) & (week <= T - 1) & np.isfinite(q)
    return site[keep], item[keep], week[keep], q[keep]


def stock_flows(ix: PlanIndex) -> list[Flow]:
    """Every stock movement of the plan and the scenario, in a fixed order."""
    sc, T = ix.sc, ix.T
    p, b, s, d = ix.production, ix.purchases, ix.shipments, ix.deliveries
    flows = [_flow(p.site, p.produces, p.arrives, p.q, p.in_t, T)]
    pairs = [(k, ix.code.items[i], qty / o.yield_) for k, o in enumerate(sc.operations)
             for i, qty in o.consumes.items()]
    if pairs and len(p.op):
        inputs = pd.DataFrame(pairs, columns=["op", "item", "per_unit"])
        used = pd.DataFrame({"op": p.op, "site": p.site, "week": p.week, "q": p.q}).merge(
            inputs, on="op")
        week = used["week"].to_numpy()
        flows.append(_flow(used["site"].to_numpy(), used["item"].to_numpy(), week,
                           -(used["q"] * used["per_unit"]).to_numpy(),
                           np.ones(len(week), dtype=bool), T))
    flows.append(_flow(b.site, b.item, b.arrival, b.q, b.in_t, T))
    flows.append(_flow(s.src, s.item, s.week, -s.q, s.in_t, T))
    flows.append(_flow(s.dst, s.item, s.arrival, s.q, s.in_t, T))
    flows.append(_flow(d.site, d.item, d.week, -d.q, d.in_t, T))
    sites, items = ix.code.sites, ix.code.items
    init = [(sites[x.site], items[x.item], 0, x.quantity) for x in sc.inventory]
    init += [(sites[r.site], items[r.item], r.week, r.quantity) for r in sc.receipts]
    if init:
        site, item, week, q = (np.array(c) for c in zip(*init, strict=True))
        flows.append((site, item, week, q))
    return flows


def stock_balance(ix: PlanIndex) -> Found:
    """Stock per site, item and end of week is never negative."""
    found, sc, T = Found(), ix.sc, ix.T
    nI = len(sc.items)
    flows = stock_flows(ix)
    site, item, week = (np.concatenate([f[c] for f in flows]).astype(np.int64) for c in range(3))
    q = np.concatenate([f[3] for f in flows]).astype(float)
    pair, inverse = np.unique(site * nI + item, return_inverse=True)
    net, gross = np.zeros((len(pair), T)), np.zeros((len(pair), T))
    np.add.at(net, (inverse, week), q)
    np.add.at(gross, (inverse, week), np.abs(q))
    stock, size = net.cumsum(axis=1), gross.cumsum(axis=1)
    short = -stock > slack(0.0, size)
    found.count("stock-balance", len(sc.sites) * nI * T)
    for k in np.flatnonzero(short.any(axis=1)):
        s_id, i_id = sc.sites[pair[k] // nI].id, sc.items[pair[k] % nI].id
        weeks = np.flatnonzero(short[k])
        # one violation per run of consecutive weeks below zero
        for run in np.split(weeks, np.flatnonzero(np.diff(weeks) > 1) + 1):
            t0, t1 = int(run[0]), int(run[-1])
            low = int(run[np.argmin(stock[k, run])])
            inflow = net[k, t0] + (gross[k, t0] - net[k, t0]) / 2
            outflow = (gross[k, t0] - net[k, t0]) / 2
            span = (f"; below zero through week {t1}, lowest {num(stock[k, low])} "
                    f"in week {low}" if t1 > t0 else "")
            found.add("stock-balance", (s_id, i_id), t0,
                      f"stock of {i_id} at {s_id} is {num(stock[k, t0])} at the end of week "
                      f"{t0} (in {num(inflow)}, out {num(outflow)} that week){span}: more is "
                      "used, shipped or delivered than is on hand", -float(stock[k, low]))
    return found
