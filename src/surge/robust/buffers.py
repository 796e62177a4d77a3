"""Buffers a planner understands, applied to a copy of a scenario, and plans mapped back.

A :class:`Buffers` says how much slack to plan with: a safety lead time per supplier
(order earlier than the lead time needs), a safety lead time per line (convert earlier
than the line's lead time needs), a capacity derating per line (plan with fewer hours than
the line offers), over-ordering per item (buy more of an input than the work needs, against
short fills), due dates pulled earlier (per due date), and safety stock at a demand's site
(plan to deliver more than is due; one of the naive buffers of the benchmark).

:func:`apply` gives the *buffered* scenario: the same scenario with those parameters
tightened. Its plan is mapped back by :func:`to_original` into an ordinary plan of the
*original* scenario: the same orders, work and shipments, with the arrival and ready weeks
the original lead times give (earlier), deliveries capped at what is due. Every constraint
of the buffered scenario is at least as tight as the original's, so the mapped plan keeps
every constraint (the verifier checks it, :mod:`surge.robust.search`), and the slack the
buffers bought shows up as stock that waits and hours left free.

>>> from surge.robust.buffers import Buffers
>>> b = Buffers(supplier_lead={"asia-motors": 2}).raised("line_lead", "cleon-l1", 1)
>>> b.describe_short()
['supplier asia-motors: order 2 weeks early', 'line cleon-l1: convert 1 week early']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from surge.plan.evaluate import evaluate
from surge.plan.model import Costs, Delivery, Plan, PlanObjective, Shipment
from surge.scenario.model import Due, Scenario

KINDS = ("supplier_lead", "line_lead", "derate", "over_order", "due_lead", "safety_stock")
"""The kinds of buffer, in the order they are applied and listed."""

MAX_DERATE = 0.5  # a line planned at less than half its hours is no longer a buffer


@dataclass(frozen=True)
class Buffers:
    """How much slack to plan with. Every map is keyed by an id of the scenario.

    Attributes
    ----------
    supplier_lead : {supplier: weeks}
        Orders from the supplier are planned with its lead time plus these weeks.
    line_lead : {line: weeks}
        Conversions of the line are planned as if they took these weeks longer.
    derate : {line: fraction}
        The line is planned with ``(1 - fraction)`` of its hours each week.
    over_order : {item: fraction}
        Every operation is planned as if it used ``(1 + fraction)`` of this input item.
    due_lead : {"demand@week": weeks}
        The due date of ``demand`` in ``week`` is planned these weeks earlier.
    safety_stock : {demand: fraction}
        The demand's due quantities are planned ``(1 + fraction)`` times larger.
    """

    supplier_lead: dict[str, int] = field(default_factory=dict)
    line_lead: dict[str, int] = field(default_factory=dict)
    derate: dict[str, float] = field(default_factory=dict)
    over_order: dict[str, float] = field(default_factory=dict)
    due_lead: dict[str, int] = field(default_factory=dict)
    safety_stock: dict[str, float] = field(default_factory=dict)

    def key(self) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
        """A canonical, hashable form: two equal buffers have the same key."""
        return tuple((k, tuple(sorted((i, float(v)) for i, v in getattr(self, k).items() if v)))
                     for k in KINDS)

    @property
    def empty(self) -> bool:
        return not any(v for k in KINDS for v in getattr(self, k).values())

    def raised(self, kind: str, oid: str, amount: float) -> Buffers:
        """A copy with ``kind[oid]`` raised by ``amount`` (derating capped at 0.5)."""
        if kind not in KINDS:
            raise ValueError(f"unknown buffer kind {kind!r}, expected one of {KINDS}")
        cur = dict(getattr(self, kind))
        value = cur.get(oid, 0) + amount
        if kind == "derate":
            value = min(MAX_DERATE, round(value, 4))
        elif kind in ("over_order", "safety_stock"):
            value = round(value, 4)
        else:
            value = int(value)
        cur[oid] = value
        return replace(self, **{kind: cur})

    def to_dict(self) -> dict[str, dict[str, float]]:
        """JSON-ready: only the non-zero entries, sorted."""
        return {k: dict(sorted((i, v) for i, v in getattr(self, k).items() if v))
                for k in KINDS if any(getattr(self, k).values())}

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, Any]]) -> Buffers:
        unknown = set(data) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown buffer kinds {sorted(unknown)}, expected {KINDS}")
        return cls(**{k: dict(v) for k, v in data.items()})

    def describe_short(self) -> list[str]:
        """One short phrase per buffer, in :data:`KINDS` order."""
        out = []
        for kind in KINDS:
            for oid, v in sorted(getattr(self, kind).items()):
                if v:
                    out.append(phrase(kind, oid, v))
        return out


def _weeks(n: float) -> str:
    return f"{int(n)} week{'s' if int(n) != 1 else ''}"


def phrase(kind: str, oid: str, value: float) -> str:
    """A buffer in a few plain words."""
    if kind == "supplier_lead":
        return f"supplier {oid}: order {_weeks(value)} early"
    if kind == "line_lead":
        return f"line {oid}: convert {_weeks(value)} early"
    if kind == "derate":
        return f"line {oid}: {100 * value:.0f}% of its hours kept in reserve"
    if kind == "over_order":
        return f"item {oid}: order {100 * value:.0f}% more than the work needs"
    if kind == "due_lead":
        demand, week = split_due(oid)
        return f"{demand} due in week {week}: planned {_weeks(value)} earlier"
    return f"{oid}: {100 * value:.0f}% safety stock at its site"


def due_key(demand: str, week: int) -> str:
    """The key of one due date in :attr:`Buffers.due_lead`: ``"demand@week"``."""
    return f"{demand}@{week}"


def split_due(key: str) -> tuple[str, int]:
    demand, _, week = key.rpartition("@")
    return demand, int(week)


def apply(sc: Scenario, b: Buffers) -> Scenario:
    """The buffered scenario: a deep copy of ``sc`` with the buffers of ``b`` applied.

    Raises ``ValueError`` naming the id when a buffer refers to no object of ``sc``.
    """
    out = sc.model_copy(deep=True)
    suppliers, lines = out.by_id("suppliers"), out.by_id("lines")
    demands = out.by_id("demands")
    items = {i.id for i in out.items}
    for kind, known in (("supplier_lead", suppliers), ("line_lead", lines), ("derate", lines),
                        ("over_order", items), ("safety_stock", demands)):
        for oid in getattr(b, kind):
            if oid not in known:
                raise ValueError(f"buffer {kind}: no object {oid!r} in scenario {sc.name!r}")
    _apply_supply(out, b)
    _apply_demand(sc, out, b)
    return out


def _apply_supply(out: Scenario, b: Buffers) -> None:
    """Lead times, hours and inputs of the buffered copy ``out``."""
    suppliers, lines = out.by_id("suppliers"), out.by_id("lines")
    for sid, weeks in b.supplier_lead.items():
        for offer in suppliers[sid].offers:
            offer.lead_time_weeks += int(weeks)
    for lid, weeks in b.line_lead.items():
        if lines[lid].committed is None:  # a committed conversion is done: nothing to buffer
            for opt in lines[lid].options:
                opt.lead_time_weeks += int(weeks)
    for lid, frac in b.derate.items():
        for opt in lines[lid].options:
            opt.hours_per_week *= 1.0 - min(float(frac), MAX_DERATE)
    for item, frac in b.over_order.items():
        for op in out.operations:
            if item in op.consumes:
                op.consumes[item] *= 1.0 + float(frac)


def _apply_demand(sc: Scenario, out: Scenario, b: Buffers) -> None:
    """Due dates pulled earlier and safety stock in the buffered copy ``out``."""
    demands = out.by_id("demands")
    pulled: dict[str, dict[int, int]] = {}
    for key, weeks in b.due_lead.items():
        did, week = split_due(key)
        if did not in demands or all(d.week != week for d in demands[did].due):
            raise ValueError(f"buffer due_lead: no due date {key!r} (demand@week) in scenario "
                             f"{sc.name!r}")
        pulled.setdefault(did, {})[week] = int(weeks)
    for did, moves in pulled.items():
        merged: dict[int, float] = {}
        for d in demands[did].due:
            w = max(0, d.week - moves.get(d.week, 0))
            merged[w] = merged.get(w, 0.0) + d.quantity
        demands[did].due = [Due(week=w, quantity=q) for w, q in sorted(merged.items())]
    for did, frac in b.safety_stock.items():
        for d in demands[did].due:
            d.quantity *= 1.0 + float(frac)


def to_original(sc: Scenario, buffered_plan: Plan, b: Buffers, *, bounds: PlanObjective,
                message: str = "") -> Plan:
    """The plan of the buffered scenario as an ordinary plan of the original ``sc``.

    Orders keep their week and quantity and arrive after the original lead time; lines
    keep their start week and are ready after the original lead time; work and shipments
    are unchanged; deliveries are capped at each demand's cumulative total (what safety
    stock adds stays at the site). ``objective`` and ``costs`` are recomputed under ``sc``
    (:func:`surge.plan.evaluate.evaluate`); ``bounds`` carries the proven bounds of the
    original scenario's own optimum (a buffered plan is never claimed optimal: status
    ``feasible`` unless ``b`` is empty and the plan was optimal).
    """
    lead = {(s.id, o.item): o.lead_time_weeks for s in sc.suppliers for o in s.offers}
    options = {(ln.id, o.id): o.lead_time_weeks for ln in sc.lines for o in ln.options}
    purchases = [p.model_copy(update={"arrival_week": p.week + lead[(p.supplier, p.item)]})
                 for p in buffered_plan.purchases]
    activations = []
    for a in buffered_plan.activations:
        line = sc.by_id("lines")[a.line]
        if line.committed is not None:
            activations.append(a.model_copy())
        else:
            activations.append(a.model_copy(
                update={"ready_week": a.start_week + options[(a.line, a.option)]}))
    deliveries = _capped_deliveries(sc, buffered_plan.deliveries)
    shipments = [r.model_copy() for r in buffered_plan.shipments]
    if b.safety_stock:
        shipments = _keep_surplus_upstream(sc, shipments, buffered_plan, deliveries,
                                           set(b.safety_stock))
    plan = Plan(
        scenario=sc.name, status="feasible", message=message,
        objective=PlanObjective(mode=sc.objective.mode),
        activations=activations,
        production=[r.model_copy() for r in buffered_plan.production],
        purchases=purchases,
        shipments=shipments,
        deliveries=deliveries,
    ).normalized()
    ev = evaluate(sc, plan)
    obj: dict[str, Any] = {"mode": sc.objective.mode, "service": ev.service, "cost": ev.cost,
                           "service_bound": None, "cost_bound": None}
    if sc.objective.mode == "weighted":
        extra = bounds.model_extra or {}
        obj["value"] = ev.cost + sc.objective.late_penalty * ev.service
        obj["bound"] = extra.get("bound")
    else:
        obj["service_bound"] = _below(bounds.service_bound, ev.service)
        obj["cost_bound"] = _below(bounds.cost_bound, ev.cost)
    plan.objective = PlanObjective.model_validate(obj)
    plan.costs = Costs(**ev.costs_dict())
    return plan


def _below(bound: float | None, value: float) -> float | None:
    """A proven bound stays a bound of any plan of the same scenario (never above it)."""
    if bound is None or not math.isfinite(bound):
        return None
    return min(bound, value)


def _capped_deliveries(sc: Scenario, rows: list[Delivery]) -> list[Delivery]:
    """Deliveries in week order, each demand's cumulative deliveries capped at its total."""
    total = {d.id: d.total for d in sc.demands}
    given: dict[str, float] = {}
    out = []
    for r in sorted(rows, key=lambda r: (r.demand, r.week)):
        room = total[r.demand] - given.get(r.demand, 0.0)
        q = min(r.quantity, max(0.0, room))
        if q > 0:
            given[r.demand] = given.get(r.demand, 0.0) + q
            out.append(r.model_copy(update={"quantity": q}))
    return out


def _keep_surplus_upstream(sc: Scenario, shipments: list[Shipment], bp: Plan,
                           deliveries: list[Delivery], demands: set[str]) -> list[Shipment]:
    """Trim the shipments into the sites of ``demands`` so that no surplus waits there.

    Safety stock is planned as more units than due; stock left at a demand's site is held
    for the plan's own later work when the plan is executed (docs/risk.md, step 5), so
    there it would never cover a shortfall. Units not shipped stay at the origin, ready to
    cover a late shipment. The latest shipments are trimmed first, never below what keeps
    the stock at the site non-negative.
    """
    T = sc.weeks
    by_id = sc.by_id("demands")
    out_rows = list(shipments)
    for site, item in sorted({(by_id[d].site, by_id[d].item) for d in demands}):
        stock = _node_stock(sc, bp, out_rows, deliveries, site, item)
        surplus = stock[-1] if stock else 0.0
        incoming = sorted((i for i, r in enumerate(out_rows) if r.item == item and r.to == site),
                          key=lambda i: (-out_rows[i].arrival_week, out_rows[i].from_))
        for i in incoming:
            if surplus <= 1e-9:
                break
            r = out_rows[i]
            a = r.arrival_week
            x = max(0.0, min(r.quantity, surplus, min(stock[a:]) if a < T else 0.0))
            if x > 0:
                out_rows[i] = r.model_copy(update={"quantity": r.quantity - x})
                for t in range(a, T):
                    stock[t] -= x
                surplus -= x
    return out_rows


def _node_stock(sc: Scenario, bp: Plan, shipments: list[Shipment],
                deliveries: list[Delivery], site: str, item: str) -> list[float]:
    """End-of-week stock of ``item`` at ``site`` under the plan's rows [units]."""
    T = sc.weeks
    flow = [0.0] * (T + 1)
    ops, lines, demands = sc.by_id("operations"), sc.by_id("lines"), sc.by_id("demands")
    for r in bp.production:
        op = ops[r.operation]
        if lines[r.line].site != site:
            continue
        if op.produces == item:
            flow[min(T, r.week + op.lead_time_weeks)] += r.quantity
        flow[r.week] -= r.quantity * op.consumes.get(item, 0.0) / op.yield_
    flow[0] += sum(s.quantity for s in sc.inventory if (s.site, s.item) == (site, item))
    for rc in sc.receipts:
        if (rc.site, rc.item) == (site, item):
            flow[rc.week] += rc.quantity
    for p in bp.purchases:
        if (p.site, p.item) == (site, item):
            flow[min(T, p.arrival_week)] += p.quantity
    for s in shipments:
        if s.item == item and s.to == site:
            flow[min(T, s.arrival_week)] += s.quantity
        if s.item == item and s.from_ == site:
            flow[s.week] -= s.quantity
    for d in deliveries:
        if (demands[d.demand].site, demands[d.demand].item) == (site, item):
            flow[d.week] -= d.quantity
    stock, acc = [], 0.0
    for t in range(T):
        acc += flow[t]
        stock.append(acc)
    return stock
